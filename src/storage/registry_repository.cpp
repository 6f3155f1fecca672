#include "storage/registry_repository.hpp"

#include "storage/audited_change.hpp"
#include "storage/session_repository.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cctype>

namespace storage {

namespace {

/// Most rows a search returns at once.
constexpr int kMaxSearchRows = 1000;

/// Binds the four columns of an address (street, postal code, city, country).
template <class Exchange>
void exchangeAddress(Exchange& x, core::Address& address) {
  x(address.street);
  x(address.postal_code);
  x(address.city);
  x(address.country);
}

/// Binds the eight columns of billing details (address, attention of, e-mail, PO, VAT).
template <class Exchange>
void exchangeBilling(Exchange& x, core::BillingDetails& billing) {
  exchangeAddress(x, billing.address);
  x(billing.attention_of);
  x(billing.email);
  x(billing.purchase_order_reference);
  x(billing.vat_number);
}

// Row types: `table`, its `key` column, the audit object `kind` of a row, and the other
// `columns`, which exchange() binds in that order (Statement::intoColumns, ::useColumns).
// fromValue() and toValue() convert the columns that are not stored as they are.

/// One organisations row (without created_at).
struct OrganisationRow {
  static constexpr std::string_view table = "organisations";
  static constexpr std::string_view key = "id";
  static constexpr std::string_view kind = "organisation";
  static constexpr std::string_view columns =
      "name, kvk, oin, "
      "visiting_street, visiting_postal_code, visiting_city, visiting_country, "
      "postal_street, postal_postal_code, postal_city, postal_country, "
      "billing_street, billing_postal_code, billing_city, billing_country, "
      "billing_attention_of, billing_email, billing_purchase_order_reference, billing_vat_number, "
      "portal_enabled";

  core::Organisation value;
  std::optional<std::string> oin;  // an unknown OIN is NULL, so it is never "taken"

  /// The key column's value.
  std::int64_t& keyValue() { return value.id; }
  /// Applies `x` to each column in `columns` order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value.name);
    x(value.kvk);
    x(oin);
    exchangeAddress(x, value.visiting_address);
    exchangeAddress(x, value.postal_address);
    exchangeBilling(x, value.billing);
    x(value.portal_enabled);
  }
  /// Fills the column values from `value` (before a write).
  void fromValue() { oin = value.oin.empty() ? std::nullopt : std::optional(value.oin); }
  /// Fills `value` from the column values (after a read).
  void toValue() { value.oin = oin.value_or(""); }
};

/// One persons row (without created_at).
struct PersonRow {
  static constexpr std::string_view table = "persons";
  static constexpr std::string_view key = "id";
  static constexpr std::string_view kind = "person";
  static constexpr std::string_view columns =
      "given_name, surname, email, phone, portal_access, servicedesk, professional, profession";

  core::Person value;

  /// The key column's value.
  std::int64_t& keyValue() { return value.id; }
  /// Applies `x` to each column in `columns` order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value.given_name);
    x(value.surname);
    x(value.email);
    x(value.phone);
    x(value.portal_access);
    x(value.servicedesk);
    x(value.professional);
    x(value.profession);
  }
  /// Every column is stored as it is.
  void fromValue() {}
  /// Every column is stored as it is.
  void toValue() {}
};

/// One professional_details row; its key is the person's id.
struct ProfessionalDetailsRow {
  static constexpr std::string_view table = "professional_details";
  static constexpr std::string_view key = "person_id";
  static constexpr std::string_view kind = "person";
  static constexpr std::string_view columns =
      "registration_number, street, postal_code, city, country, "
      "billing_street, billing_postal_code, billing_city, billing_country, "
      "billing_attention_of, billing_email, billing_purchase_order_reference, billing_vat_number";

  core::ProfessionalDetails value;

  /// The key column's value.
  std::int64_t& keyValue() { return value.person; }
  /// Applies `x` to each column in `columns` order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value.registration_number);
    exchangeAddress(x, value.address);
    exchangeBilling(x, value.billing);
  }
  /// Every column is stored as it is.
  void fromValue() {}
  /// Every column is stored as it is.
  void toValue() {}
};

