#include "storage/registry_repository.hpp"

#include "storage/audit_repository.hpp"
#include "storage/session_repository.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace {

using core::ErrorKind;
using storage_test::SqliteTest;

class RegistryRepositoryTest : public SqliteTest {
 protected:
  storage::RegistryRepository registry() { return {*database_, clock_}; }

  /// Every audit record so far, in order.
  std::vector<audit::Record> auditRecords() {
    auto records = storage::AuditRepository(*database_).find({.limit = 1000});
    EXPECT_TRUE(records);
    return records ? *records : std::vector<audit::Record>{};
  }

  core::OrganisationId createOrganisation(std::string name, std::string kvk, std::string oin) {
    auto id = registry().createOrganisation(
        organisation(std::move(name), std::move(kvk), std::move(oin)), servicedesk_);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  core::PersonId createPerson(std::string given_name, std::string surname) {
    auto id =
        registry().createPerson(person(std::move(given_name), std::move(surname)), servicedesk_);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  /// The last audit record, and how many there are.
  std::pair<audit::Record, std::size_t> lastAuditRecord() {
    const auto records = auditRecords();
    EXPECT_FALSE(records.empty());
    return {records.empty() ? audit::Record{} : records.back(), records.size()};
  }

  /// The details of an audit record as JSON.
  static boost::json::object details(const audit::Record& record) {
    return boost::json::parse(record.event.details).as_object();
  }

  /// {"before": …, "after": …} as audit details hold a changed field.
  static boost::json::value beforeAfter(boost::json::value before, boost::json::value after) {
    return boost::json::object{{"before", std::move(before)}, {"after", std::move(after)}};
  }

  /// Expects `result` to have failed with `kind` and `message`.
  template <class T>
  static void expectError(const core::Result<T>& result, ErrorKind kind,
                          const std::string& message) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, kind);
    EXPECT_EQ(result.error().message, message);
  }

  const core::CertificateIdentity identity_{"CN=TSP Persoon CA,O=TSP,C=NL", "900001234"};
};

TEST_F(RegistryRepositoryTest, CreatesAndFindsOrganisationWithEveryField) {
  const auto expected = organisation("Voorbeeld B.V.", "12345678", "00000001123456780000");
  const auto id = registry().createOrganisation(expected, servicedesk_).value();
  EXPECT_GT(id, 0);
  const auto found = registry().findOrganisation(id).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->name, expected.name);
  EXPECT_EQ(found->kvk, expected.kvk);
  EXPECT_EQ(found->oin, expected.oin);
  EXPECT_EQ(found->visiting_address.street, "Hoofdstraat 1");
  EXPECT_EQ(found->visiting_address.postal_code, "1234 AB");
  EXPECT_EQ(found->postal_address.street, "Postbus 10");
  EXPECT_EQ(found->postal_address.city, "Utrecht");
  EXPECT_EQ(found->billing.address.street, "Factuurweg 2");
  EXPECT_EQ(found->billing.address.country, "NL");
  EXPECT_EQ(found->billing.attention_of, "Crediteurenadministratie");
  EXPECT_EQ(found->billing.email, "facturen@example.nl");
  EXPECT_EQ(found->billing.purchase_order_reference, "PO-42");
  EXPECT_EQ(found->billing.vat_number, "NL001234567B01");
  EXPECT_TRUE(found->portal_enabled);

  EXPECT_FALSE(registry().findOrganisation(id + 100).value());
}

TEST_F(RegistryRepositoryTest, DuplicateKvkOrOinIsAConflictAndWritesNothing) {
  createOrganisation("Voorbeeld B.V.", "12345678", "00000001123456780000");
  const auto before = auditRecords().size();

  auto same_kvk = registry().createOrganisation(
      organisation("Kopie B.V.", "12345678", "00000001999999990000"), servicedesk_);
  ASSERT_FALSE(same_kvk);
  EXPECT_EQ(same_kvk.error().kind, ErrorKind::conflict);
  EXPECT_EQ(same_kvk.error().message, "organisation.kvk_taken");

  auto same_oin = registry().createOrganisation(
      organisation("Kopie B.V.", "99999999", "00000001123456780000"), servicedesk_);
  ASSERT_FALSE(same_oin);
  EXPECT_EQ(same_oin.error().kind, ErrorKind::conflict);
  EXPECT_EQ(same_oin.error().message, "organisation.oin_taken");

  EXPECT_EQ(auditRecords().size(), before);
}

TEST_F(RegistryRepositoryTest, OrganisationsWithoutOinDoNotCollide) {
  const auto a = createOrganisation("A B.V.", "11111111", "");
  const auto b = createOrganisation("B B.V.", "22222222", "");
  EXPECT_NE(a, b);
  EXPECT_EQ(registry().findOrganisation(b).value()->oin, "");
}

