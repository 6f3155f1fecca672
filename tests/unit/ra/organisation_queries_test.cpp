#include "ra/organisation_queries.hpp"

#include "../storage/storage_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using core::ErrorKind;
using core::Role;

class OrganisationQueriesTest : public storage_test::SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    if (HasFatalFailure()) return;
    registry_.emplace(*database_, clock_);
    inventory_.emplace(*database_);
    officer_.person.servicedesk = true;
    officer_.person.portal_access = true;
  }
  void TearDown() override {
    inventory_.reset();
    registry_.reset();
    SqliteTest::TearDown();
  }

  ra::OrganisationQueries queries() {
    return ra::OrganisationQueries{*registry_, *inventory_, clock_, ra::CardOrderSettings{}};
  }

  /// A person as the login finds them.
  core::Principal principal(core::PersonId id) {
    return registry_->findPrincipal(id).value().value();
  }

  core::OrganisationId createOrganisation(std::string name, std::string kvk, std::string oin) {
    return registry_->createOrganisation(organisation(name, kvk, oin), servicedesk_).value();
  }

  core::PersonId createPerson(std::string given_name, std::string surname) {
    return registry_->createPerson(person(given_name, surname), servicedesk_).value();
  }

  core::PersonId member(core::OrganisationId organisation, std::string given_name,
                        std::string surname, Role role, bool active = true) {
    const auto id = createPerson(std::move(given_name), std::move(surname));
    EXPECT_TRUE(registry_->addRole(id, organisation, role, servicedesk_, active));
    return id;
  }

  static std::vector<std::string> names(const std::vector<core::Person>& people) {
    std::vector<std::string> result;
    for (const auto& p : people) result.push_back(p.displayName());
    return result;
  }

  std::optional<storage::RegistryRepository> registry_;
  std::optional<storage::CertificateInventory> inventory_;
  core::Principal officer_;  ///< sees every organisation
};

TEST_F(OrganisationQueriesTest, ProfileHoldsTheOrganisationItsMembersByRoleAndItsDomains) {
  const auto id = createOrganisation("Voorbeeld B.V.", "12345678", "00000001812345678000");
  member(id, "Willem", "van Dijk", Role::representative);
  member(id, "Sanne", "Jansen", Role::contact);
  member(id, "Anna", "Appel", Role::contact);
  member(id, "Pieter", "Bakker", Role::manager);
  ASSERT_TRUE(registry_->addValidatedDomain(id, "voorbeeld.nl", servicedesk_));
  ASSERT_TRUE(registry_->addValidatedDomain(id, "api.voorbeeld.nl", servicedesk_));

  const auto profile = queries().organisation(officer_, id);
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(profile->organisation.id, id);
  EXPECT_EQ(profile->organisation.name, "Voorbeeld B.V.");
  EXPECT_EQ(profile->organisation.kvk, "12345678");
  EXPECT_EQ(profile->organisation.oin, "00000001812345678000");
  EXPECT_EQ(profile->organisation.billing.vat_number, "NL001234567B01");
  EXPECT_EQ(names(profile->representatives), std::vector<std::string>{"Willem van Dijk"});
  EXPECT_EQ(names(profile->contacts), (std::vector<std::string>{"Anna Appel", "Sanne Jansen"}));
  EXPECT_EQ(names(profile->managers), std::vector<std::string>{"Pieter Bakker"});
  EXPECT_EQ(profile->validated_domains,
            (std::vector<std::string>{"api.voorbeeld.nl", "voorbeeld.nl"}));
}

TEST_F(OrganisationQueriesTest, ProposedCertificateManagerIsNotListedUntilActive) {
  const auto id = createOrganisation("Voorbeeld B.V.", "12345678", "00000001812345678000");
  member(id, "Pieter", "Bakker", Role::manager);
  member(id, "Nieuwe", "Beheerder", Role::manager, /*active=*/false);

  const auto profile = queries().organisation(officer_, id);
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(names(profile->managers), std::vector<std::string>{"Pieter Bakker"});
}

