#include "storage/registry_repository.hpp"

#include "core/time_format.hpp"
#include "storage/audit_log.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <variant>

namespace storage {

namespace {

/// Binds the four columns of an address (street, postal code, city, country).
template <class Exchange>
void exchangeAddress(Exchange& x, core::Address& address) {
  x(address.street);
  x(address.postal_code);
  x(address.city);
  x(address.country);
}

/// One organisations row (without id and created_at); binds its columns in `columns` order.
struct OrganisationRow {
  static constexpr std::string_view columns =
      "name, kvk, oin, "
      "visiting_street, visiting_postal_code, visiting_city, visiting_country, "
      "postal_street, postal_postal_code, postal_city, postal_country, "
      "billing_street, billing_postal_code, billing_city, billing_country, "
      "billing_attention_of, billing_email, billing_purchase_order_reference, billing_vat_number, "
      "portal_enabled";

  core::Organisation value;
  soci::indicator oin_indicator = soci::i_ok;  // an unknown OIN is NULL, so it is never "taken"
  int portal_enabled = 0;

  /// Applies `exchange` (Statement::into or ::use) to each column in `columns` order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value.name);
    x(value.kvk);
    x(value.oin, oin_indicator);
    exchangeAddress(x, value.visiting_address);
    exchangeAddress(x, value.postal_address);
    exchangeAddress(x, value.billing.address);
    x(value.billing.attention_of);
    x(value.billing.email);
    x(value.billing.purchase_order_reference);
    x(value.billing.vat_number);
    x(portal_enabled);
  }
  /// Fills the column values from `value` (before a write).
  void fromValue() {
    oin_indicator = value.oin.empty() ? soci::i_null : soci::i_ok;
    portal_enabled = value.portal_enabled ? 1 : 0;
  }
  /// Fills `value` from the column values (after a read).
  void toValue() {
    if (oin_indicator != soci::i_ok) value.oin.clear();
    value.portal_enabled = portal_enabled != 0;
  }
};

/// One persons row (without id and created_at); binds its columns in `columns` order.
struct PersonRow {
  static constexpr std::string_view columns =
      "given_name, surname, email, phone, portal_access, servicedesk, professional, profession";

  core::Person value;
  int portal_access = 0;
  int servicedesk = 0;
  int professional = 0;

  /// Applies `exchange` (Statement::into or ::use) to each column in `columns` order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value.given_name);
    x(value.surname);
    x(value.email);
    x(value.phone);
    x(portal_access);
    x(servicedesk);
    x(professional);
    x(value.profession);
  }
  /// Fills the column values from `value` (before a write).
  void fromValue() {
    portal_access = value.portal_access ? 1 : 0;
    servicedesk = value.servicedesk ? 1 : 0;
    professional = value.professional ? 1 : 0;
  }
  /// Fills `value` from the column values (after a read).
  void toValue() {
    value.portal_access = portal_access != 0;
    value.servicedesk = servicedesk != 0;
    value.professional = professional != 0;
  }
};

/// Inserts `row` with `created_at` into `table` and returns the new id.
template <class Row>
std::int64_t insertRow(soci::session& sql, std::string_view table, Row& row,
                       core::TimePoint created_at) {
  row.fromValue();
  const long long created = core::toUnixSeconds(created_at);
  long long id = 0;
  Statement insert(sql);
  row.exchange([&](auto&... column) { insert.use(column...); });
  insert.use(created).into(id);
  insert.execute("INSERT INTO " + std::string(table) + " (" + std::string(Row::columns) +
                 ", created_at) VALUES (" + placeholders(columnCount(Row::columns) + 1) +
                 ") RETURNING id");
  return id;
}

/// Reads "SELECT id, <columns> <from_where>" with `keys` as parameters; nullopt if no row.
template <class Row, class... Keys>
std::optional<decltype(Row::value)> selectOne(soci::session& sql, const std::string& from_where,
                                              const Keys&... keys) {
  Row row;
  Statement select(sql);
  select.into(row.value.id);
  row.exchange([&](auto&... column) { select.into(column...); });
  (select.use(keys), ...);
  if (!select.execute("SELECT id, " + std::string(Row::columns) + " " + from_where))
    return std::nullopt;
  row.toValue();
  return row.value;
}

/// True if "SELECT COUNT(*) …" `query` with `keys` counts at least one row.
template <class... Keys>
bool exists(soci::session& sql, const std::string& query, const Keys&... keys) {
  long long count = 0;
  Statement select(sql);
  select.into(count);
  (select.use(keys), ...);
  select.execute(query);
  return count > 0;
}