TEST_F(RegistryRepositoryTest, PrincipalHasMembershipsInOrganisationNameOrder) {
  const auto voorbeeld = createOrganisation("Voorbeeld B.V.", "12345678", "");
  auto andere_data = organisation("Andere Organisatie B.V.", "87654321", "");
  andere_data.portal_enabled = false;
  const auto andere = registry().createOrganisation(andere_data, servicedesk_).value();
  const auto person = createPerson("Jan", "Jansen");
  ASSERT_TRUE(registry().addRole(person, voorbeeld, core::Role::representative, servicedesk_));
  ASSERT_TRUE(registry().addRole(person, andere, core::Role::contact, servicedesk_));
  ASSERT_TRUE(registry().addRole(person, voorbeeld, core::Role::manager, servicedesk_));

  const auto principal = registry().findPrincipal(person).value();
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->person.id, person);
  EXPECT_EQ(principal->person.displayName(), "Jan Jansen");
  EXPECT_EQ(principal->person.email, "p@example.nl");
  EXPECT_EQ(principal->person.phone, "+31 30 123 4567");
  EXPECT_TRUE(principal->person.portal_access);
  EXPECT_FALSE(principal->person.servicedesk);
  ASSERT_EQ(principal->memberships.size(), 3u);
  EXPECT_EQ(principal->memberships[0].organisation_name, "Andere Organisatie B.V.");
  EXPECT_EQ(principal->memberships[0].organisation_id, andere);
  EXPECT_FALSE(principal->memberships[0].organisation_portal_enabled);
  EXPECT_EQ(principal->memberships[0].role, core::Role::contact);
  EXPECT_EQ(principal->memberships[1].organisation_id, voorbeeld);
  EXPECT_TRUE(principal->memberships[1].organisation_portal_enabled);
  EXPECT_EQ(principal->memberships[1].role, core::Role::manager);
  EXPECT_EQ(principal->memberships[2].role, core::Role::representative);
  EXPECT_TRUE(principal->mayActFor(voorbeeld));
  EXPECT_FALSE(principal->mayActFor(andere));

  EXPECT_FALSE(registry().findPrincipal(person + 100).value());
}

TEST_F(RegistryRepositoryTest, ProfessionalFlagsRoundTrip) {
  auto notaris = person("Nora", "Notaris");
  notaris.portal_access = false;
  notaris.professional = true;
  notaris.profession = "Notaris";
  const auto id = registry().createPerson(notaris, servicedesk_).value();
  const auto principal = registry().findPrincipal(id).value();
  ASSERT_TRUE(principal);
  EXPECT_TRUE(principal->person.professional);
  EXPECT_FALSE(principal->person.portal_access);
  EXPECT_EQ(principal->person.profession, "Notaris");
  EXPECT_TRUE(principal->memberships.empty());
  EXPECT_TRUE(principal->hasPortalAccess());
}

TEST_F(RegistryRepositoryTest, AddRoleRefusesUnknownPartiesAndRepeats) {
  const auto organisation_id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  const auto person_id = createPerson("Jan", "Jansen");
  const auto before = auditRecords().size();

  auto unknown_person =
      registry().addRole(person_id + 100, organisation_id, core::Role::contact, servicedesk_);
  ASSERT_FALSE(unknown_person);
  EXPECT_EQ(unknown_person.error().kind, ErrorKind::not_found);
  EXPECT_EQ(unknown_person.error().message, "person.not_found");

  auto unknown_organisation =
      registry().addRole(person_id, organisation_id + 100, core::Role::contact, servicedesk_);
  ASSERT_FALSE(unknown_organisation);
  EXPECT_EQ(unknown_organisation.error().kind, ErrorKind::not_found);
  EXPECT_EQ(unknown_organisation.error().message, "organisation.not_found");

  ASSERT_TRUE(registry().addRole(person_id, organisation_id, core::Role::contact, servicedesk_));
  auto repeated = registry().addRole(person_id, organisation_id, core::Role::contact, servicedesk_);
  ASSERT_FALSE(repeated);
  EXPECT_EQ(repeated.error().kind, ErrorKind::conflict);
  EXPECT_EQ(repeated.error().message, "role.exists");

  EXPECT_EQ(auditRecords().size(), before + 1);
}

TEST_F(RegistryRepositoryTest, CertificateIdentityFindsThePrincipal) {
  const auto organisation_id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  const auto person_id = createPerson("Jan", "Jansen");
  ASSERT_TRUE(registry().addRole(person_id, organisation_id, core::Role::contact, servicedesk_));
  ASSERT_TRUE(registry().addCertificateIdentity(person_id, identity_, servicedesk_));

  const auto principal = registry().findPrincipalByCertificate(identity_).value();
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->person.id, person_id);
  ASSERT_EQ(principal->memberships.size(), 1u);
  EXPECT_EQ(principal->memberships[0].organisation_name, "Voorbeeld B.V.");

  // Same serial from another issuer, or another serial: nobody.
  EXPECT_FALSE(registry()
                   .findPrincipalByCertificate({"CN=Other CA,C=NL", identity_.subject_serial})
                   .value());
  EXPECT_FALSE(registry().findPrincipalByCertificate({identity_.issuer_dn, "900009999"}).value());
}

