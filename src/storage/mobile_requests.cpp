#include "storage/mobile_requests.hpp"

#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace storage {

namespace {

constexpr StoredNames<MobileRequestStatus, 4> kStatuses{{
    {MobileRequestStatus::pending, "pending"},
    {MobileRequestStatus::completed, "completed"},
    {MobileRequestStatus::consumed, "consumed"},
    {MobileRequestStatus::cancelled, "cancelled"},
}};

/// The audit note of a change of request `id`. The object names the request by the start of its
/// id only: the whole id is the handle that answers it.
AuditNote requestNote(std::string action, const std::string& id, boost::json::object details) {
  return {std::move(action), "mobile_request:" + id.substr(0, 8), std::move(details)};
}

/// The choices of a login as stored: "17,42,83".
std::string choicesText(const std::vector<int>& choices) {
  std::string text;
  for (const int choice : choices) text += (text.empty() ? "" : ",") + std::to_string(choice);
  return text;
}

std::vector<int> choicesFromText(const std::string& text) {
  std::vector<int> choices;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    int value = 0;
    if (std::from_chars(text.data() + start, text.data() + end, value).ec == std::errc{})
      choices.push_back(value);
    start = end + 1;
  }
  return choices;
}

/// The columns of a mobile_requests row that find() reads, converted to a MobileRequest.
struct MobileRequestRow {
  static constexpr std::string_view columns =
      "id, kind, browser_hash, order_id, person_id, nonce, document, status, refusal, "
      "signer_fingerprint, client_address, created_at, expires_at, match_number, match_choices, "
      "browser";

  MobileRequest value;
  std::string kind, status, choices;

  /// Applies `x` to each column in `columns` order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value.id);
    x(kind);
    x(value.browser_hash);
    x(value.order);
    x(value.person);
    x(value.nonce);
    x(value.document);
    x(status);
    x(value.refusal);
    x(value.signer_fingerprint);
    x(value.client_address);
    x(value.created_at);
    x(value.expires_at);
    x(value.match_number);
    x(choices);
    x(value.browser);
  }
  /// Fills `value` from the column values (after a read).
  void toValue() {
    value.kind = kind == "sign" ? MobileRequestKind::sign : MobileRequestKind::login;
    value.status = valueNamed(kStatuses, status, MobileRequestStatus::cancelled);
    value.match_choices = choicesFromText(choices);
  }
};

}  // namespace

std::string_view toString(MobileRequestKind kind) {
  return kind == MobileRequestKind::login ? "login" : "sign";
}

std::string_view toString(MobileRequestStatus status) {
  return nameOf(kStatuses, status, "cancelled");
}

core::Result<void> MobileRequestRepository::create(const MobileRequest& request,
                                                   const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange(database_, now, actor, [&](soci::session& sql) -> core::Result<AuditNote> {
    const std::string kind(toString(request.kind));
    const std::string choices = choicesText(request.match_choices);
    sql << "INSERT INTO mobile_requests (id, kind, browser_hash, order_id, person_id, nonce, "
           "document, status, client_address, created_at, expires_at, match_number, "
           "match_choices, browser) VALUES (:i, :k, :b, :o, :p, :n, :d, 'pending', :a, :c, :e, "
           ":m, :mc, :br)",
        soci::use(request.id), soci::use(kind), soci::use(request.browser_hash),
        soci::use(request.order), soci::use(request.person), soci::use(request.nonce),
        soci::use(request.document), soci::use(request.client_address), soci::use(now),
        soci::use(request.expires_at), soci::use(request.match_number), soci::use(choices),
        soci::use(request.browser);
    boost::json::object details{{"kind", kind}};
    if (request.order) details["order"] = *request.order;
    return requestNote("mobile_request.create", request.id, std::move(details));
  });
}

core::Result<std::optional<MobileRequest>> MobileRequestRepository::find(const std::string& id) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<MobileRequest>> {
        auto row = selectRow<MobileRequestRow>(sql,
                                               "SELECT " + std::string(MobileRequestRow::columns) +
                                                   " FROM mobile_requests WHERE id = :i",
                                               id);
        if (!row) return std::nullopt;
        row->toValue();
        return row->value;
      });
}

core::Result<long long> MobileRequestRepository::countSince(const std::string& client_address,
                                                            core::TimePoint since) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<long long> {
    return selectValue<long long>(sql,
                                  "SELECT COUNT(*) FROM mobile_requests WHERE client_address = :a "
                                  "AND created_at >= :t",
                                  client_address, since)
        .value_or(0);
  });
}

core::Result<void> MobileRequestRepository::finish(const std::string& id, MobileRequestStatus to,
                                                   std::optional<core::PersonId> person,
                                                   const std::string& signer_fingerprint,
                                                   const audit::Actor& actor,
                                                   const std::string& refusal) {
  const core::TimePoint now = clock_.now();
  return auditedChange(database_, now, actor, [&](soci::session& sql) -> core::Result<AuditNote> {
    const std::string status(toString(to));
    // Guarded: of two answers to one request, one completes it.
    const int changed = changeRows(
        sql,
        "UPDATE mobile_requests SET status = :s, person_id = COALESCE(:p, person_id), "
        "signer_fingerprint = :f, refusal = :r, completed_at = :t WHERE id = :i AND "
        "status = 'pending'",
        [&](Statement& s) {
          s.use(status).use(person).use(signer_fingerprint).use(refusal).use(now).use(id);
        });
    if (changed != 1)
      return core::makeError(core::ErrorKind::conflict, "mobile_request.not_pending");
    boost::json::object details{{"status", status}};
    if (person) details["person"] = *person;
    if (!refusal.empty()) details["reason"] = refusal;
    return requestNote("mobile_request." + status, id, std::move(details));
  });
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
  const core::TimePoint before = now - interval;
  return withSession(database_, [&](soci::session& sql) -> core::Result<bool> {
    return changeRows(sql,
                      "UPDATE mobile_requests SET last_poll_at = :t WHERE id = :i AND "
                      "(last_poll_at IS NULL OR last_poll_at <= :b)",
                      [&](Statement& s) { s.use(now).use(id).use(before); }) == 1;
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
        const core::TimePoint since = now - window;
        sql << "DELETE FROM rate_events WHERE scope = :s AND at < :t", soci::use(scope),
            soci::use(since);
        const long long count =
            selectValue<long long>(
                sql,
                "SELECT COUNT(*) FROM rate_events WHERE scope = :s AND client = :k AND at >= :t",
                scope, key, since)
                .value_or(0);
        if (count >= limit) return false;
        sql << "INSERT INTO rate_events (scope, client, at) VALUES (:s, :k, :t)", soci::use(scope),
            soci::use(key), soci::use(now);
        return true;
      });
}

}  // namespace storage