/// "key, columns" of a row type; `qualifier` ("persons.") tells the key apart in a join, where
/// only the key's name is shared with the other table.
template <class Row>
std::string selectList(std::string_view qualifier = "") {
  return std::string(qualifier) + std::string(Row::key) + ", " + std::string(Row::columns);
}

/// Binds the key and the columns of `row` as the targets of `select`, in selectList() order.
template <class Row>
void intoRow(Statement& select, Row& row) {
  select.into(row.keyValue()).intoColumns(row);
}

/// Inserts `row` with `created_at` into a table with a generated id and returns the new id.
template <class Row>
std::int64_t insertRow(soci::session& sql, Row& row, core::TimePoint created_at) {
  row.fromValue();
  std::int64_t id = 0;
  Statement insert(sql);
  insert.useColumns(row).use(created_at).into(id);
  insert.execute(insertInto(Row::table, std::string(Row::columns) + ", created_at") +
                 " RETURNING id");
  return id;
}

/// Inserts `row` under the key it carries (a table whose key is not generated).
template <class Row>
void insertKeyedRow(soci::session& sql, Row& row) {
  row.fromValue();
  changeRows(sql, insertInto(Row::table, selectList<Row>()),
             [&](Statement& insert) { insert.use(row.keyValue()).useColumns(row); });
}

/// Writes every column of `row` to the stored row with the same key.
template <class Row>
void updateRow(soci::session& sql, Row& row) {
  row.fromValue();
  changeRows(sql,
             "UPDATE " + std::string(Row::table) + " SET " + assignments(Row::columns) + " WHERE " +
                 std::string(Row::key) + " = :key",
             [&](Statement& update) { update.useColumns(row).use(row.keyValue()); });
}

/// Reads "SELECT key, <columns> <from_where>" with `keys` as parameters; nullopt if no row.
template <class Row, class... Keys>
std::optional<decltype(Row::value)> selectOne(soci::session& sql, const std::string& from_where,
                                              const Keys&... keys) {
  Row row;
  Statement select(sql);
  intoRow(select, row);
  (select.use(keys), ...);
  if (!select.execute("SELECT " + selectList<Row>() + " " + from_where)) return std::nullopt;
  row.toValue();
  return row.value;
}

/// Reads every row of "SELECT key, <columns> <from_where>" with `keys` as parameters.
template <class Row, class... Keys>
std::vector<decltype(Row::value)> selectAll(soci::session& sql, const std::string& from_where,
                                            const Keys&... keys) {
  std::vector<decltype(Row::value)> values;
  Row row;
  forEachRow(
      sql, "SELECT " + selectList<Row>() + " " + from_where,
      [&](Statement& select) {
        intoRow(select, row);
        (select.use(keys), ...);
      },
      [&] {
        row.toValue();
        values.push_back(row.value);
      });
  return values;
}

bool personExists(soci::session& sql, core::PersonId person) {
  return exists(sql, "SELECT COUNT(*) FROM persons WHERE id = :id", person);
}

bool organisationExists(soci::session& sql, core::OrganisationId organisation) {
  return exists(sql, "SELECT COUNT(*) FROM organisations WHERE id = :id", organisation);
}

/// The person's active roles with their organisations, in organisation name order. A proposed
/// certificate manager is not a member yet.
std::vector<core::Membership> memberships(soci::session& sql, core::PersonId person) {
  std::vector<core::Membership> result;
  core::Membership membership;
  std::string role;
  forEachRow(
      sql,
      "SELECT r.organisation_id, o.name, o.portal_enabled, r.role FROM roles r "
      "JOIN organisations o ON o.id = r.organisation_id WHERE r.person_id = :person "
      "AND r.active = 1 ORDER BY o.name, o.id, r.role",
      [&](Statement& s) {
        s.into(membership.organisation_id)
            .into(membership.organisation_name)
            .into(membership.organisation_portal_enabled)
            .into(role)
            .use(person);
      },
      [&] {
        // The CHECK constraint allows only known roles; an unknown one grants nothing.
        const auto parsed = core::parseRole(role);
        if (!parsed) return;
        membership.role = *parsed;
        result.push_back(membership);
      });
  return result;
}

/// The person selected by `from_where` with their memberships; nullopt if none.
template <class... Keys>
std::optional<core::Principal> selectPrincipal(soci::session& sql, const std::string& from_where,
                                               const Keys&... keys) {
  auto person = selectOne<PersonRow>(sql, from_where, keys...);
  if (!person) return std::nullopt;
  auto roles = memberships(sql, person->id);
  return core::Principal{std::move(*person), std::move(roles)};
}