TEST_F(RegistryRepositoryTest, TakenCertificateIdentityIsAConflict) {
  const auto first = createPerson("Jan", "Jansen");
  const auto second = createPerson("Piet", "Pietersen");
  ASSERT_TRUE(registry().addCertificateIdentity(first, identity_, servicedesk_));
  const auto before = auditRecords().size();

  for (const auto person_id : {first, second}) {
    auto taken = registry().addCertificateIdentity(person_id, identity_, servicedesk_);
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().kind, ErrorKind::conflict);
    EXPECT_EQ(taken.error().message, "certificate_identity.taken");
  }
  auto unknown = registry().addCertificateIdentity(second + 100, {"CN=X", "1"}, servicedesk_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);

  EXPECT_EQ(registry().findPrincipalByCertificate(identity_).value()->person.id, first);
  EXPECT_EQ(auditRecords().size(), before);
}

TEST_F(RegistryRepositoryTest, ValidatedDomainsAreLowerCaseSortedAndUnique) {
  const auto id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  ASSERT_TRUE(registry().addValidatedDomain(id, "voorbeeld.nl", servicedesk_));
  ASSERT_TRUE(registry().addValidatedDomain(id, "Example.NL", servicedesk_));
  EXPECT_EQ(registry().validatedDomains(id).value(),
            (std::vector<std::string>{"example.nl", "voorbeeld.nl"}));
  EXPECT_TRUE(registry().validatedDomains(id + 100).value().empty());

  // Validating a domain again renews it (ADR 0025): still one row.
  ASSERT_TRUE(registry().addValidatedDomain(id, "VOORBEELD.nl", servicedesk_, "dns"));
  EXPECT_EQ(registry().validatedDomains(id).value(),
            (std::vector<std::string>{"example.nl", "voorbeeld.nl"}));
  auto unknown = registry().addValidatedDomain(id + 100, "andere.nl", servicedesk_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_EQ(registry().addValidatedDomain(id, "", servicedesk_).error().kind, ErrorKind::invalid);
}

TEST_F(RegistryRepositoryTest, ValidationsExpireAfterTheirPeriodAndAreListedBeforeThey) {
  const auto id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  ASSERT_TRUE(registry().addValidatedDomain(id, "oud.nl", servicedesk_, "email"));
  clock_.advance(std::chrono::days(100));
  ASSERT_TRUE(registry().addValidatedDomain(id, "nieuw.nl", servicedesk_));
  const std::chrono::days validity{120};
  EXPECT_EQ(registry().currentValidatedDomains(id, validity).value(),
            (std::vector<std::string>{"nieuw.nl", "oud.nl"}));
  // oud.nl expires in 20 days: listed as expiring within 30, nieuw.nl not yet.
  auto expiring = registry().expiringValidations(validity, std::chrono::days(30), 100).value();
  ASSERT_EQ(expiring.size(), 1u);
  EXPECT_EQ(expiring[0].domain, "oud.nl");
  EXPECT_EQ(expiring[0].organisation_name, "Voorbeeld B.V.");
  EXPECT_EQ(expiring[0].method, "email");

  clock_.advance(std::chrono::days(21));
  EXPECT_EQ(registry().currentValidatedDomains(id, validity).value(),
            std::vector<std::string>{"nieuw.nl"});
  // Validated afresh: current again, and no longer expiring.
  ASSERT_TRUE(registry().addValidatedDomain(id, "oud.nl", servicedesk_, "dns"));
  EXPECT_EQ(registry().currentValidatedDomains(id, validity).value(),
            (std::vector<std::string>{"nieuw.nl", "oud.nl"}));
  EXPECT_TRUE(registry().expiringValidations(validity, std::chrono::days(30), 100).value().empty());
}

TEST_F(RegistryRepositoryTest, EveryWriteLeavesExactlyOneChainedAuditRecord) {
  const auto organisation_id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  clock_.advance(std::chrono::seconds(5));
  const auto person_id = createPerson("Jan", "Jansen");
  ASSERT_TRUE(
      registry().addRole(person_id, organisation_id, core::Role::representative, servicedesk_));
  ASSERT_TRUE(registry().addCertificateIdentity(person_id, identity_, servicedesk_));
  ASSERT_TRUE(registry().addValidatedDomain(organisation_id, "voorbeeld.nl",
                                            audit::Actor::system("init-dev")));

  const auto records = auditRecords();
  ASSERT_EQ(records.size(), 5u);
  const std::string organisation_object = "organisation:" + std::to_string(organisation_id);
  const std::string person_object = "person:" + std::to_string(person_id);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"organisation.create", organisation_object},
      {"person.create", person_object},
      {"role.add", person_object},
      {"certificate_identity.add", person_object},
      {"domain.add", organisation_object},
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].sequence, std::int64_t(i) + 1);
    EXPECT_EQ(records[i].event.action, expected[i].first);
    EXPECT_EQ(records[i].event.object, expected[i].second);
  }
  EXPECT_EQ(records[0].event.actor, "person:1000");
  EXPECT_EQ(records[4].event.actor, "system:init-dev");
  EXPECT_EQ(records[0].event.at, storage_test::testStart());
  EXPECT_EQ(records[1].event.at, storage_test::testStart() + std::chrono::seconds(5));

  const auto organisation_details = boost::json::parse(records[0].event.details).as_object();
  EXPECT_EQ(organisation_details.at("kvk").as_string(), "12345678");
  EXPECT_EQ(organisation_details.at("portal_enabled").as_bool(), true);
  const auto role_details = boost::json::parse(records[2].event.details).as_object();
  EXPECT_EQ(role_details.at("role").as_string(), "representative");
  EXPECT_EQ(role_details.at("organisation_id").as_int64(), organisation_id);
  const auto identity_details = boost::json::parse(records[3].event.details).as_object();
  EXPECT_EQ(identity_details.at("subject_serial").as_string(), identity_.subject_serial);

  EXPECT_FALSE(audit::verifyChain(records));
  EXPECT_FALSE(storage::AuditRepository(*database_).verify().value());
}

