#include "storage/mobile_requests.hpp"

#include "core/time_format.hpp"
#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <utility>

namespace storage {

namespace {

constexpr std::array<std::pair<MobileRequestStatus, std::string_view>, 4> kStatuses{{
    {MobileRequestStatus::pending, "pending"},
    {MobileRequestStatus::completed, "completed"},
    {MobileRequestStatus::consumed, "consumed"},
    {MobileRequestStatus::cancelled, "cancelled"},
}};

MobileRequestStatus parseStatus(const std::string& text) {
  for (const auto& [status, name] : kStatuses)
    if (name == text) return status;
  return MobileRequestStatus::cancelled;
}

audit::Event requestEvent(core::TimePoint at, const audit::Actor& actor, std::string action,
                          const std::string& id, boost::json::object details) {
  return {at, actor.id, std::move(action), "mobile_request:" + id, boost::json::serialize(details)};
}

}  // namespace

std::string_view toString(MobileRequestKind kind) {
  return kind == MobileRequestKind::login ? "login" : "sign";
}

std::string_view toString(MobileRequestStatus status) {
  for (const auto& [value, name] : kStatuses)
    if (value == status) return name;
  return "cancelled";
}

core::Result<void> MobileRequestRepository::create(const MobileRequest& request,
                                                   const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  auto created = auditedChange<bool>(
      database_, [&](soci::session& sql) -> core::Result<std::pair<bool, audit::Event>> {
        const std::string kind(toString(request.kind));
        const long long order = request.order.value_or(0), person = request.person.value_or(0);
        soci::indicator order_indicator = request.order ? soci::i_ok : soci::i_null;
        soci::indicator person_indicator = request.person ? soci::i_ok : soci::i_null;
        const long long created = core::toUnixSeconds(now);
        const long long expires = core::toUnixSeconds(request.expires_at);
        sql << "INSERT INTO mobile_requests (id, kind, browser_hash, order_id, person_id, nonce, "
               "document, status, client_address, created_at, expires_at) VALUES (:i, :k, :b, "
               ":o, :p, :n, :d, 'pending', :a, :c, :e)",
            soci::use(request.id), soci::use(kind), soci::use(request.browser_hash),
            soci::use(order, order_indicator), soci::use(person, person_indicator),
            soci::use(request.nonce), soci::use(request.document),
            soci::use(request.client_address), soci::use(created), soci::use(expires);
        boost::json::object details{{"kind", kind}};
        if (request.order) details["order"] = *request.order;
        return std::pair{true, requestEvent(now, actor, "mobile_request.create",
                                            request.id.substr(0, 8), std::move(details))};
      });
  if (!created) return created.error();
  return {};
}

core::Result<std::optional<MobileRequest>> MobileRequestRepository::find(const std::string& id) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<MobileRequest>> {
        soci::rowset<soci::row> rows =
            (sql.prepare << "SELECT id, kind, browser_hash, order_id, person_id, nonce, document, "
                            "status, refusal, signer_fingerprint, client_address, created_at, "
                            "expires_at FROM mobile_requests WHERE id = :i",
             soci::use(id));
        for (const soci::row& row : rows) {
          MobileRequest request;
          request.id = row.get<std::string>(0);
          request.kind = row.get<std::string>(1) == "sign" ? MobileRequestKind::sign
                                                           : MobileRequestKind::login;
          request.browser_hash = row.get<std::string>(2);
          if (row.get_indicator(3) == soci::i_ok) request.order = row.get<long long>(3);
          if (row.get_indicator(4) == soci::i_ok) request.person = row.get<long long>(4);
          request.nonce = row.get<std::string>(5);
          request.document = row.get<std::string>(6);
          request.status = parseStatus(row.get<std::string>(7));
          request.refusal = row.get<std::string>(8);
          request.signer_fingerprint = row.get<std::string>(9);
          request.client_address = row.get<std::string>(10);
          request.created_at = core::fromUnixSeconds(row.get<long long>(11));
          request.expires_at = core::fromUnixSeconds(row.get<long long>(12));
          return std::optional<MobileRequest>(std::move(request));
        }
        return std::optional<MobileRequest>();
      });
}