/// A LIKE pattern (with ESCAPE '\') matching text that contains `text`.
std::string containsPattern(const std::string& text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

/// The stored form of a domain name: DNS names compare case-insensitively, and one stored form
/// keeps the UNIQUE constraint honest.
std::string normalisedDomain(const std::string& domain) {
  std::string name = domain;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return name;
}

/// {"before": …, "after": …} of one changed field.
boost::json::object beforeAfter(boost::json::value before, boost::json::value after) {
  return {{"before", std::move(before)}, {"after", std::move(after)}};
}

/// A column's value in audit details: text as it is, "" for a NULL text, a flag as 0 or 1.
boost::json::value auditValue(const std::string& text) {
  return boost::json::value(text);
}
boost::json::value auditValue(const std::optional<std::string>& text) {
  return boost::json::value(text.value_or(""));
}
boost::json::value auditValue(bool flag) {
  return boost::json::value(flag ? 1 : 0);
}

/// The columns of `row` by name, as stored.
template <class Row>
boost::json::object columnValues(Row row) {
  row.fromValue();
  const auto names = columnNames(Row::columns);
  boost::json::object values;
  std::size_t column = 0;
  row.exchange([&](const auto& value) { values[names[column++]] = auditValue(value); });
  return values;
}

/// Before and after of each column whose value differs, by column name.
template <class Row>
boost::json::object changedColumns(const Row& before, const Row& after) {
  const auto old_values = columnValues(before);
  boost::json::object changes;
  for (const auto& [name, value] : columnValues(after))
    if (old_values.at(name) != value) changes[name] = beforeAfter(old_values.at(name), value);
  return changes;
}

/// Writes `row` over the stored row with its key, after `keep(stored, row.value)` restored what
/// this change must not touch. The note lists the changed columns (an empty note if none, and
/// then nothing is written); nullopt if there is no stored row.
template <class Row, class Keep>
std::optional<AuditNote> overwriteRow(soci::session& sql, Row row, std::string action,
                                      Keep&& keep) {
  const auto stored = selectOne<Row>(
      sql, "FROM " + std::string(Row::table) + " WHERE " + std::string(Row::key) + " = :key",
      row.keyValue());
  if (!stored) return std::nullopt;
  keep(*stored, row.value);
  auto changes = changedColumns(Row{*stored}, row);
  if (changes.empty()) return AuditNote{};
  updateRow(sql, row);
  return AuditNote{std::move(action), audit::objectName(Row::kind, row.keyValue()),
                   std::move(changes)};
}

/// Sets the 0/1 column `flag` of the `table` row with this id; nullopt if there is no such row,
/// else whether the value changed. `table` and `flag` are names from this file, never input.
std::optional<bool> setFlag(soci::session& sql, std::string_view table, std::string_view flag,
                            std::int64_t id, bool value) {
  const std::string where = " WHERE id = :id";
  const auto current = selectValue<bool>(
      sql, "SELECT " + std::string(flag) + " FROM " + std::string(table) + where, id);
  if (!current) return std::nullopt;
  if (*current == value) return false;
  changeRows(sql, "UPDATE " + std::string(table) + " SET " + std::string(flag) + " = :v" + where,
             [&](Statement& s) { s.use(value).use(id); });
  return true;
}

core::Error conflict(std::string message) {
  return core::makeError(core::ErrorKind::conflict, std::move(message));
}

core::Error notFound(std::string message) {
  return core::makeError(core::ErrorKind::not_found, std::move(message));
}

/// The conflict if an organisation other than `except` has this KvK number or OIN. Checked first
/// for a precise message; the UNIQUE constraints still decide under races.
std::optional<core::Error> identifierTaken(soci::session& sql,
                                           const core::Organisation& organisation,
                                           core::OrganisationId except) {
  if (exists(sql, "SELECT COUNT(*) FROM organisations WHERE kvk = :kvk AND id <> :id",
             organisation.kvk, except))
    return conflict("organisation.kvk_taken");
  if (!organisation.oin.empty() &&
      exists(sql, "SELECT COUNT(*) FROM organisations WHERE oin = :oin AND id <> :id",
             organisation.oin, except))
    return conflict("organisation.oin_taken");
  return std::nullopt;
}

/// The note of a role change: about the person, in the organisation's context.
AuditNote roleNote(std::string action, core::PersonId person, core::OrganisationId organisation,
                   boost::json::object details) {
  return {std::move(action), audit::objectName("person", person), std::move(details),
          audit::objectName("organisation", organisation)};
}

}  // namespace

