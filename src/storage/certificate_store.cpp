#include "storage/certificate_store.hpp"

#include "core/time_format.hpp"
#include "storage/audit_log.hpp"
#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace storage {

namespace {

constexpr std::array<std::pair<IssuanceState, std::string_view>, 5> kStates{{
    {IssuanceState::reserved, "reserved"},
    {IssuanceState::checked, "checked"},
    {IssuanceState::signed_, "signed"},
    {IssuanceState::stored, "stored"},
    {IssuanceState::failed, "failed"},
}};

std::string stateName(IssuanceState state) {
  for (const auto& [value, name] : kStates)
    if (value == state) return std::string(name);
  return "failed";
}

IssuanceState parseState(const std::string& text) {
  for (const auto& [value, name] : kStates)
    if (name == text) return value;
  return IssuanceState::failed;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : " ") + item;
  return text;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

/// NULL for an absent id.
struct OptionalId {
  explicit OptionalId(const std::optional<std::int64_t>& id)
      : value(id.value_or(0)), indicator(id ? soci::i_ok : soci::i_null) {}
  long long value;
  soci::indicator indicator;
};

core::Error conflict(std::string message) {
  return core::makeError(core::ErrorKind::conflict, std::move(message));
}

std::string contextOf(const std::optional<core::OrganisationId>& organisation) {
  return organisation ? audit::objectName("organisation", *organisation) : std::string();
}

constexpr std::string_view kCertificateColumns =
    "issuance_id, kind, product, organisation_id, holder_id, card_id, common_name, "
    "common_name_lower, dns_names, subject_dn, issuer_dn, issuing_ca, serial_hex, not_before, "
    "not_after, key_description, sha256_fingerprint, policy_oids, manager_id, requested_by, pem, "
    "issued_at";

core::CertificateId insertCertificate(soci::session& sql, IssuanceId issuance,
                                      const core::IssuedCertificate& c) {
  const std::string kind(core::toString(c.kind));
  const std::string name_lower = lower(c.common_name);
  const std::string dns = joined(c.dns_names);
  const std::string policies = joined(c.policy_oids);
  const long long not_before = core::toUnixSeconds(c.not_before);
  const long long not_after = core::toUnixSeconds(c.not_after);
  const long long issued_at = core::toUnixSeconds(c.issued_at);
  OptionalId organisation(c.organisation), holder(c.holder), card(c.card), manager(c.manager),
      requested_by(c.requested_by);
  long long id = 0;
  Statement insert(sql);
  insert.use(issuance)
      .use(kind)
      .use(c.product)
      .use(organisation.value, organisation.indicator)
      .use(holder.value, holder.indicator)
      .use(card.value, card.indicator)
      .use(c.common_name)
      .use(name_lower)
      .use(dns)
      .use(c.subject_dn)
      .use(c.issuer_dn)
      .use(c.issuing_ca)
      .use(c.serial_hex)
      .use(not_before)
      .use(not_after)
      .use(c.key_description)
      .use(c.sha256_fingerprint)
      .use(policies)
      .use(manager.value, manager.indicator)
      .use(requested_by.value, requested_by.indicator)
      .use(c.pem)
      .use(issued_at)
      .into(id);
  insert.execute("INSERT INTO certificates (" + std::string(kCertificateColumns) + ") VALUES (" +
                 placeholders(columnCount(kCertificateColumns)) + ") RETURNING id");
  std::vector<std::string> names = c.dns_names;
  std::transform(names.begin(), names.end(), names.begin(), lower);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const std::string& name : names) {
    changeRows(sql, "INSERT INTO certificate_names (certificate_id, name) VALUES (:c, :n)",
               [&](Statement& s) { s.use(id).use(name); });
  }
  return id;
}

}  // namespace