core::Result<long long> MobileRequestRepository::countSince(const std::string& client_address,
                                                            core::TimePoint since) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<long long> {
    long long count = 0;
    const long long from = core::toUnixSeconds(since);
    sql << "SELECT COUNT(*) FROM mobile_requests WHERE client_address = :a AND created_at >= :t",
        soci::use(client_address), soci::use(from), soci::into(count);
    return count;
  });
}

core::Result<void> MobileRequestRepository::finish(const std::string& id, MobileRequestStatus to,
                                                   std::optional<core::PersonId> person,
                                                   const std::string& signer_fingerprint,
                                                   const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  auto finished = auditedChange<
      bool>(database_, [&](soci::session& sql) -> core::Result<std::pair<bool, audit::Event>> {
    const std::string status(toString(to));
    const long long at = core::toUnixSeconds(now);
    const long long person_id = person.value_or(0);
    soci::indicator person_indicator = person ? soci::i_ok : soci::i_null;
    // Guarded: of two answers to one request, one completes it.
    const int changed = changeRows(
        sql,
        "UPDATE mobile_requests SET status = :s, person_id = COALESCE(:p, person_id), "
        "signer_fingerprint = :f, completed_at = :t WHERE id = :i AND status = 'pending'",
        [&](Statement& s) {
          s.use(status).use(person_id, person_indicator).use(signer_fingerprint).use(at).use(id);
        });
    if (changed != 1)
      return core::makeError(core::ErrorKind::conflict, "mobile_request.not_pending");
    boost::json::object details{{"status", status}};
    if (person) details["person"] = *person;
    return std::pair{true, requestEvent(now, actor, "mobile_request." + status, id.substr(0, 8),
                                        std::move(details))};
  });
  if (!finished) return finished.error();
  return {};
}

core::Result<bool> MobileRequestRepository::consume(const std::string& id) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<bool> {
    return changeRows(sql,
                      "UPDATE mobile_requests SET status = 'consumed' WHERE id = :i AND "
                      "status = 'completed'",
                      [&](Statement& s) { s.use(id); }) == 1;
  });
}

core::Result<void> MobileRequestRepository::recordRefusal(const std::string& id,
                                                          const std::string& refusal) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<void> {
    // Only a request still waiting shows why its last answer failed.
    sql << "UPDATE mobile_requests SET refusal = :r WHERE id = :i AND status = 'pending'",
        soci::use(refusal), soci::use(id);
    return {};
  });
}

core::Result<bool> MobileRequestRepository::recordPoll(const std::string& id,
                                                       std::chrono::seconds interval) {
  const core::TimePoint now = clock_.now();
  return withSession(database_, [&](soci::session& sql) -> core::Result<bool> {
    const long long at = core::toUnixSeconds(now);
    const long long before = core::toUnixSeconds(now - interval);
    return changeRows(sql,
                      "UPDATE mobile_requests SET last_poll_at = :t WHERE id = :i AND "
                      "(last_poll_at IS NULL OR last_poll_at <= :b)",
                      [&](Statement& s) { s.use(at).use(id).use(before); }) == 1;
  });
}

core::Result<bool> RateLimiter::allow(const std::string& scope, const std::string& key, int limit,
                                      std::chrono::seconds window) {
  const core::TimePoint now = clock_.now();
  return inTransaction(
      database_, TransactionMode::write, [&](soci::session& sql) -> core::Result<bool> {
        // Count and insert must not interleave with another node's: SQLite's write transaction
        // is exclusive already, PostgreSQL's READ COMMITTED is not, so the key is locked there.
        if (database_.dialect() == Dialect::postgresql)
          sql << "SELECT pg_advisory_xact_lock(hashtext(CAST(:s AS TEXT) || ':' || "
                 "CAST(:k AS TEXT)))",
              soci::use(scope), soci::use(key);
        const long long at = core::toUnixSeconds(now);
        const long long since = core::toUnixSeconds(now - window);
        sql << "DELETE FROM rate_events WHERE scope = :s AND at < :t", soci::use(scope),
            soci::use(since);
        long long count = 0;
        sql << "SELECT COUNT(*) FROM rate_events WHERE scope = :s AND client = :k AND at >= :t",
            soci::use(scope), soci::use(key), soci::use(since), soci::into(count);
        if (count >= limit) return false;
        sql << "INSERT INTO rate_events (scope, client, at) VALUES (:s, :k, :t)", soci::use(scope),
            soci::use(key), soci::use(at);
        return true;
      });
}

}  // namespace storage