Audited<core::PersonId> insertPerson(soci::session& sql, const core::Person& person,
                                     core::TimePoint created_at) {
  PersonRow row{person};
  const auto id = insertRow(sql, row, created_at);
  return {id,
          {"person.create",
           audit::objectName("person", id),
           {{"given_name", person.given_name},
            {"surname", person.surname},
            {"email", person.email},
            {"portal_access", person.portal_access},
            {"servicedesk", person.servicedesk},
            {"professional", person.professional},
            {"profession", person.profession}}}};
}

core::Result<core::OrganisationId> RegistryRepository::createOrganisation(
    const core::Organisation& organisation, const audit::Actor& actor) {
  const auto now = clock_.now();
  return auditedChange(database_, now, actor,
                       [&](soci::session& sql) -> core::Result<Audited<core::OrganisationId>> {
                         // Ids are positive, so 0 excludes nobody.
                         if (auto taken = identifierTaken(sql, organisation, 0)) return *taken;
                         OrganisationRow row{organisation};
                         const auto id = insertRow(sql, row, now);
                         return Audited<core::OrganisationId>{
                             id,
                             {"organisation.create",
                              audit::objectName("organisation", id),
                              {{"name", organisation.name},
                               {"kvk", organisation.kvk},
                               {"oin", organisation.oin},
                               {"portal_enabled", organisation.portal_enabled}}}};
                       },
                       {.duplicate = "organisation.exists"});
}

core::Result<core::PersonId> RegistryRepository::createPerson(const core::Person& person,
                                                              const audit::Actor& actor) {
  const auto now = clock_.now();
  return auditedChange(database_, now, actor,
                       [&](soci::session& sql) -> core::Result<Audited<core::PersonId>> {
                         return insertPerson(sql, person, now);
                       });
}

core::Result<void> RegistryRepository::addRole(core::PersonId person,
                                               core::OrganisationId organisation, core::Role role,
                                               const audit::Actor& actor, bool active) {
  const auto now = clock_.now();
  return auditedChange(
      database_, now, actor,
      [&](soci::session& sql) -> core::Result<AuditNote> {
        if (!personExists(sql, person)) return notFound("person.not_found");
        if (!organisationExists(sql, organisation)) return notFound("organisation.not_found");
        const std::string name(core::toString(role));
        if (exists(sql,
                   "SELECT COUNT(*) FROM roles WHERE person_id = :p AND organisation_id = :o "
                   "AND role = :r",
                   person, organisation, name))
          return conflict("role.exists");
        sql << "INSERT INTO roles (person_id, organisation_id, role, active, created_at) "
               "VALUES (:p, :o, :r, :a, :t)",
            soci::use(person), soci::use(organisation), soci::use(name), soci::use(active),
            soci::use(now);
        return roleNote("role.add", person, organisation,
                        {{"organisation_id", organisation}, {"role", name}, {"active", active}});
      },
      {.duplicate = "role.exists", .missing = "person.not_found"});
}

core::Result<void> RegistryRepository::activateRole(core::PersonId person,
                                                    core::OrganisationId organisation,
                                                    core::Role role, const audit::Actor& actor) {
  const std::string name(core::toString(role));
  const auto active =
      inTransaction(database_, TransactionMode::read,
                    [&](soci::session& sql) -> core::Result<std::optional<bool>> {
                      return selectValue<bool>(sql,
                                               "SELECT active FROM roles WHERE person_id = :p AND "
                                               "organisation_id = :o AND role = :r",
                                               person, organisation, name);
                    });
  if (!active) return active.error();
  if (!*active) return notFound("role.not_found");
  if (**active) return {};
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<AuditNote> {
        if (changeRows(sql,
                       "UPDATE roles SET active = 1 WHERE person_id = :p AND organisation_id = :o "
                       "AND role = :r AND active = 0",
                       [&](Statement& s) { s.use(person).use(organisation).use(name); }) == 0)
          return conflict("role.already_active");
        return roleNote("role.activate", person, organisation,
                        {{"organisation_id", organisation}, {"role", name}});
      });
}