core::Result<IssuanceId> CertificateStore::reserveSerial(const std::string& issuing_ca,
                                                         const std::string& serial_hex,
                                                         const std::string& product,
                                                         const std::string& request,
                                                         std::optional<std::int64_t> order) {
  const long long now = core::toUnixSeconds(clock_.now());
  const std::string state = stateName(IssuanceState::reserved);
  OptionalId order_id(order);
  return withSession(
      database_,
      [&](soci::session& sql) -> core::Result<IssuanceId> {
        // Also enforced by the unique index issuances_one_per_order; asking first gives the
        // precise answer instead of a serial collision.
        if (order) {
          long long under_way = 0;
          sql << "SELECT COUNT(*) FROM issuances WHERE order_id = :o AND state <> 'failed'",
              soci::use(*order), soci::into(under_way);
          if (under_way > 0)
            return core::makeError(core::ErrorKind::conflict, "certificate.order_in_issuance");
        }
        long long id = 0;
        Statement insert(sql);
        insert.use(issuing_ca)
            .use(serial_hex)
            .use(product)
            .use(state)
            .use(request)
            .use(order_id.value, order_id.indicator)
            .use(now)
            .use(now);
        insert.into(id);
        insert.execute(
            "INSERT INTO issuances (issuing_ca, serial_hex, product, state, request, order_id, "
            "created_at, updated_at) VALUES (:ca, :serial, :product, :state, :request, :order, "
            ":created, :updated) RETURNING id");
        return id;
      },
      ViolationMessages{.duplicate = "certificate.serial_taken"});
}

core::Result<std::optional<core::CardId>> CertificateStore::cardOfOrder(std::int64_t order) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<core::CardId>> {
        long long id = 0;
        sql << "SELECT id FROM cards WHERE order_id = :o", soci::use(order), soci::into(id);
        if (!sql.got_data()) return std::optional<core::CardId>();
        return std::optional<core::CardId>(id);
      });
}

core::Result<std::vector<std::string>> CertificateStore::productsOfCard(core::CardId card) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<std::string>> {
    soci::rowset<std::string> rows =
        (sql.prepare << "SELECT product FROM certificates WHERE card_id = :c ORDER BY id",
         soci::use(card));
    return std::vector<std::string>(rows.begin(), rows.end());
  });
}

core::Result<std::optional<core::CertificateId>> CertificateStore::certificateForOrder(
    std::int64_t order) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<core::CertificateId>> {
        long long id = 0;
        soci::indicator found = soci::i_null;
        sql << "SELECT c.id FROM certificates c JOIN issuances i ON i.id = c.issuance_id "
               "WHERE i.order_id = :o AND i.state = 'stored'",
            soci::use(order), soci::into(id, found);
        if (!sql.got_data() || found != soci::i_ok) return std::optional<core::CertificateId>();
        return std::optional<core::CertificateId>(id);
      });
}

core::Result<void> CertificateStore::moveIssuance(IssuanceId issuance,
                                                  const std::string& from_states, IssuanceState to,
                                                  const std::string& column,
                                                  const std::string& value) {
  const long long now = core::toUnixSeconds(clock_.now());
  const std::string state = stateName(to);
  return withSession(database_, [&](soci::session& sql) -> core::Result<void> {
    const int changed =
        changeRows(sql,
                   "UPDATE issuances SET state = :state, " + column +
                       " = :value, updated_at = :now WHERE id = :id AND state IN " + from_states,
                   [&](Statement& s) { s.use(state).use(value).use(now).use(issuance); });
    if (changed != 1) return conflict("certificate.issuance_state");
    return {};
  });
}

core::Result<void> CertificateStore::markChecked(IssuanceId issuance,
                                                 const std::string& tbs_sha256) {
  return moveIssuance(issuance, "('reserved')", IssuanceState::checked, "tbs_sha256", tbs_sha256);
}

core::Result<void> CertificateStore::markSigned(IssuanceId issuance, const std::string& pem) {
  return moveIssuance(issuance, "('checked')", IssuanceState::signed_, "pem", pem);
}

core::Result<void> CertificateStore::markFailed(IssuanceId issuance, const std::string& reason) {
  // A signed certificate exists: it must be stored (and may then be revoked), never forgotten.
  return moveIssuance(issuance, "('reserved', 'checked')", IssuanceState::failed, "failure",
                      reason);
}

core::Result<core::CertificateId> CertificateStore::storeIssued(
    IssuanceId issuance, const core::IssuedCertificate& certificate, const audit::Actor& actor) {
  const core::TimePoint at = clock_.now();
  return auditedChange<core::CertificateId>(
      database_,
      [&](soci::session& sql) -> core::Result<std::pair<core::CertificateId, audit::Event>> {
        const std::string stored = stateName(IssuanceState::stored);
        const long long now = core::toUnixSeconds(at);
        if (changeRows(sql,
                       "UPDATE issuances SET state = :state, updated_at = :now WHERE id = :id "
                       "AND state = 'signed'",
                       [&](Statement& s) { s.use(stored).use(now).use(issuance); }) != 1) {
          return conflict("certificate.issuance_state");
        }
        const core::CertificateId id = insertCertificate(sql, issuance, certificate);
        boost::json::object details{{"issuing_ca", certificate.issuing_ca},
                                    {"serial", certificate.serial_hex},
                                    {"product", certificate.product},
                                    {"common_name", certificate.common_name},
                                    {"not_after", core::toIso8601(certificate.not_after)}};
        return std::pair{
            id,
            audit::Event{at, actor.id, "certificate.issue", audit::objectName("certificate", id),
                         boost::json::serialize(details), contextOf(certificate.organisation)}};
      },
      ViolationMessages{.duplicate = "certificate.duplicate",
                        .missing = "certificate.unknown_owner"});
}

