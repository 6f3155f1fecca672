#include "storage/certificate_store.hpp"

#include "core/time_format.hpp"
#include "storage/audit_log.hpp"
#include "storage/audited_change.hpp"
#include "storage/session_repository.hpp"
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

constexpr StoredNames<IssuanceState, 5> kStates{{
    {IssuanceState::reserved, "reserved"},
    {IssuanceState::checked, "checked"},
    {IssuanceState::signed_, "signed"},
    {IssuanceState::stored, "stored"},
    {IssuanceState::failed, "failed"},
}};

std::string stateName(IssuanceState state) {
  return std::string(nameOf(kStates, state, "failed"));
}

IssuanceState parseState(const std::string& text) {
  return valueNamed(kStates, text, IssuanceState::failed);
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

core::Error conflict(std::string message) {
  return core::makeError(core::ErrorKind::conflict, std::move(message));
}

/// The audit note of a change of `object`, in the context of its organisation (if it has one).
AuditNote noteInOrganisation(std::string action, std::string object, boost::json::object details,
                             const std::optional<core::OrganisationId>& organisation) {
  return {std::move(action), std::move(object), std::move(details),
          organisation ? audit::objectName("organisation", *organisation) : std::string()};
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
  core::CertificateId id = 0;
  Statement insert(sql);
  insert.use(issuance)
      .use(kind)
      .use(c.product)
      .use(c.organisation)
      .use(c.holder)
      .use(c.card)
      .use(c.common_name)
      .use(name_lower)
      .use(dns)
      .use(c.subject_dn)
      .use(c.issuer_dn)
      .use(c.issuing_ca)
      .use(c.serial_hex)
      .use(c.not_before)
      .use(c.not_after)
      .use(c.key_description)
      .use(c.sha256_fingerprint)
      .use(policies)
      .use(c.manager)
      .use(c.requested_by)
      .use(c.pem)
      .use(c.issued_at)
      .into(id);
  insert.execute(insertInto("certificates", kCertificateColumns) + " RETURNING id");
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
  return insertIssuance(issuing_ca, serial_hex, product, request, IssuanceState::reserved, "",
                        order);
}

core::Result<IssuanceId> CertificateStore::reserveChecked(
    const std::string& issuing_ca, const std::string& serial_hex, const std::string& product,
    const std::string& request, const std::string& tbs_sha256, std::optional<std::int64_t> order) {
  return insertIssuance(issuing_ca, serial_hex, product, request, IssuanceState::checked,
                        tbs_sha256, order);
}

core::Result<IssuanceId> CertificateStore::insertIssuance(
    const std::string& issuing_ca, const std::string& serial_hex, const std::string& product,
    const std::string& request, IssuanceState state, const std::string& tbs_sha256,
    std::optional<std::int64_t> order) {
  const core::TimePoint now = clock_.now();
  const std::string state_name = stateName(state);
  return withSession(
      database_,
      [&](soci::session& sql) -> core::Result<IssuanceId> {
        // Also enforced by the unique index issuances_one_per_order; asking first gives the
        // precise answer instead of a serial collision.
        if (order && exists(sql,
                            "SELECT COUNT(*) FROM issuances WHERE order_id = :o AND "
                            "state <> 'failed'",
                            *order))
          return conflict("certificate.order_in_issuance");
        IssuanceId id = 0;
        Statement insert(sql);
        insert.use(issuing_ca)
            .use(serial_hex)
            .use(product)
            .use(state_name)
            .use(request)
            .use(tbs_sha256)
            .use(order)
            .use(now)
            .use(now);
        insert.into(id);
        insert.execute(
            "INSERT INTO issuances (issuing_ca, serial_hex, product, state, request, tbs_sha256, "
            "order_id, created_at, updated_at) VALUES (:ca, :serial, :product, :state, :request, "
            ":tbs, :order, :created, :updated) RETURNING id");
        return id;
      },
      ViolationMessages{.duplicate = "certificate.serial_taken"});
}

core::Result<std::optional<core::CardId>> CertificateStore::cardOfOrder(std::int64_t order) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<core::CardId>> {
        return selectValue<core::CardId>(sql, "SELECT id FROM cards WHERE order_id = :o", order);
      });
}