core::Result<void> RegistryRepository::removeRole(core::PersonId person,
                                                  core::OrganisationId organisation,
                                                  core::Role role, const audit::Actor& actor) {
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<AuditNote> {
        const std::string name(core::toString(role));
        if (changeRows(sql,
                       "DELETE FROM roles WHERE person_id = :p AND organisation_id = :o "
                       "AND role = :r",
                       [&](Statement& s) { s.use(person).use(organisation).use(name); }) == 0)
          return notFound("role.not_found");
        return roleNote("role.remove", person, organisation,
                        {{"organisation_id", organisation}, {"role", name}});
      });
}

core::Result<void> RegistryRepository::addCertificateIdentity(
    core::PersonId person, const core::CertificateIdentity& identity, const audit::Actor& actor) {
  const auto now = clock_.now();
  return auditedChange(
      database_, now, actor,
      [&](soci::session& sql) -> core::Result<AuditNote> {
        if (!personExists(sql, person)) return notFound("person.not_found");
        if (exists(sql,
                   "SELECT COUNT(*) FROM certificate_identities WHERE issuer_dn = :i "
                   "AND subject_serial = :s",
                   identity.issuer_dn, identity.subject_serial))
          return conflict("certificate_identity.taken");
        sql << "INSERT INTO certificate_identities (person_id, issuer_dn, subject_serial, "
               "created_at) VALUES (:p, :i, :s, :t)",
            soci::use(person), soci::use(identity.issuer_dn), soci::use(identity.subject_serial),
            soci::use(now);
        return AuditNote{
            "certificate_identity.add",
            audit::objectName("person", person),
            {{"issuer_dn", identity.issuer_dn}, {"subject_serial", identity.subject_serial}}};
      },
      {.duplicate = "certificate_identity.taken", .missing = "person.not_found"});
}

core::Result<void> RegistryRepository::removeCertificateIdentity(
    core::PersonId person, const core::CertificateIdentity& identity, const audit::Actor& actor) {
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<AuditNote> {
        // Logins with a client certificate look the identity up on every request, so no such
        // session outlives it.
        if (changeRows(sql,
                       "DELETE FROM certificate_identities WHERE person_id = :p "
                       "AND issuer_dn = :i AND subject_serial = :s",
                       [&](Statement& s) {
                         s.use(person).use(identity.issuer_dn).use(identity.subject_serial);
                       }) == 0)
          return notFound("certificate_identity.not_found");
        // A mobile session stands on its cookie alone: it ends here with the identity of its
        // certificate, the person's mobile certificates of that issuer (a holder keeps one
        // number per CA, so these carry the removed serialNumber).
        const auto at = clock_.now();
        const int ended = changeRows(
            sql,
            "UPDATE sessions SET ended_at = :at WHERE person_id = :p AND ended_at IS NULL AND "
            "certificate_fingerprint IN (SELECT '" +
                std::string(kMobileSessionPrefix) +
                "' || sha256_fingerprint FROM certificates WHERE kind = 'mobile' AND "
                "holder_id = :h AND issuer_dn = :i)",
            [&](Statement& s) { s.use(at).use(person).use(person).use(identity.issuer_dn); });
        return AuditNote{"certificate_identity.remove",
                         audit::objectName("person", person),
                         {{"issuer_dn", identity.issuer_dn},
                          {"subject_serial", identity.subject_serial},
                          {"sessions_ended", ended}}};
      });
}