core::Result<std::vector<UnfinishedIssuance>> CertificateStore::unfinishedIssuances() {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<UnfinishedIssuance>> {
        std::vector<UnfinishedIssuance> result;
        UnfinishedIssuance row;
        std::string state;
        long long created = 0;
        forEachRow(
            sql,
            "SELECT id, issuing_ca, serial_hex, product, state, request, pem, created_at FROM "
            "issuances WHERE state IN ('reserved', 'checked', 'signed') ORDER BY created_at, id",
            [&](Statement& s) {
              s.into(row.id)
                  .into(row.issuing_ca)
                  .into(row.serial_hex)
                  .into(row.product)
                  .into(state)
                  .into(row.request)
                  .into(row.pem)
                  .into(created);
            },
            [&] {
              row.state = parseState(state);
              row.created_at = core::fromUnixSeconds(created);
              result.push_back(row);
            });
        return result;
      });
}

core::Result<core::CardId> CertificateStore::createCard(const core::Card& card,
                                                        const audit::Actor& actor,
                                                        std::optional<std::int64_t> order) {
  const core::TimePoint at = clock_.now();
  return auditedChange<core::CardId>(
      database_,
      [&](soci::session& sql) -> core::Result<std::pair<core::CardId, audit::Event>> {
        const std::string type(core::toString(card.type));
        const long long created = core::toUnixSeconds(at);
        OptionalId organisation(card.organisation), holder(card.holder), manager(card.manager),
            requested_by(card.requested_by), order_id(order);
        long long id = 0;
        Statement insert(sql);
        insert.use(type)
            .use(organisation.value, organisation.indicator)
            .use(holder.value, holder.indicator)
            .use(card.group_name)
            .use(manager.value, manager.indicator)
            .use(requested_by.value, requested_by.indicator)
            .use(created)
            .use(order_id.value, order_id.indicator)
            .into(id);
        insert.execute(
            "INSERT INTO cards (type, organisation_id, holder_id, group_name, manager_id, "
            "requested_by, created_at, order_id) VALUES (" +
            placeholders(8) + ") RETURNING id");
        boost::json::object details{{"type", type}, {"group_name", card.group_name}};
        return std::pair{
            id, audit::Event{at, actor.id, "card.create", audit::objectName("card", id),
                             boost::json::serialize(details), contextOf(card.organisation)}};
      },
      ViolationMessages{.duplicate = "card.order_produced", .missing = "card.unknown_owner"});
}

core::Result<void> CertificateStore::revoke(core::CertificateId certificate, core::TimePoint at,
                                            const std::string& reason, const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  auto revoked = auditedChange<bool>(
      database_, [&](soci::session& sql) -> core::Result<std::pair<bool, audit::Event>> {
        std::optional<core::OrganisationId> organisation;
        long long organisation_id = 0;
        soci::indicator organisation_indicator = soci::i_null, revoked_indicator = soci::i_null;
        long long revoked_at = 0;
        std::string serial, issuing_ca;
        Statement select(sql);
        select.into(organisation_id, organisation_indicator)
            .into(revoked_at, revoked_indicator)
            .into(serial)
            .into(issuing_ca)
            .use(certificate);
        if (!select.execute("SELECT organisation_id, revoked_at, serial_hex, issuing_ca FROM "
                            "certificates WHERE id = :id")) {
          return core::makeError(core::ErrorKind::not_found, "certificate.not_found");
        }
        if (revoked_indicator == soci::i_ok) return conflict("certificate.already_revoked");
        if (organisation_indicator == soci::i_ok) organisation = organisation_id;
        const long long when = core::toUnixSeconds(at);
        changeRows(sql,
                   "UPDATE certificates SET revoked_at = :at, revocation_reason = :reason "
                   "WHERE id = :id",
                   [&](Statement& s) { s.use(when).use(reason).use(certificate); });
        boost::json::object details{{"issuing_ca", issuing_ca},
                                    {"serial", serial},
                                    {"reason", reason},
                                    {"revoked_at", core::toIso8601(at)}};
        return std::pair{true,
                         audit::Event{now, actor.id, "certificate.revoke",
                                      audit::objectName("certificate", certificate),
                                      boost::json::serialize(details), contextOf(organisation)}};
      });
  if (!revoked) return revoked.error();
  return {};
}