core::Result<std::vector<std::string>> CertificateStore::productsOfCard(core::CardId card) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<std::string>> {
    return selectColumn<std::string>(
        sql, "SELECT product FROM certificates WHERE card_id = :c ORDER BY id", card);
  });
}

core::Result<std::optional<core::CertificateId>> CertificateStore::certificateForOrder(
    std::int64_t order) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<core::CertificateId>> {
        return selectValue<core::CertificateId>(
            sql,
            // "state <> 'failed'" lets both databases use the partial index of the order's one
            // issuance under way or done (migration 0005).
            "SELECT c.id FROM issuances i JOIN certificates c ON c.issuance_id = i.id "
            "WHERE i.order_id = :o AND i.state <> 'failed' AND i.state = 'stored'",
            order);
      });
}

core::Result<void> CertificateStore::moveIssuance(IssuanceId issuance,
                                                  const std::string& from_states, IssuanceState to,
                                                  const std::string& column,
                                                  const std::string& value) {
  const core::TimePoint now = clock_.now();
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
  const core::TimePoint now = clock_.now();
  return auditedChange(
      database_, now, actor,
      [&](soci::session& sql) -> core::Result<Audited<core::CertificateId>> {
        const std::string stored = stateName(IssuanceState::stored);
        if (changeRows(sql,
                       "UPDATE issuances SET state = :state, updated_at = :now WHERE id = :id "
                       "AND state IN ('checked', 'signed')",
                       [&](Statement& s) { s.use(stored).use(now).use(issuance); }) != 1) {
          return conflict("certificate.issuance_state");
        }
        const core::CertificateId id = insertCertificate(sql, issuance, certificate);
        boost::json::object details{{"issuing_ca", certificate.issuing_ca},
                                    {"serial", certificate.serial_hex},
                                    {"product", certificate.product},
                                    {"common_name", certificate.common_name},
                                    {"not_after", core::toIso8601(certificate.not_after)}};
        return Audited<core::CertificateId>{
            id, noteInOrganisation("certificate.issue", audit::objectName("certificate", id),
                                   std::move(details), certificate.organisation)};
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
                  .into(row.created_at);
            },
            [&] {
              row.state = parseState(state);
              result.push_back(row);
            });
        return result;
      });
}

core::Result<core::CardId> CertificateStore::createCard(const core::Card& card,
                                                        const audit::Actor& actor,
                                                        std::optional<std::int64_t> order) {
  const core::TimePoint now = clock_.now();
  return auditedChange(
      database_, now, actor,
      [&](soci::session& sql) -> core::Result<Audited<core::CardId>> {
        const std::string type(core::toString(card.type));
        core::CardId id = 0;
        Statement insert(sql);
        insert.use(type)
            .use(card.organisation)
            .use(card.holder)
            .use(card.group_name)
            .use(card.manager)
            .use(card.requested_by)
            .use(now)
            .use(order)
            .into(id);
        insert.execute(
            "INSERT INTO cards (type, organisation_id, holder_id, group_name, manager_id, "
            "requested_by, created_at, order_id) VALUES (" +
            placeholders(8) + ") RETURNING id");
        return Audited<core::CardId>{
            id, noteInOrganisation("card.create", audit::objectName("card", id),
                                   {{"type", type}, {"group_name", card.group_name}},
                                   card.organisation)};
      },
      ViolationMessages{.duplicate = "card.order_produced", .missing = "card.unknown_owner"});
}