TEST_F(RegistryRepositoryTest, UpdateOrganisationAuditsTheChangedFieldsOnly) {
  const auto id = createOrganisation("Voorbeeld B.V.", "12345678", "00000001123456780000");
  auto changed = registry().findOrganisation(id).value().value();
  changed.name = "Voorbeeld Holding B.V.";
  changed.billing.email = "crediteuren@example.nl";
  changed.oin = "";
  changed.portal_enabled = false;  // not this method's business
  ASSERT_TRUE(registry().updateOrganisation(changed, servicedesk_));

  const auto stored = registry().findOrganisation(id).value().value();
  EXPECT_EQ(stored.name, "Voorbeeld Holding B.V.");
  EXPECT_EQ(stored.billing.email, "crediteuren@example.nl");
  EXPECT_EQ(stored.oin, "");
  EXPECT_EQ(stored.kvk, "12345678");
  EXPECT_EQ(stored.visiting_address.street, "Hoofdstraat 1");
  EXPECT_TRUE(stored.portal_enabled);

  const auto [record, count] = lastAuditRecord();
  EXPECT_EQ(record.event.action, "organisation.update");
  EXPECT_EQ(record.event.object, "organisation:" + std::to_string(id));
  EXPECT_EQ(record.event.actor, servicedesk_.id);
  EXPECT_EQ(details(record),
            (boost::json::object{
                {"name", beforeAfter("Voorbeeld B.V.", "Voorbeeld Holding B.V.")},
                {"oin", beforeAfter("00000001123456780000", "")},
                {"billing_email", beforeAfter("facturen@example.nl", "crediteuren@example.nl")}}));

  // Saving the same data again changes nothing and records nothing.
  ASSERT_TRUE(registry().updateOrganisation(changed, servicedesk_));
  EXPECT_EQ(auditRecords().size(), count);
}

TEST_F(RegistryRepositoryTest, UpdateOrganisationRefusesUnknownIdsAndTakenIdentifiers) {
  const auto id = createOrganisation("Voorbeeld B.V.", "12345678", "00000001123456780000");
  createOrganisation("Andere B.V.", "87654321", "00000001876543210000");
  const auto before = auditRecords().size();
  auto changed = registry().findOrganisation(id).value().value();

  changed.kvk = "87654321";
  expectError(registry().updateOrganisation(changed, servicedesk_), ErrorKind::conflict,
              "organisation.kvk_taken");
  changed.kvk = "12345678";
  changed.oin = "00000001876543210000";
  expectError(registry().updateOrganisation(changed, servicedesk_), ErrorKind::conflict,
              "organisation.oin_taken");
  changed.oin = "00000001123456780000";
  changed.id = id + 100;
  expectError(registry().updateOrganisation(changed, servicedesk_), ErrorKind::not_found,
              "organisation.not_found");

  EXPECT_EQ(auditRecords().size(), before);
  EXPECT_EQ(registry().findOrganisation(id).value()->kvk, "12345678");
}

TEST_F(RegistryRepositoryTest, PortalEnabledIsSwitchedAndAudited) {
  const auto id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  ASSERT_TRUE(registry().setPortalEnabled(id, false, servicedesk_));
  EXPECT_FALSE(registry().findOrganisation(id).value()->portal_enabled);
  auto [record, count] = lastAuditRecord();
  EXPECT_EQ(record.event.action, "organisation.portal_disable");
  EXPECT_EQ(record.event.object, "organisation:" + std::to_string(id));
  EXPECT_EQ(details(record), (boost::json::object{{"portal_enabled", beforeAfter(true, false)}}));

  // Already off: nothing to record.
  ASSERT_TRUE(registry().setPortalEnabled(id, false, servicedesk_));
  EXPECT_EQ(auditRecords().size(), count);

  ASSERT_TRUE(registry().setPortalEnabled(id, true, servicedesk_));
  EXPECT_TRUE(registry().findOrganisation(id).value()->portal_enabled);
  EXPECT_EQ(lastAuditRecord().first.event.action, "organisation.portal_enable");

  expectError(registry().setPortalEnabled(id + 100, true, servicedesk_), ErrorKind::not_found,
              "organisation.not_found");
}