core::Result<std::vector<RevokedSerial>> CertificateStore::revokedSerials(
    const std::string& issuing_ca) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<RevokedSerial>> {
        std::vector<RevokedSerial> result;
        RevokedSerial row;
        long long at = 0;
        forEachRow(
            sql,
            "SELECT serial_hex, revoked_at, revocation_reason FROM certificates WHERE issuing_ca = "
            ":ca "
            "AND revoked_at IS NOT NULL ORDER BY revoked_at, id",
            [&](Statement& s) { s.into(row.serial_hex).into(at).into(row.reason).use(issuing_ca); },
            [&] {
              row.revoked_at = core::fromUnixSeconds(at);
              result.push_back(row);
            });
        return result;
      });
}

core::Result<std::int64_t> CertificateStore::nextCrlNumber(const std::string& issuing_ca) {
  return inTransaction(
      database_, TransactionMode::write, [&](soci::session& sql) -> core::Result<std::int64_t> {
        // Both SQLite (≥ 3.24) and PostgreSQL speak this upsert; the write transaction makes the
        // read of the new value see our own increment only.
        changeRows(
            sql,
            "INSERT INTO crl_numbers (issuing_ca, last_number) VALUES (:ca, 1) "
            "ON CONFLICT (issuing_ca) DO UPDATE SET last_number = crl_numbers.last_number + 1",
            [&](Statement& s) { s.use(issuing_ca); });
        long long number = 0;
        Statement select(sql);
        select.into(number).use(issuing_ca);
        select.execute("SELECT last_number FROM crl_numbers WHERE issuing_ca = :ca");
        return std::int64_t{number};
      });
}

core::Result<void> CertificateStore::recordCrl(const PublishedCrl& crl) {
  return withSession(
      database_,
      [&](soci::session& sql) -> core::Result<void> {
        const long long number = crl.number;
        const long long this_update = core::toUnixSeconds(crl.this_update);
        const long long next_update = core::toUnixSeconds(crl.next_update);
        const long long revoked_count = crl.revoked_count;
        changeRows(sql,
                   "INSERT INTO published_crls (issuing_ca, crl_number, pem, this_update, "
                   "next_update, revoked_count) VALUES (:ca, :n, :pem, :this, :next, :count)",
                   [&](Statement& s) {
                     s.use(crl.issuing_ca)
                         .use(number)
                         .use(crl.pem)
                         .use(this_update)
                         .use(next_update)
                         .use(revoked_count);
                   });
        return {};
      },
      {.duplicate = "crl.number_taken"});
}

core::Result<std::optional<PublishedCrl>> CertificateStore::latestCrl(
    const std::string& issuing_ca) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<PublishedCrl>> {
        PublishedCrl crl{.issuing_ca = issuing_ca};
        long long number = 0, this_update = 0, next_update = 0, revoked_count = 0;
        Statement select(sql);
        select.into(number)
            .into(crl.pem)
            .into(this_update)
            .into(next_update)
            .into(revoked_count)
            .use(issuing_ca);
        if (!select.execute("SELECT crl_number, pem, this_update, next_update, revoked_count "
                            "FROM published_crls WHERE issuing_ca = :ca "
                            "ORDER BY crl_number DESC LIMIT 1"))
          return std::nullopt;
        crl.number = number;
        crl.revoked_count = revoked_count;
        crl.this_update = core::fromUnixSeconds(this_update);
        crl.next_update = core::fromUnixSeconds(next_update);
        return crl;
      });
}

core::Result<std::int64_t> CertificateStore::revokedCount(const std::string& issuing_ca) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::int64_t> {
    long long count = 0;
    Statement select(sql);
    select.into(count).use(issuing_ca);
    // certificates_revoked (issuing_ca, revoked_at) answers this from the index.
    select.execute(
        "SELECT COUNT(*) FROM certificates WHERE issuing_ca = :ca AND revoked_at IS NOT NULL");
    return std::int64_t{count};
  });
}

}  // namespace storage