bool personExists(soci::session& sql, core::PersonId person) {
  return exists(sql, "SELECT COUNT(*) FROM persons WHERE id = :id", person);
}

bool organisationExists(soci::session& sql, core::OrganisationId organisation) {
  return exists(sql, "SELECT COUNT(*) FROM organisations WHERE id = :id", organisation);
}

/// The person's roles with their organisations, in organisation name order.
std::vector<core::Membership> memberships(soci::session& sql, core::PersonId person) {
  std::vector<core::Membership> result;
  core::Membership membership;
  int portal_enabled = 0;
  std::string role;
  forEachRow(
      sql,
      "SELECT r.organisation_id, o.name, o.portal_enabled, r.role FROM roles r "
      "JOIN organisations o ON o.id = r.organisation_id WHERE r.person_id = :person "
      "ORDER BY o.name, o.id, r.role",
      [&](Statement& s) {
        s.into(membership.organisation_id)
            .into(membership.organisation_name)
            .into(portal_enabled)
            .into(role)
            .use(person);
      },
      [&] {
        // The CHECK constraint allows only known roles; an unknown one grants nothing.
        const auto parsed = core::parseRole(role);
        if (!parsed) return;
        membership.role = *parsed;
        membership.organisation_portal_enabled = portal_enabled != 0;
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

/// "kind:id", the audit object of a registry entry.
std::string objectName(std::string_view kind, std::int64_t id) {
  return std::string(kind) + ":" + std::to_string(id);
}

/// What a registry change tells the audit log.
struct AuditNote {
  std::string action;           ///< e.g. "organisation.create"
  std::string object;           ///< e.g. "organisation:12"
  boost::json::object details;  ///< the new values
};

/// The value a change returns together with its audit note.
template <class T>
struct Audited {
  T value;
  AuditNote note;
};

/// Runs `change(session)` and appends its audit record in one write transaction (PRODUCT.md
/// §8): both are committed, or neither is.
template <class T, class Change>
core::Result<T> recordChange(Database& database, core::TimePoint at, const audit::Actor& actor,
                             const ViolationMessages& messages, Change&& change) {
  return inTransaction(
      database, TransactionMode::write,
      [&](soci::session& sql) -> core::Result<T> {
        core::Result<Audited<T>> changed = change(sql);
        if (!changed) return changed.error();
        appendAuditRecord(sql, database.dialect(),
                          audit::Event{at, actor.id, std::move(changed->note.action),
                                       std::move(changed->note.object),
                                       boost::json::serialize(changed->note.details)});
        return std::move(changed->value);
      },
      messages);
}

/// Drops the placeholder value of a change that returns nothing.
core::Result<void> withoutValue(const core::Result<std::monostate>& result) {
  if (!result) return result.error();
  return {};
}

core::Error conflict(std::string message) {
  return core::makeError(core::ErrorKind::conflict, std::move(message));
}

core::Error notFound(std::string message) {
  return core::makeError(core::ErrorKind::not_found, std::move(message));
}

}  // namespace

core::Result<core::OrganisationId> RegistryRepository::createOrganisation(
    const core::Organisation& organisation, const audit::Actor& actor) {
  const auto now = clock_.now();
  return recordChange<core::OrganisationId>(
      database_, now, actor, {.duplicate = "organisation.exists"},
      [&](soci::session& sql) -> core::Result<Audited<core::OrganisationId>> {
        // Checked first for a precise message; the UNIQUE constraints still decide under races.
        if (exists(sql, "SELECT COUNT(*) FROM organisations WHERE kvk = :kvk", organisation.kvk))
          return conflict("organisation.kvk_taken");
        if (!organisation.oin.empty() &&
            exists(sql, "SELECT COUNT(*) FROM organisations WHERE oin = :oin", organisation.oin))
          return conflict("organisation.oin_taken");
        OrganisationRow row{organisation};
        const auto id = insertRow(sql, "organisations", row, now);
        return Audited<core::OrganisationId>{id,
                                             {"organisation.create",
                                              objectName("organisation", id),
                                              {{"name", organisation.name},
                                               {"kvk", organisation.kvk},
                                               {"oin", organisation.oin},
                                               {"portal_enabled", organisation.portal_enabled}}}};
      });
}

core::Result<core::PersonId> RegistryRepository::createPerson(const core::Person& person,
                                                              const audit::Actor& actor) {
  const auto now = clock_.now();
  return recordChange<core::PersonId>(
      database_, now, actor, {}, [&](soci::session& sql) -> core::Result<Audited<core::PersonId>> {
        PersonRow row{person};
        const auto id = insertRow(sql, "persons", row, now);
        return Audited<core::PersonId>{id,
                                       {"person.create",
                                        objectName("person", id),
                                        {{"given_name", person.given_name},
                                         {"surname", person.surname},
                                         {"email", person.email},
                                         {"portal_access", person.portal_access},
                                         {"servicedesk", person.servicedesk},
                                         {"professional", person.professional},
                                         {"profession", person.profession}}}};
      });
}

core::Result<void> RegistryRepository::addRole(core::PersonId person,
                                               core::OrganisationId organisation, core::Role role,
                                               const audit::Actor& actor) {
  const auto now = clock_.now();
  return withoutValue(recordChange<std::monostate>(
      database_, now, actor, {.duplicate = "role.exists", .missing = "person.not_found"},
      [&](soci::session& sql) -> core::Result<Audited<std::monostate>> {
        if (!personExists(sql, person)) return notFound("person.not_found");
        if (!organisationExists(sql, organisation)) return notFound("organisation.not_found");
        const std::string name(core::toString(role));
        if (exists(sql,
                   "SELECT COUNT(*) FROM roles WHERE person_id = :p AND organisation_id = :o "
                   "AND role = :r",
                   person, organisation, name))
          return conflict("role.exists");
        const long long created = core::toUnixSeconds(now);
        sql << "INSERT INTO roles (person_id, organisation_id, role, created_at) "
               "VALUES (:p, :o, :r, :t)",
            soci::use(person), soci::use(organisation), soci::use(name), soci::use(created);
        return Audited<std::monostate>{{},
                                       {"role.add",
                                        objectName("person", person),
                                        {{"organisation_id", organisation}, {"role", name}}}};
      }));
}

core::Result<void> RegistryRepository::addCertificateIdentity(
    core::PersonId person, const core::CertificateIdentity& identity, const audit::Actor& actor) {
  const auto now = clock_.now();
  return withoutValue(recordChange<std::monostate>(
      database_, now, actor,
      {.duplicate = "certificate_identity.taken", .missing = "person.not_found"},
      [&](soci::session& sql) -> core::Result<Audited<std::monostate>> {
        if (!personExists(sql, person)) return notFound("person.not_found");
        if (exists(sql,
                   "SELECT COUNT(*) FROM certificate_identities WHERE issuer_dn = :i "
                   "AND subject_serial = :s",
                   identity.issuer_dn, identity.subject_serial))
          return conflict("certificate_identity.taken");
        const long long created = core::toUnixSeconds(now);
        sql << "INSERT INTO certificate_identities (person_id, issuer_dn, subject_serial, "
               "created_at) VALUES (:p, :i, :s, :t)",
            soci::use(person), soci::use(identity.issuer_dn), soci::use(identity.subject_serial),
            soci::use(created);
        return Audited<std::monostate>{
            {},
            {"certificate_identity.add",
             objectName("person", person),
             {{"issuer_dn", identity.issuer_dn}, {"subject_serial", identity.subject_serial}}}};
      }));
}

core::Result<void> RegistryRepository::addValidatedDomain(core::OrganisationId organisation,
                                                          const std::string& domain,
                                                          const audit::Actor& actor) {
  // DNS names compare case-insensitively; one stored form keeps the UNIQUE constraint honest.
  std::string name = domain;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (name.empty()) return core::makeError(core::ErrorKind::invalid, "domain.invalid");
  const auto now = clock_.now();
  return withoutValue(recordChange<std::monostate>(
      database_, now, actor, {.duplicate = "domain.exists", .missing = "organisation.not_found"},
      [&](soci::session& sql) -> core::Result<Audited<std::monostate>> {
        if (!organisationExists(sql, organisation)) return notFound("organisation.not_found");
        if (exists(sql,
                   "SELECT COUNT(*) FROM validated_domains WHERE organisation_id = :o "
                   "AND domain = :d",
                   organisation, name))
          return conflict("domain.exists");
        const long long validated = core::toUnixSeconds(now);
        sql << "INSERT INTO validated_domains (organisation_id, domain, validated_at) "
               "VALUES (:o, :d, :t)",
            soci::use(organisation), soci::use(name), soci::use(validated);
        return Audited<std::monostate>{
            {}, {"domain.add", objectName("organisation", organisation), {{"domain", name}}}};
      }));
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
    std::vector<std::string> domains;
    std::string domain;
    forEachRow(
        sql, "SELECT domain FROM validated_domains WHERE organisation_id = :o ORDER BY domain",
        [&](Statement& s) { s.into(domain).use(organisation); },
        [&] { domains.push_back(domain); });
    return domains;
  });
}

}  // namespace storage