TEST_F(RegistryRepositoryTest, UpdatePersonKeepsAccessAndFlags) {
  const auto id = createPerson("Jan", "Jansen");
  auto changed = registry().findPerson(id).value().value();
  changed.email = "jan.jansen@example.nl";
  changed.phone = "+31 6 1234 5678";
  changed.portal_access = false;
  changed.servicedesk = true;
  changed.professional = true;
  ASSERT_TRUE(registry().updatePerson(changed, servicedesk_));

  const auto stored = registry().findPerson(id).value().value();
  EXPECT_EQ(stored.email, "jan.jansen@example.nl");
  EXPECT_EQ(stored.phone, "+31 6 1234 5678");
  EXPECT_EQ(stored.displayName(), "Jan Jansen");
  EXPECT_TRUE(stored.portal_access);
  EXPECT_FALSE(stored.servicedesk);
  EXPECT_FALSE(stored.professional);

  const auto [record, count] = lastAuditRecord();
  EXPECT_EQ(record.event.action, "person.update");
  EXPECT_EQ(record.event.object, "person:" + std::to_string(id));
  EXPECT_EQ(details(record),
            (boost::json::object{{"email", beforeAfter("p@example.nl", "jan.jansen@example.nl")},
                                 {"phone", beforeAfter("+31 30 123 4567", "+31 6 1234 5678")}}));
  ASSERT_TRUE(registry().updatePerson(changed, servicedesk_));
  EXPECT_EQ(auditRecords().size(), count);

  changed.id = id + 100;
  expectError(registry().updatePerson(changed, servicedesk_), ErrorKind::not_found,
              "person.not_found");
  EXPECT_EQ(auditRecords().size(), count);
  EXPECT_FALSE(registry().findPerson(id + 100).value());
}

TEST_F(RegistryRepositoryTest, WithdrawingAccessEndsTheSessionsAtOnce) {
  const auto id = createPerson("Jan", "Jansen");
  const auto other = createPerson("Piet", "Pietersen");
  storage::SessionRepository sessions(*database_);
  for (const auto& [hash, person] : {std::pair{"a", id}, {"b", id}, {"c", other}})
    ASSERT_TRUE(sessions.create({hash, person, "fp", "csrf", clock_.now(), clock_.now(), {}}));

  EXPECT_EQ(registry().setPortalAccess(id, false, servicedesk_).value(), 2);
  // Marked ended rather than deleted: a signed cookie of theirs stays ended (ADR 0015).
  EXPECT_TRUE(sessions.find("a").value().value().ended_at);
  EXPECT_TRUE(sessions.find("b").value().value().ended_at);
  EXPECT_FALSE(sessions.find("c").value().value().ended_at);
  EXPECT_FALSE(registry().findPerson(id).value()->portal_access);
  auto [record, count] = lastAuditRecord();
  EXPECT_EQ(record.event.action, "person.access_withdraw");
  EXPECT_EQ(record.event.object, "person:" + std::to_string(id));
  EXPECT_EQ(details(record), (boost::json::object{{"portal_access", beforeAfter(true, false)},
                                                  {"sessions_ended", 2}}));

  // Withdrawn already and no sessions: nothing to record.
  EXPECT_EQ(registry().setPortalAccess(id, false, servicedesk_).value(), 0);
  EXPECT_EQ(auditRecords().size(), count);

  ASSERT_TRUE(sessions.create({"d", id, "fp", "csrf", clock_.now(), clock_.now(), {}}));
  EXPECT_EQ(registry().setPortalAccess(id, true, servicedesk_).value(), 0);
  EXPECT_TRUE(registry().findPerson(id).value()->portal_access);
  EXPECT_TRUE(sessions.find("d").value());
  std::tie(record, count) = lastAuditRecord();
  EXPECT_EQ(record.event.action, "person.access_grant");
  EXPECT_EQ(details(record), (boost::json::object{{"portal_access", beforeAfter(false, true)}}));
  EXPECT_EQ(registry().setPortalAccess(id, true, servicedesk_).value(), 0);
  EXPECT_EQ(auditRecords().size(), count);

  expectError(registry().setPortalAccess(other + 100, false, servicedesk_), ErrorKind::not_found,
              "person.not_found");
}

