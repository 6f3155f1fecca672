#include "storage/registry_repository.hpp"

#include "storage/audit_repository.hpp"
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

  auto repeated = registry().addValidatedDomain(id, "VOORBEELD.nl", servicedesk_);
  ASSERT_FALSE(repeated);
  EXPECT_EQ(repeated.error().kind, ErrorKind::conflict);
  EXPECT_EQ(repeated.error().message, "domain.exists");
  auto unknown = registry().addValidatedDomain(id + 100, "andere.nl", servicedesk_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_EQ(registry().addValidatedDomain(id, "", servicedesk_).error().kind, ErrorKind::invalid);
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