core::Result<void> RegistryRepository::addValidatedDomain(core::OrganisationId organisation,
                                                          const std::string& domain,
                                                          const audit::Actor& actor,
                                                          std::string_view method) {
  const std::string name = normalisedDomain(domain);
  if (name.empty()) return core::makeError(core::ErrorKind::invalid, "domain.invalid");
  const auto now = clock_.now();
  const std::string how(method);
  return auditedChange(
      database_, now, actor,
      [&](soci::session& sql) -> core::Result<AuditNote> {
        if (!organisationExists(sql, organisation)) return notFound("organisation.not_found");
        boost::json::object details{{"domain", name}, {"method", how}};
        // ADR 0025: a validation expires; validating a known domain again starts it afresh.
        if (changeRows(sql,
                       "UPDATE validated_domains SET validated_at = :t, method = :m, "
                       "validated_by = :b WHERE organisation_id = :o AND domain = :d",
                       [&](Statement& s) {
                         s.use(now).use(how).use(actor.id).use(organisation).use(name);
                       }) == 1)
          return AuditNote{"domain.revalidate", audit::objectName("organisation", organisation),
                           std::move(details)};
        sql << "INSERT INTO validated_domains (organisation_id, domain, validated_at, method, "
               "validated_by) VALUES (:o, :d, :t, :m, :b)",
            soci::use(organisation), soci::use(name), soci::use(now), soci::use(how),
            soci::use(actor.id);
        return AuditNote{"domain.add", audit::objectName("organisation", organisation),
                         std::move(details)};
      },
      {.duplicate = "domain.exists", .missing = "organisation.not_found"});
}

core::Result<void> RegistryRepository::removeValidatedDomain(core::OrganisationId organisation,
                                                             const std::string& domain,
                                                             const audit::Actor& actor) {
  const std::string name = normalisedDomain(domain);
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<AuditNote> {
        if (changeRows(sql,
                       "DELETE FROM validated_domains WHERE organisation_id = :o AND domain = :d",
                       [&](Statement& s) { s.use(organisation).use(name); }) == 0)
          return notFound("domain.not_found");
        return AuditNote{
            "domain.remove", audit::objectName("organisation", organisation), {{"domain", name}}};
      });
}

core::Result<void> RegistryRepository::updateOrganisation(const core::Organisation& organisation,
                                                          const audit::Actor& actor) {
  return auditedChange(database_, clock_.now(), actor,
                       [&](soci::session& sql) -> core::Result<AuditNote> {
                         // Unknown before taken: the KvK number of an organisation that is not
                         // there is no conflict.
                         if (!organisationExists(sql, organisation.id))
                           return notFound("organisation.not_found");
                         if (auto taken = identifierTaken(sql, organisation, organisation.id))
                           return *taken;
                         auto note = overwriteRow(
                             sql, OrganisationRow{organisation}, "organisation.update",
                             [](const core::Organisation& stored, core::Organisation& changed) {
                               changed.portal_enabled = stored.portal_enabled;
                             });
                         // Found above; checked again rather than trusted, as a missing row is
                         // never dereferenced.
                         if (!note) return notFound("organisation.not_found");
                         return std::move(*note);
                       },
                       {.duplicate = "organisation.exists"});
}

core::Result<void> RegistryRepository::setPortalEnabled(core::OrganisationId organisation,
                                                        bool enabled, const audit::Actor& actor) {
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<AuditNote> {
        const auto changed = setFlag(sql, "organisations", "portal_enabled", organisation, enabled);
        if (!changed) return notFound("organisation.not_found");
        if (!*changed) return AuditNote{};
        return AuditNote{enabled ? "organisation.portal_enable" : "organisation.portal_disable",
                         audit::objectName("organisation", organisation),
                         {{"portal_enabled", beforeAfter(!enabled, enabled)}}};
      });
}

core::Result<void> RegistryRepository::updatePerson(const core::Person& person,
                                                    const audit::Actor& actor) {
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<AuditNote> {
        auto note = overwriteRow(sql, PersonRow{person}, "person.update",
                                 [](const core::Person& stored, core::Person& changed) {
                                   changed.portal_access = stored.portal_access;
                                   changed.servicedesk = stored.servicedesk;
                                   changed.professional = stored.professional;
                                 });
        if (!note) return notFound("person.not_found");
        return std::move(*note);
      });
}