TEST_F(RegistryRepositoryTest, RoleChangesAreFoundUnderPersonAndOrganisation) {
  const auto organisation_id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  const auto other_organisation = createOrganisation("Andere B.V.", "87654321", "");
  const auto person_id = createPerson("Jan", "Jansen");
  ASSERT_TRUE(registry().addRole(person_id, organisation_id, core::Role::contact, servicedesk_));
  ASSERT_TRUE(registry().addRole(person_id, other_organisation, core::Role::contact, servicedesk_));
  ASSERT_TRUE(registry().removeRole(person_id, organisation_id, core::Role::contact, servicedesk_));
  const auto principal = registry().findPrincipal(person_id).value().value();
  ASSERT_EQ(principal.memberships.size(), 1u);
  EXPECT_EQ(principal.memberships[0].organisation_id, other_organisation);

  const auto [record, count] = lastAuditRecord();
  EXPECT_EQ(record.event.action, "role.remove");
  EXPECT_EQ(record.event.object, "person:" + std::to_string(person_id));
  EXPECT_EQ(record.event.context, "organisation:" + std::to_string(organisation_id));
  EXPECT_EQ(details(record).at("role").as_string(), "contact");

  expectError(registry().removeRole(person_id, organisation_id, core::Role::contact, servicedesk_),
              ErrorKind::not_found, "role.not_found");
  expectError(
      registry().removeRole(person_id, other_organisation, core::Role::manager, servicedesk_),
      ErrorKind::not_found, "role.not_found");
  EXPECT_EQ(auditRecords().size(), count);

  storage::AuditRepository audit_log(*database_);
  const auto actions = [&](const storage::AuditQuery& query) {
    std::vector<std::string> result;
    for (const auto& r : audit_log.find(query).value()) result.push_back(r.event.action);
    return result;
  };
  EXPECT_EQ(actions({.organisation = organisation_id}),
            (std::vector<std::string>{"organisation.create", "role.add", "role.remove"}));
  EXPECT_EQ(actions({.organisation = other_organisation}),
            (std::vector<std::string>{"organisation.create", "role.add"}));
  EXPECT_EQ(actions({.person = person_id}),
            (std::vector<std::string>{"person.create", "role.add", "role.add", "role.remove"}));
  EXPECT_EQ(actions({.organisation = organisation_id, .person = person_id}),
            (std::vector<std::string>{"role.add", "role.remove"}));
}

TEST_F(RegistryRepositoryTest, ProposedManagerIsListedInactiveAndGrantsNothing) {
  const auto organisation_id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  const auto person_id = createPerson("Pieter", "Bakker");
  ASSERT_TRUE(registry().addRole(person_id, organisation_id, core::Role::manager, servicedesk_,
                                 /*active=*/false));
  EXPECT_EQ(details(lastAuditRecord().first).at("active").as_bool(), false);

  const auto members = registry().organisationMembers(organisation_id).value();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].person.id, person_id);
  EXPECT_EQ(members[0].role, core::Role::manager);
  EXPECT_FALSE(members[0].active);
  EXPECT_TRUE(registry().findPrincipal(person_id).value()->memberships.empty());
  // The proposal is a role all the same: it cannot be added twice.
  expectError(registry().addRole(person_id, organisation_id, core::Role::manager, servicedesk_),
              ErrorKind::conflict, "role.exists");
}

TEST_F(RegistryRepositoryTest, OrganisationMembersAreOrderedByRoleThenSurname) {
  const auto organisation_id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  const auto other_organisation = createOrganisation("Andere B.V.", "87654321", "");
  const auto add = [&](std::string given_name, std::string surname, core::Role role) {
    const auto id = createPerson(std::move(given_name), std::move(surname));
    EXPECT_TRUE(registry().addRole(id, organisation_id, role, servicedesk_));
    return id;
  };
  add("Mark", "aalders", core::Role::manager);
  add("Sanne", "Jansen", core::Role::contact);
  add("Anna", "Bakker", core::Role::contact);
  const auto both = add("Willem", "van Dijk", core::Role::representative);
  ASSERT_TRUE(registry().addRole(both, organisation_id, core::Role::contact, servicedesk_));
  const auto elsewhere = createPerson("Fatima", "El Amrani");
  ASSERT_TRUE(registry().addRole(elsewhere, other_organisation, core::Role::contact, servicedesk_));

  std::vector<std::pair<std::string, core::Role>> listed;
  for (const auto& member : registry().organisationMembers(organisation_id).value()) {
    listed.emplace_back(member.person.surname, member.role);
    EXPECT_TRUE(member.active);
  }
  const std::vector<std::pair<std::string, core::Role>> expected = {
      {"van Dijk", core::Role::representative}, {"Bakker", core::Role::contact},
      {"Jansen", core::Role::contact},          {"van Dijk", core::Role::contact},
      {"aalders", core::Role::manager},
  };
  EXPECT_EQ(listed, expected);
  const auto members = registry().organisationMembers(organisation_id).value();
  EXPECT_EQ(members[0].person.given_name, "Willem");
  EXPECT_EQ(members[0].person.email, "p@example.nl");
  EXPECT_TRUE(members[0].person.portal_access);
  EXPECT_TRUE(registry().organisationMembers(organisation_id + 100).value().empty());
}