TEST_F(OrganisationQueriesTest, ProfileListsOnlyThisOrganisationsMembers) {
  const auto voorbeeld = createOrganisation("Voorbeeld B.V.", "12345678", "00000001812345678000");
  const auto andere = createOrganisation("Andere Organisatie B.V.", "87654321", "");
  member(voorbeeld, "Sanne", "Jansen", Role::contact);
  member(andere, "Fatima", "El Amrani", Role::contact);
  ASSERT_TRUE(registry_->addValidatedDomain(andere, "andere-organisatie.nl", servicedesk_));
  const auto both = member(voorbeeld, "Noor", "Visser", Role::contact);
  ASSERT_TRUE(registry_->addRole(both, andere, Role::representative, servicedesk_));

  const auto profile = queries().organisation(officer_, voorbeeld);
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(names(profile->contacts), (std::vector<std::string>{"Sanne Jansen", "Noor Visser"}));
  EXPECT_TRUE(profile->representatives.empty());
  EXPECT_TRUE(profile->managers.empty());
  EXPECT_TRUE(profile->validated_domains.empty());
}

TEST_F(OrganisationQueriesTest, AnotherOrganisationIsNotFoundBeforeAnythingIsRead) {
  const auto voorbeeld = createOrganisation("Voorbeeld B.V.", "12345678", "");
  const auto andere = createOrganisation("Andere Organisatie B.V.", "87654321", "");
  const auto contact = principal(member(voorbeeld, "Sanne", "Jansen", Role::contact));
  EXPECT_TRUE(queries().organisation(contact, voorbeeld));
  EXPECT_TRUE(queries().organisation(contact, voorbeeld)->may_order);
  EXPECT_FALSE(queries().organisation(officer_, voorbeeld)->may_order) << "sees, never orders";
  for (const auto organisation : {andere, core::OrganisationId{4242}}) {
    const auto refused = queries().organisation(contact, organisation);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::not_found);
  }
}

TEST_F(OrganisationQueriesTest, UnknownOrganisationIsNotFound) {
  const auto profile = queries().organisation(officer_, 4242);
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().kind, ErrorKind::not_found);
}

TEST_F(OrganisationQueriesTest, ProfessionalSeesPersonAndApplicationData) {
  auto notary = person("Eva", "de Boer");
  notary.professional = true;
  notary.profession = "Notaris";
  const auto id = registry_->createPerson(notary, servicedesk_).value();
  core::ProfessionalDetails details{.person = id,
                                    .registration_number = "KNB-2019-0142",
                                    .address = {"Herengracht 420", "1017 BZ", "Amsterdam", "NL"},
                                    .billing = {{"Postbus 1500", "1000 BM", "Amsterdam", "NL"},
                                                "De Boer Notarissen",
                                                "administratie@deboer-notarissen.nl",
                                                "",
                                                "NL812345678B01"}};
  ASSERT_TRUE(registry_->saveProfessionalDetails(details, servicedesk_));

  const auto profile = queries().professional(principal(id));
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(profile->person.displayName(), "Eva de Boer");
  EXPECT_EQ(profile->person.profession, "Notaris");
  ASSERT_TRUE(profile->details);
  EXPECT_EQ(profile->details->registration_number, "KNB-2019-0142");
  EXPECT_EQ(profile->details->address.city, "Amsterdam");
  EXPECT_EQ(profile->details->billing.attention_of, "De Boer Notarissen");
  EXPECT_EQ(profile->details->billing.vat_number, "NL812345678B01");
}

TEST_F(OrganisationQueriesTest, ProfessionalWithoutRecordedDataHasNoDetails) {
  auto notary = person("Eva", "de Boer");
  notary.professional = true;
  const auto id = registry_->createPerson(notary, servicedesk_).value();

  const auto profile = queries().professional(principal(id));
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_FALSE(profile->details);
}

TEST_F(OrganisationQueriesTest, OnlyAProfessionalHolderHasProfessionalData) {
  const auto contact = createPerson("Sanne", "Jansen");
  const auto not_professional = queries().professional(principal(contact));
  ASSERT_FALSE(not_professional);
  EXPECT_EQ(not_professional.error().kind, ErrorKind::forbidden);
}

}  // namespace