core::Result<int> RegistryRepository::setPortalAccess(core::PersonId person, bool granted,
                                                      const audit::Actor& actor) {
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<Audited<int>> {
        const auto changed = setFlag(sql, "persons", "portal_access", person, granted);
        if (!changed) return notFound("person.not_found");
        // Every withdrawal ends the stored sessions, a repeated one too: afterwards none may be
        // left. They are marked, not deleted, so that their still validly signed cookies stay
        // ended if access is granted again (ADR 0015).
        const auto at = clock_.now();
        const int ended = granted ? 0
                                  : changeRows(sql,
                                               "UPDATE sessions SET ended_at = :at "
                                               "WHERE person_id = :p AND ended_at IS NULL",
                                               [&](Statement& s) { s.use(at).use(person); });
        if (!*changed && ended == 0) return Audited<int>{0, {}};
        AuditNote note{granted ? "person.access_grant" : "person.access_withdraw",
                       audit::objectName("person", person),
                       {}};
        if (*changed) note.details["portal_access"] = beforeAfter(!granted, granted);
        if (!granted) note.details["sessions_ended"] = ended;
        return Audited<int>{ended, std::move(note)};
      });
}

core::Result<void> RegistryRepository::saveProfessionalDetails(
    const core::ProfessionalDetails& details, const audit::Actor& actor) {
  return auditedChange(database_, clock_.now(), actor,
                       [&](soci::session& sql) -> core::Result<AuditNote> {
                         if (!personExists(sql, details.person))
                           return notFound("person.not_found");
                         ProfessionalDetailsRow row{details};
                         if (auto note = overwriteRow(sql, row, "professional_details.update",
                                                      [](const auto&, const auto&) {}))
                           return std::move(*note);
                         insertKeyedRow(sql, row);
                         return AuditNote{"professional_details.create",
                                          audit::objectName("person", details.person),
                                          columnValues(row)};
                       },
                       {.missing = "person.not_found"});
}

core::Result<std::vector<core::Organisation>> RegistryRepository::searchOrganisations(
    const std::string& text, int limit) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<core::Organisation>> {
        const std::string pattern = containsPattern(text);
        const int rows = std::clamp(limit, 1, kMaxSearchRows);
        // LOWER on both sides: the database folds case the same way for name and search text.
        return selectAll<OrganisationRow>(sql,
                                          "FROM organisations WHERE LOWER(name) LIKE "
                                          "LOWER(:pattern) ESCAPE '\\' OR kvk = :kvk OR oin = :oin "
                                          "ORDER BY LOWER(name), id LIMIT :limit",
                                          pattern, text, text, rows);
      });
}

core::Result<std::vector<core::Person>> RegistryRepository::searchPersons(const std::string& text,
                                                                          int limit) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<core::Person>> {
    const std::string pattern = containsPattern(text);
    const int rows = std::clamp(limit, 1, kMaxSearchRows);
    return selectAll<PersonRow>(sql,
                                "FROM persons WHERE LOWER(given_name || ' ' || surname) LIKE "
                                "LOWER(:name) ESCAPE '\\' OR LOWER(email) LIKE LOWER(:email) "
                                "ESCAPE '\\' ORDER BY LOWER(surname), LOWER(given_name), id "
                                "LIMIT :limit",
                                pattern, pattern, rows);
  });
}

core::Result<std::optional<core::Person>> RegistryRepository::findPerson(core::PersonId person) {
  return withSession(database_,
                     [&](soci::session& sql) -> core::Result<std::optional<core::Person>> {
                       return selectOne<PersonRow>(sql, "FROM persons WHERE id = :id", person);
                     });
}

core::Result<std::vector<core::OrganisationMember>> RegistryRepository::organisationMembers(
    core::OrganisationId organisation) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<core::OrganisationMember>> {
        std::vector<core::OrganisationMember> members;
        PersonRow row;
        std::string role;
        bool active = false;
        forEachRow(
            sql,
            "SELECT " + selectList<PersonRow>("persons.") +
                ", roles.role, roles.active FROM roles JOIN persons ON persons.id = "
                "roles.person_id WHERE roles.organisation_id = :o ORDER BY CASE roles.role "
                "WHEN 'representative' THEN 0 WHEN 'contact' THEN 1 ELSE 2 END, LOWER(surname), "
                "LOWER(given_name), persons.id",
            [&](Statement& s) {
              intoRow(s, row);
              s.into(role).into(active).use(organisation);
            },
            [&] {
              // As in memberships(): an unknown role is not listed.
              const auto parsed = core::parseRole(role);
              if (!parsed) return;
              row.toValue();
              members.push_back({row.value, *parsed, active});
            });
        return members;
      });
}