TEST_F(RegistryRepositoryTest, CertificateIdentitiesAreListedAndRemoved) {
  const auto person_id = createPerson("Jan", "Jansen");
  const auto other = createPerson("Piet", "Pietersen");
  const core::CertificateIdentity renewed{"CN=TSP Persoon CA G2,O=TSP,C=NL", "900001234"};
  const core::CertificateIdentity others{identity_.issuer_dn, "900005678"};
  ASSERT_TRUE(registry().addCertificateIdentity(person_id, identity_, servicedesk_));
  ASSERT_TRUE(registry().addCertificateIdentity(person_id, renewed, servicedesk_));
  ASSERT_TRUE(registry().addCertificateIdentity(other, others, servicedesk_));
  EXPECT_EQ(registry().certificateIdentities(person_id).value(),
            (std::vector<core::CertificateIdentity>{identity_, renewed}));

  ASSERT_TRUE(registry().removeCertificateIdentity(person_id, identity_, servicedesk_));
  EXPECT_EQ(registry().certificateIdentities(person_id).value(),
            std::vector<core::CertificateIdentity>{renewed});
  EXPECT_FALSE(registry().findPrincipalByCertificate(identity_).value());
  const auto [record, count] = lastAuditRecord();
  EXPECT_EQ(record.event.action, "certificate_identity.remove");
  EXPECT_EQ(record.event.object, "person:" + std::to_string(person_id));
  EXPECT_EQ(details(record).at("subject_serial").as_string(), identity_.subject_serial);

  expectError(registry().removeCertificateIdentity(person_id, identity_, servicedesk_),
              ErrorKind::not_found, "certificate_identity.not_found");
  // Someone else's identity is not theirs to lose.
  expectError(registry().removeCertificateIdentity(person_id, others, servicedesk_),
              ErrorKind::not_found, "certificate_identity.not_found");
  EXPECT_EQ(registry().findPrincipalByCertificate(others).value()->person.id, other);
  EXPECT_EQ(auditRecords().size(), count);
  EXPECT_TRUE(registry().certificateIdentities(other + 100).value().empty());
}

TEST_F(RegistryRepositoryTest, ValidatedDomainsAreRemovedWhateverTheCase) {
  const auto id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  ASSERT_TRUE(registry().addValidatedDomain(id, "voorbeeld.nl", servicedesk_));
  ASSERT_TRUE(registry().addValidatedDomain(id, "example.nl", servicedesk_));
  ASSERT_TRUE(registry().removeValidatedDomain(id, "VOORBEELD.nl", servicedesk_));
  EXPECT_EQ(registry().validatedDomains(id).value(), std::vector<std::string>{"example.nl"});
  const auto [record, count] = lastAuditRecord();
  EXPECT_EQ(record.event.action, "domain.remove");
  EXPECT_EQ(record.event.object, "organisation:" + std::to_string(id));
  EXPECT_EQ(details(record), (boost::json::object{{"domain", "voorbeeld.nl"}}));

  expectError(registry().removeValidatedDomain(id, "voorbeeld.nl", servicedesk_),
              ErrorKind::not_found, "domain.not_found");
  expectError(registry().removeValidatedDomain(id + 100, "example.nl", servicedesk_),
              ErrorKind::not_found, "domain.not_found");
  EXPECT_EQ(auditRecords().size(), count);
}

TEST_F(RegistryRepositoryTest, ProfessionalDetailsAreRecordedAndReplaced) {
  auto notaris = person("Eva", "de Boer");
  notaris.professional = true;
  notaris.profession = "Notaris";
  const auto id = registry().createPerson(notaris, servicedesk_).value();
  EXPECT_FALSE(registry().professionalDetails(id).value());

  core::ProfessionalDetails details_in{id,
                                       "KNB-12345",
                                       {"Notarisplein 1", "3511 AA", "Utrecht", "NL"},
                                       {{"Postbus 99", "3500 AA", "Utrecht", "NL"},
                                        "Administratie",
                                        "administratie@notaris.example",
                                        "",
                                        "NL009876543B01"}};
  const auto saved = registry().saveProfessionalDetails(details_in, servicedesk_);
  ASSERT_TRUE(saved) << saved.error().message;
  auto stored = registry().professionalDetails(id).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->person, id);
  EXPECT_EQ(stored->registration_number, "KNB-12345");
  EXPECT_EQ(stored->address.street, "Notarisplein 1");
  EXPECT_EQ(stored->address.city, "Utrecht");
  EXPECT_EQ(stored->billing.address.street, "Postbus 99");
  EXPECT_EQ(stored->billing.attention_of, "Administratie");
  EXPECT_EQ(stored->billing.email, "administratie@notaris.example");
  EXPECT_EQ(stored->billing.purchase_order_reference, "");
  EXPECT_EQ(stored->billing.vat_number, "NL009876543B01");
  auto [record, count] = lastAuditRecord();
  EXPECT_EQ(record.event.action, "professional_details.create");
  EXPECT_EQ(record.event.object, "person:" + std::to_string(id));
  EXPECT_EQ(details(record).at("registration_number").as_string(), "KNB-12345");
  EXPECT_EQ(details(record).at("billing_email").as_string(), "administratie@notaris.example");

  details_in.address.street = "Notarisplein 2";
  ASSERT_TRUE(registry().saveProfessionalDetails(details_in, servicedesk_));
  EXPECT_EQ(registry().professionalDetails(id).value()->address.street, "Notarisplein 2");
  std::tie(record, count) = lastAuditRecord();
  EXPECT_EQ(record.event.action, "professional_details.update");
  EXPECT_EQ(details(record),
            (boost::json::object{{"street", beforeAfter("Notarisplein 1", "Notarisplein 2")}}));
  ASSERT_TRUE(registry().saveProfessionalDetails(details_in, servicedesk_));
  EXPECT_EQ(auditRecords().size(), count);

  details_in.person = id + 100;
  expectError(registry().saveProfessionalDetails(details_in, servicedesk_), ErrorKind::not_found,
              "person.not_found");
  EXPECT_FALSE(registry().professionalDetails(id + 100).value());
}