core::Result<void> CertificateStore::revoke(core::CertificateId certificate, core::TimePoint at,
                                            const std::string& reason, const audit::Actor& actor) {
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<AuditNote> {
        std::optional<core::OrganisationId> organisation;
        std::optional<core::TimePoint> revoked_at;
        std::string serial, issuing_ca, kind, fingerprint;
        Statement select(sql);
        select.into(organisation)
            .into(revoked_at)
            .into(serial)
            .into(issuing_ca)
            .into(kind)
            .into(fingerprint)
            .use(certificate);
        if (!select.execute("SELECT organisation_id, revoked_at, serial_hex, issuing_ca, kind, "
                            "sha256_fingerprint FROM certificates WHERE id = :id")) {
          return core::makeError(core::ErrorKind::not_found, "certificate.not_found");
        }
        if (revoked_at) return conflict("certificate.already_revoked");
        changeRows(sql,
                   "UPDATE certificates SET revoked_at = :at, revocation_reason = :reason "
                   "WHERE id = :id",
                   [&](Statement& s) { s.use(at).use(reason).use(certificate); });
        boost::json::object details{{"issuing_ca", issuing_ca},
                                    {"serial", serial},
                                    {"reason", reason},
                                    {"revoked_at", core::toIso8601(at)}};
        // A mobile certificate's sessions stand on their cookie alone: they end with it, marked
        // like a logout (ADR 0015), in this transaction.
        if (kind == "mobile") {
          const std::string session_fingerprint = std::string(kMobileSessionPrefix) + fingerprint;
          details["sessions_ended"] =
              changeRows(sql,
                         "UPDATE sessions SET ended_at = :at WHERE certificate_fingerprint = :f "
                         "AND ended_at IS NULL",
                         [&](Statement& s) { s.use(at).use(session_fingerprint); });
        }
        return noteInOrganisation("certificate.revoke",
                                  audit::objectName("certificate", certificate), std::move(details),
                                  organisation);
      });
}

core::Result<std::vector<RevokedSerial>> CertificateStore::revokedSerials(
    const std::string& issuing_ca) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<RevokedSerial>> {
        std::vector<RevokedSerial> result;
        RevokedSerial row;
        forEachRow(
            sql,
            "SELECT serial_hex, revoked_at, revocation_reason FROM certificates WHERE issuing_ca = "
            ":ca AND revoked_at IS NOT NULL ORDER BY revoked_at, id",
            [&](Statement& s) {
              s.into(row.serial_hex).into(row.revoked_at).into(row.reason).use(issuing_ca);
            },
            [&] { result.push_back(row); });
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
        return selectValue<std::int64_t>(
                   sql, "SELECT last_number FROM crl_numbers WHERE issuing_ca = :ca", issuing_ca)
            .value_or(0);
      });
}

core::Result<void> CertificateStore::recordCrl(const PublishedCrl& crl) {
  return withSession(
      database_,
      [&](soci::session& sql) -> core::Result<void> {
        changeRows(sql,
                   "INSERT INTO published_crls (issuing_ca, crl_number, pem, this_update, "
                   "next_update, revoked_count) VALUES (:ca, :n, :pem, :this, :next, :count)",
                   [&](Statement& s) {
                     s.use(crl.issuing_ca)
                         .use(crl.number)
                         .use(crl.pem)
                         .use(crl.this_update)
                         .use(crl.next_update)
                         .use(crl.revoked_count);
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
        Statement select(sql);
        select.into(crl.number)
            .into(crl.pem)
            .into(crl.this_update)
            .into(crl.next_update)
            .into(crl.revoked_count)
            .use(issuing_ca);
        if (!select.execute("SELECT crl_number, pem, this_update, next_update, revoked_count "
                            "FROM published_crls WHERE issuing_ca = :ca "
                            "ORDER BY crl_number DESC LIMIT 1"))
          return std::nullopt;
        return crl;
      });
}

core::Result<std::int64_t> CertificateStore::revokedCount(const std::string& issuing_ca) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::int64_t> {
    // certificates_revoked (issuing_ca, revoked_at) answers this from the index.
    return selectValue<std::int64_t>(sql,
                                     "SELECT COUNT(*) FROM certificates WHERE issuing_ca = :ca AND "
                                     "revoked_at IS NOT NULL",
                                     issuing_ca)
        .value_or(0);
  });
}

}  // namespace storage