core::Result<std::vector<core::CertificateIdentity>> RegistryRepository::certificateIdentities(
    core::PersonId person) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<core::CertificateIdentity>> {
        std::vector<core::CertificateIdentity> identities;
        core::CertificateIdentity identity;
        forEachRow(
            sql,
            "SELECT issuer_dn, subject_serial FROM certificate_identities WHERE person_id = :p "
            "ORDER BY id",
            [&](Statement& s) {
              s.into(identity.issuer_dn).into(identity.subject_serial).use(person);
            },
            [&] { identities.push_back(identity); });
        return identities;
      });
}

core::Result<std::optional<core::ProfessionalDetails>> RegistryRepository::professionalDetails(
    core::PersonId person) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<core::ProfessionalDetails>> {
        return selectOne<ProfessionalDetailsRow>(
            sql, "FROM professional_details WHERE person_id = :p", person);
      });
}

core::Result<std::optional<core::Principal>> RegistryRepository::findPrincipalByCertificate(
    const core::CertificateIdentity& identity) {
  // A read transaction: person and memberships come from the same snapshot.
  return inTransaction(database_, TransactionMode::read,
                       [&](soci::session& sql) -> core::Result<std::optional<core::Principal>> {
                         return selectPrincipal(sql,
                                                "FROM persons WHERE id = (SELECT person_id FROM "
                                                "certificate_identities WHERE issuer_dn = :i AND "
                                                "subject_serial = :s)",
                                                identity.issuer_dn, identity.subject_serial);
                       });
}

core::Result<std::optional<core::Principal>> RegistryRepository::findPrincipal(
    core::PersonId person) {
  return inTransaction(database_, TransactionMode::read,
                       [&](soci::session& sql) -> core::Result<std::optional<core::Principal>> {
                         return selectPrincipal(sql, "FROM persons WHERE id = :id", person);
                       });
}

core::Result<std::optional<core::Organisation>> RegistryRepository::findOrganisation(
    core::OrganisationId id) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<core::Organisation>> {
        return selectOne<OrganisationRow>(sql, "FROM organisations WHERE id = :id", id);
      });
}

core::Result<std::vector<std::string>> RegistryRepository::validatedDomains(
    core::OrganisationId organisation) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<std::string>> {
    return selectColumn<std::string>(
        sql, "SELECT domain FROM validated_domains WHERE organisation_id = :o ORDER BY domain",
        organisation);
  });
}

core::Result<std::vector<std::string>> RegistryRepository::currentValidatedDomains(
    core::OrganisationId organisation, std::chrono::days validity) {
  const core::TimePoint since = clock_.now() - validity;
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<std::string>> {
    return selectColumn<std::string>(sql,
                                     "SELECT domain FROM validated_domains WHERE organisation_id = "
                                     ":o AND validated_at > :since ORDER BY domain",
                                     organisation, since);
  });
}

core::Result<std::vector<DomainValidation>> RegistryRepository::expiringValidations(
    std::chrono::days validity, std::chrono::days within, int limit) {
  // Expiring before now + within means validated before now + within - validity.
  const core::TimePoint before = clock_.now() + within - validity;
  const int rows = std::clamp(limit, 1, kMaxSearchRows);
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<DomainValidation>> {
        std::vector<DomainValidation> found;
        DomainValidation row;
        std::optional<std::string> given_name;
        std::optional<std::string> surname;
        forEachRow(
            sql,
            "SELECT v.organisation_id, o.name, v.domain, v.method, p.given_name, p.surname, "
            "v.validated_at FROM validated_domains v "
            "JOIN organisations o ON o.id = v.organisation_id "
            "LEFT JOIN persons p ON v.validated_by = 'person:' || CAST(p.id AS TEXT) "
            "WHERE v.validated_at <= :before ORDER BY v.validated_at, o.name, v.domain "
            "LIMIT :rows",
            [&](Statement& select) {
              select.into(row.organisation)
                  .into(row.organisation_name)
                  .into(row.domain)
                  .into(row.method)
                  .into(given_name)
                  .into(surname)
                  .into(row.validated_at)
                  .use(before)
                  .use(rows);
            },
            [&] {
              core::Person person;
              person.given_name = given_name.value_or("");
              person.surname = surname.value_or("");
              row.validated_by = surname ? person.displayName() : std::string();
              found.push_back(row);
            });
        return found;
      });
}

}  // namespace storage