TEST_F(RegistryRepositoryTest, SearchesOrganisationsByNameKvkAndOin) {
  const auto voorbeeld = createOrganisation("Voorbeeld B.V.", "12345678", "00000001123456780000");
  const auto andere = createOrganisation("andere Organisatie B.V.", "87654321", "");
  const auto percent = createOrganisation("100% Zeker N.V.", "11223344", "");
  const auto ids = [&](const std::string& text, int limit = 50) {
    std::vector<core::OrganisationId> result;
    for (const auto& o : registry().searchOrganisations(text, limit).value())
      result.push_back(o.id);
    return result;
  };
  EXPECT_EQ(ids("VOORBEELD"), std::vector<core::OrganisationId>{voorbeeld});
  EXPECT_EQ(ids("b.v."), (std::vector<core::OrganisationId>{andere, voorbeeld}));
  EXPECT_EQ(ids("87654321"), std::vector<core::OrganisationId>{andere});
  EXPECT_EQ(ids("00000001123456780000"), std::vector<core::OrganisationId>{voorbeeld});
  // Numbers match exactly, not as part of another number.
  EXPECT_TRUE(ids("1234567").empty());
  // LIKE wildcards in the text are plain characters.
  EXPECT_EQ(ids("%"), std::vector<core::OrganisationId>{percent});
  EXPECT_TRUE(ids("_").empty());
  // Everything for an empty text, by name whatever the case, at most `limit`.
  EXPECT_EQ(ids(""), (std::vector<core::OrganisationId>{percent, andere, voorbeeld}));
  EXPECT_EQ(ids("", 2), (std::vector<core::OrganisationId>{percent, andere}));
  const auto found = registry().searchOrganisations("Voorbeeld", 10).value();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].billing.vat_number, "NL001234567B01");
  EXPECT_TRUE(found[0].portal_enabled);
}

TEST_F(RegistryRepositoryTest, SearchesPersonsByNameAndEmail) {
  const auto jan = createPerson("Jan", "Jansen");
  auto sanne_data = person("Sanne", "de Vries");
  sanne_data.email = "s.devries@voorbeeld.nl";
  const auto sanne = registry().createPerson(sanne_data, servicedesk_).value();
  const auto anna = createPerson("Anna", "Bakker");
  const auto ids = [&](const std::string& text, int limit = 50) {
    std::vector<core::PersonId> result;
    for (const auto& p : registry().searchPersons(text, limit).value()) result.push_back(p.id);
    return result;
  };
  EXPECT_EQ(ids("jan jansen"), std::vector<core::PersonId>{jan});
  EXPECT_EQ(ids("VRIES"), std::vector<core::PersonId>{sanne});
  EXPECT_EQ(ids("@voorbeeld.nl"), std::vector<core::PersonId>{sanne});
  EXPECT_EQ(ids("an"), (std::vector<core::PersonId>{anna, sanne, jan}));
  EXPECT_EQ(ids(""), (std::vector<core::PersonId>{anna, sanne, jan}));
  EXPECT_EQ(ids("", 1), std::vector<core::PersonId>{anna});
  EXPECT_TRUE(ids("%").empty());
  EXPECT_EQ(registry().searchPersons("Bakker", 10).value().at(0).displayName(), "Anna Bakker");
}

TEST_F(RegistryRepositoryTest, DeletingAPersonRemovesRolesAndIdentities) {
  const auto organisation_id = createOrganisation("Voorbeeld B.V.", "12345678", "");
  const auto person_id = createPerson("Jan", "Jansen");
  ASSERT_TRUE(registry().addRole(person_id, organisation_id, core::Role::contact, servicedesk_));
  ASSERT_TRUE(registry().addCertificateIdentity(person_id, identity_, servicedesk_));
  auto raw = rawSession();
  *raw << "PRAGMA foreign_keys = ON";
  *raw << "DELETE FROM persons WHERE id = :id", soci::use(person_id);
  int left = -1;
  *raw << "SELECT (SELECT COUNT(*) FROM roles) + (SELECT COUNT(*) FROM certificate_identities)",
      soci::into(left);
  EXPECT_EQ(left, 0);
}

}  // namespace
