#include "ra/registry_service.hpp"

#include "../pki/pki_test_support.hpp"
#include "../storage/storage_test_support.hpp"
#include "storage/session_repository.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using core::ErrorKind;
using core::FieldError;

class RegistryServiceTest : public storage_test::SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    audit_log_ = std::make_unique<storage::AuditRepository>(*database_);
    service_ = std::make_unique<ra::RegistryService>(*registry_, *audit_log_, clock_);
    core::Person officer = person("Johan", "Smit");
    officer.servicedesk = true;
    officer_.person = officer;
    officer_.person.id = registry_->createPerson(officer, audit::Actor::system("test")).value();
  }
  void TearDown() override {
    service_.reset();
    audit_log_.reset();
    registry_.reset();
    SqliteTest::TearDown();
  }

  /// Every audit record so far.
  std::vector<audit::Record> auditRecords() { return audit_log_->find({.limit = 1000}).value(); }

  /// Registers a valid organisation through the service.
  core::OrganisationId registerOrganisation(std::string name, std::string kvk) {
    auto id = service_->registerOrganisation(officer_, organisation(std::move(name), kvk, ""));
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  /// Registers a valid person through the service.
  core::PersonId registerPerson(std::optional<ra::InitialRole> role = std::nullopt) {
    auto id = service_->registerPerson(officer_, person("Sanne", "Jansen"), role);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  /// Expects a validation failure with exactly `fields`, and that nothing was written.
  template <class T>
  void expectInvalid(const core::Result<T>& result, ErrorKind kind,
                     const std::vector<FieldError>& fields, std::size_t audit_records_before) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, kind);
    EXPECT_EQ(result.error().message, "validation.failed");
    EXPECT_EQ(result.error().fields, fields);
    EXPECT_EQ(auditRecords().size(), audit_records_before) << "something was written";
  }

  /// A PEM certificate with the given subject, issued by a throw-away CA.
  static pki::Certificate certificate(std::vector<pki::SubjectAttribute> subject) {
    const auto ca = pki::test::issue(pki::test::caSpec("Test Persons CA", 1), nullptr);
    auto spec = pki::test::leafSpec("Sanne Jansen", 2);
    spec.subject = std::move(subject);
    return pki::test::issue(spec, &ca).certificate;
  }

  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::AuditRepository> audit_log_;
  std::unique_ptr<ra::RegistryService> service_;
  core::Principal officer_;
};

TEST_F(RegistryServiceTest, RegistersANormalisedOrganisationAuditedAsTheOfficer) {
  auto input = organisation("  Nieuw B.V. ", "11223344", "00000003112233440000");
  input.visiting_address.postal_code = "1234ab";
  input.portal_enabled = false;
  const auto id = service_->registerOrganisation(officer_, input);
  ASSERT_TRUE(id) << id.error().message;
  const auto stored = registry_->findOrganisation(*id).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->name, "Nieuw B.V.");
  EXPECT_EQ(stored->visiting_address.postal_code, "1234 AB");
  EXPECT_FALSE(stored->portal_enabled);
  const auto record = auditRecords().back();
  EXPECT_EQ(record.event.action, "organisation.create");
  EXPECT_EQ(record.event.actor, "person:" + std::to_string(officer_.person.id));
}

TEST_F(RegistryServiceTest, InvalidOrganisationReportsEveryFieldAndStoresNothing) {
  auto input = organisation("", "123", "00000003999999990000");
  input.billing.email = "facturen@";
  const auto before = auditRecords().size();
  expectInvalid(service_->registerOrganisation(officer_, input), ErrorKind::invalid,
                {{"name", "validation.required"},
                 {"kvk", "validation.kvk"},
                 {"billing_email", "validation.email"}},
                before);
  EXPECT_TRUE(service_->searchOrganisations(officer_, "").value().empty());
}

TEST_F(RegistryServiceTest, TakenKvkOrOinIsReportedAtTheField) {
  registerOrganisation("Eerste B.V.", "11223344");
  const auto before = auditRecords().size();
  expectInvalid(service_->registerOrganisation(officer_, organisation("Tweede", "11223344", "")),
                ErrorKind::conflict, {{"kvk", "validation.kvk_taken"}}, before);

  const auto other = service_->registerOrganisation(
      officer_, organisation("Derde", "55667788", "00000001999999999000"));
  ASSERT_TRUE(other);
  auto changed = organisation("Vierde", "99887766", "00000001999999999000");
  changed.id = registerOrganisation("Vierde", "99887766");
  const auto count = auditRecords().size();
  expectInvalid(service_->updateOrganisation(officer_, changed), ErrorKind::conflict,
                {{"oin", "validation.oin_taken"}}, count);
}

TEST_F(RegistryServiceTest, UpdatesAnOrganisationButNotItsPortalSetting) {
  const auto id = registerOrganisation("Oud B.V.", "11223344");
  ASSERT_TRUE(service_->setPortalEnabled(officer_, id, true));
  auto changed = organisation("Nieuw B.V.", "11223344", "");
  changed.id = id;
  changed.portal_enabled = false;
  ASSERT_TRUE(service_->updateOrganisation(officer_, changed));
  const auto stored = service_->organisation(officer_, id).value().organisation;
  EXPECT_EQ(stored.name, "Nieuw B.V.");
  EXPECT_TRUE(stored.portal_enabled);

  changed.kvk = "x";
  const auto before = auditRecords().size();
  expectInvalid(service_->updateOrganisation(officer_, changed), ErrorKind::invalid,
                {{"kvk", "validation.kvk"}}, before);
  EXPECT_EQ(service_->organisation(officer_, id).value().organisation.kvk, "11223344");

  changed = organisation("Niemand", "12121212", "");
  changed.id = id + 100;
  EXPECT_EQ(service_->updateOrganisation(officer_, changed).error().kind, ErrorKind::not_found);
}

TEST_F(RegistryServiceTest, PortalIsEnabledAndDisabled) {
  const auto id = registerOrganisation("Portaal B.V.", "11223344");
  ASSERT_TRUE(service_->setPortalEnabled(officer_, id, true));
  EXPECT_TRUE(service_->organisation(officer_, id).value().organisation.portal_enabled);
  ASSERT_TRUE(service_->setPortalEnabled(officer_, id, false));
  EXPECT_FALSE(service_->organisation(officer_, id).value().organisation.portal_enabled);
  EXPECT_EQ(service_->setPortalEnabled(officer_, id + 100, true).error().kind,
            ErrorKind::not_found);
}

TEST_F(RegistryServiceTest, DomainsAreCheckedStoredLowerCaseAndRemoved) {
  const auto id = registerOrganisation("Domein B.V.", "11223344");
  ASSERT_TRUE(service_->addDomain(officer_, id, " WWW.Domein.NL "));
  EXPECT_EQ(service_->organisation(officer_, id).value().domains,
            std::vector<std::string>{"www.domein.nl"});

  const auto before = auditRecords().size();
  expectInvalid(service_->addDomain(officer_, id, "*.domein.nl"), ErrorKind::invalid,
                {{"domain", "validation.domain_wildcard"}}, before);
  expectInvalid(service_->addDomain(officer_, id, "192.0.2.1"), ErrorKind::invalid,
                {{"domain", "validation.domain_ip"}}, before);
  expectInvalid(service_->addDomain(officer_, id, "www.domein.nl", "telefoon"), ErrorKind::invalid,
                {{"method", "validation.domain_method"}}, before);
  // Adding it again validates it afresh (ADR 0025).
  ASSERT_TRUE(service_->addDomain(officer_, id, "www.domein.nl", "dns"));
  EXPECT_EQ(service_->organisation(officer_, id).value().domains,
            std::vector<std::string>{"www.domein.nl"});

  ASSERT_TRUE(service_->removeDomain(officer_, id, "WWW.DOMEIN.NL"));
  EXPECT_TRUE(service_->organisation(officer_, id).value().domains.empty());
  EXPECT_EQ(service_->removeDomain(officer_, id, "www.domein.nl").error().kind,
            ErrorKind::not_found);
}

TEST_F(RegistryServiceTest, RegistersAPersonWithAFirstRoleButNoAccessOrFlags) {
  const auto organisation_id = registerOrganisation("Rol B.V.", "11223344");
  auto input = person(" Sanne ", "Jansen");
  input.portal_access = true;
  input.servicedesk = true;
  input.professional = true;
  const auto id = service_->registerPerson(officer_, input,
                                           ra::InitialRole{organisation_id, core::Role::contact});
  ASSERT_TRUE(id) << id.error().message;
  const auto file = service_->person(officer_, *id).value();
  EXPECT_EQ(file.person.given_name, "Sanne");
  EXPECT_FALSE(file.person.portal_access);
  EXPECT_FALSE(file.person.servicedesk);
  EXPECT_FALSE(file.person.professional);
  ASSERT_EQ(file.memberships.size(), 1u);
  EXPECT_EQ(file.memberships[0].organisation_id, organisation_id);
  EXPECT_EQ(file.memberships[0].role, core::Role::contact);

  const auto members = service_->organisation(officer_, organisation_id).value().members;
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].person.id, *id);
}

TEST_F(RegistryServiceTest, InvalidPersonOrUnknownOrganisationStoresNothing) {
  const auto before = auditRecords().size();
  core::Person input;
  input.email = "sanne";
  input.phone = "123";
  expectInvalid(service_->registerPerson(officer_, input), ErrorKind::invalid,
                {{"given_name", "validation.required"},
                 {"surname", "validation.required"},
                 {"email", "validation.email"},
                 {"phone", "validation.phone"}},
                before);
  const auto unknown = service_->registerPerson(officer_, person("Sanne", "Jansen"),
                                                ra::InitialRole{999, core::Role::contact});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_EQ(auditRecords().size(), before);
  EXPECT_EQ(service_->searchPersons(officer_, "Sanne").value().size(), 0u);
}

TEST_F(RegistryServiceTest, UpdatePersonKeepsProfessionAccessAndFlags) {
  core::Person notary = person("Eva", "de Boer");
  notary.professional = true;
  notary.profession = "Notaris";
  const auto id = registry_->createPerson(notary, audit::Actor::system("test")).value();
  core::Person changed = person("Eva", "de Boer-Visser");
  changed.id = id;
  changed.portal_access = false;
  changed.email = "eva@deboer.nl";
  ASSERT_TRUE(service_->updatePerson(officer_, changed));
  const auto stored = service_->person(officer_, id).value().person;
  EXPECT_EQ(stored.surname, "de Boer-Visser");
  EXPECT_EQ(stored.email, "eva@deboer.nl");
  EXPECT_EQ(stored.profession, "Notaris");
  EXPECT_TRUE(stored.professional);
  EXPECT_TRUE(stored.portal_access);

  changed.email = "";
  const auto before = auditRecords().size();
  expectInvalid(service_->updatePerson(officer_, changed), ErrorKind::invalid,
                {{"email", "validation.required"}}, before);
  changed = person("Niemand", "Anders");
  changed.id = id + 100;
  EXPECT_EQ(service_->updatePerson(officer_, changed).error().kind, ErrorKind::not_found);
}

TEST_F(RegistryServiceTest, RolesAreAddedByKvkNumberAndRemoved) {
  const auto organisation_id = registerOrganisation("Rol B.V.", "11223344");
  registerOrganisation("Rol 11223344 Holding", "44332211");  // a name holding the KvK number
  const auto id = registerPerson();
  const auto before = auditRecords().size();
  expectInvalid(service_->addRole(officer_, id, "", core::Role::manager), ErrorKind::invalid,
                {{"organisation_kvk", "validation.required"}}, before);
  expectInvalid(service_->addRole(officer_, id, "1122", core::Role::manager), ErrorKind::invalid,
                {{"organisation_kvk", "validation.kvk"}}, before);
  expectInvalid(service_->addRole(officer_, id, "99999999", core::Role::manager),
                ErrorKind::invalid, {{"organisation_kvk", "validation.organisation_unknown"}},
                before);

  ASSERT_TRUE(service_->addRole(officer_, id, " 11223344 ", core::Role::manager));
  auto memberships = service_->person(officer_, id).value().memberships;
  ASSERT_EQ(memberships.size(), 1u);
  EXPECT_EQ(memberships[0].organisation_id, organisation_id);
  EXPECT_EQ(memberships[0].role, core::Role::manager);
  const auto count = auditRecords().size();
  expectInvalid(service_->addRole(officer_, id, "11223344", core::Role::manager),
                ErrorKind::conflict, {{"role", "validation.role_exists"}}, count);

  ASSERT_TRUE(service_->removeRole(officer_, id, organisation_id, core::Role::manager));
  EXPECT_TRUE(service_->person(officer_, id).value().memberships.empty());
  EXPECT_EQ(service_->removeRole(officer_, id, organisation_id, core::Role::manager).error().kind,
            ErrorKind::not_found);
}

TEST_F(RegistryServiceTest, CertificateIdentityComesFromIssuerAndSubjectSerialNumber) {
  const auto id = registerPerson();
  const auto cert = certificate({{"C", "NL"}, {"CN", "Sanne Jansen"}, {"serialNumber", "9001"}});
  const auto identity = service_->registerCertificate(officer_, id, cert.toPem());
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->issuer_dn, cert.issuerDn());
  EXPECT_EQ(identity->subject_serial, "9001");
  EXPECT_EQ(service_->person(officer_, id).value().identities,
            std::vector<core::CertificateIdentity>{*identity});
  const auto found = registry_->findPrincipalByCertificate(*identity).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->person.id, id);

  // The same identity (e.g. the renewed card) cannot be registered again, not even as DER.
  const auto der = cert.toDer();
  const auto before = auditRecords().size();
  expectInvalid(service_->registerCertificate(
                    officer_, registerPerson(),
                    std::string_view(reinterpret_cast<const char*>(der.data()), der.size())),
                ErrorKind::conflict, {{"certificate", "validation.identity_taken"}}, before + 1);
}

TEST_F(RegistryServiceTest, CertificateIsAcceptedAsDer) {
  const auto id = registerPerson();
  const auto der =
      certificate({{"C", "NL"}, {"CN", "Sanne Jansen"}, {"serialNumber", "9002"}}).toDer();
  const auto identity = service_->registerCertificate(
      officer_, id, std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->subject_serial, "9002");
}

TEST_F(RegistryServiceTest, UnusableCertificatesAreFieldErrors) {
  const auto id = registerPerson();
  const auto before = auditRecords().size();
  expectInvalid(service_->registerCertificate(officer_, id, "  \n"), ErrorKind::invalid,
                {{"certificate", "validation.certificate_missing"}}, before);
  expectInvalid(service_->registerCertificate(officer_, id, "-----BEGIN CERTIFICATE-----\nxx"),
                ErrorKind::invalid, {{"certificate", "validation.certificate"}}, before);
  expectInvalid(service_->registerCertificate(officer_, id, "not a certificate"),
                ErrorKind::invalid, {{"certificate", "validation.certificate"}}, before);
  const auto without_serial = certificate({{"C", "NL"}, {"CN", "Sanne Jansen"}}).toPem();
  expectInvalid(service_->registerCertificate(officer_, id, without_serial), ErrorKind::invalid,
                {{"certificate", "validation.certificate_serial_number"}}, before);
}

TEST_F(RegistryServiceTest, TypedIdentitiesAreCheckedAddedAndRemoved) {
  const auto id = registerPerson();
  const auto before = auditRecords().size();
  expectInvalid(service_->addCertificateIdentity(officer_, id, {"", " "}), ErrorKind::invalid,
                {{"issuer_dn", "validation.required"}, {"subject_serial", "validation.required"}},
                before);
  ASSERT_TRUE(service_->addCertificateIdentity(officer_, id, {" CN=Persons CA,C=NL ", "42 "}));
  const core::CertificateIdentity identity{"CN=Persons CA,C=NL", "42"};
  EXPECT_EQ(service_->person(officer_, id).value().identities,
            std::vector<core::CertificateIdentity>{identity});
  const auto count = auditRecords().size();
  expectInvalid(service_->addCertificateIdentity(officer_, registerPerson(), identity),
                ErrorKind::conflict, {{"subject_serial", "validation.identity_taken"}}, count + 1);

  ASSERT_TRUE(service_->removeCertificateIdentity(officer_, id, identity));
  EXPECT_TRUE(service_->person(officer_, id).value().identities.empty());
  EXPECT_EQ(service_->removeCertificateIdentity(officer_, id, identity).error().kind,
            ErrorKind::not_found);
}

TEST_F(RegistryServiceTest, AccessIsGrantedOnlyToRepresentativesAndContacts) {
  const auto organisation_id = registerOrganisation("Toegang B.V.", "11223344");
  const auto manager = registerPerson(ra::InitialRole{organisation_id, core::Role::manager});
  const auto refused = service_->grantAccess(officer_, manager);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::conflict);
  EXPECT_EQ(refused.error().message, "registry.access_without_role");
  EXPECT_FALSE(service_->person(officer_, manager).value().person.portal_access);

  const auto contact = registerPerson(ra::InitialRole{organisation_id, core::Role::contact});
  ASSERT_TRUE(service_->grantAccess(officer_, contact));
  EXPECT_TRUE(service_->person(officer_, contact).value().person.portal_access);
  EXPECT_EQ(service_->grantAccess(officer_, contact + 100).error().kind, ErrorKind::not_found);
}

TEST_F(RegistryServiceTest, WithdrawingAccessEndsEverySessionOfThatPerson) {
  const auto organisation_id = registerOrganisation("Toegang B.V.", "11223344");
  const auto contact = registerPerson(ra::InitialRole{organisation_id, core::Role::contact});
  ASSERT_TRUE(service_->grantAccess(officer_, contact));
  storage::SessionRepository sessions(*database_);
  for (const auto* hash : {"a", "b"})
    ASSERT_TRUE(sessions.create({hash, contact, "fp", "csrf", clock_.now(), clock_.now(), {}}));
  ASSERT_TRUE(sessions.create({"c", officer_.person.id, "fp", "csrf", clock_.now(), clock_.now()}));

  EXPECT_EQ(service_->withdrawAccess(officer_, contact).value(), 2);
  EXPECT_TRUE(sessions.find("a").value().value().ended_at);
  EXPECT_TRUE(sessions.find("b").value().value().ended_at);
  EXPECT_FALSE(sessions.find("c").value().value().ended_at);
  EXPECT_FALSE(service_->person(officer_, contact).value().person.portal_access);
  EXPECT_EQ(auditRecords().back().event.action, "person.access_withdraw");
}

TEST_F(RegistryServiceTest, SearchesByNameKvkAndOin) {
  registerOrganisation("Alfa B.V.", "11111111");
  registerOrganisation("Beta B.V.", "22222222");
  EXPECT_EQ(service_->searchOrganisations(officer_, "").value().size(), 2u);
  EXPECT_EQ(service_->searchOrganisations(officer_, " alfa ").value().at(0).kvk, "11111111");
  EXPECT_EQ(service_->searchOrganisations(officer_, "22222222").value().at(0).name, "Beta B.V.");
  EXPECT_TRUE(service_->searchOrganisations(officer_, "Gamma").value().empty());
  registerPerson();
  EXPECT_EQ(service_->searchPersons(officer_, "jansen").value().size(), 1u);
}

TEST_F(RegistryServiceTest, UnknownIdsAreNotFound) {
  EXPECT_EQ(service_->organisation(officer_, 999).error().kind, ErrorKind::not_found);
  EXPECT_EQ(service_->person(officer_, 999).error().kind, ErrorKind::not_found);
  EXPECT_EQ(service_->auditLog(officer_, {.organisation = 999}).error().kind, ErrorKind::not_found);
  EXPECT_EQ(service_->auditLog(officer_, {.person = 999}).error().kind, ErrorKind::not_found);
}

TEST_F(RegistryServiceTest, AuditLogOfAnOrganisationShowsItsPersonsRoleChangesWithNames) {
  const auto organisation_id = registerOrganisation("Log B.V.", "11223344");
  registerOrganisation("Ander B.V.", "44332211");
  const auto contact = registerPerson(ra::InitialRole{organisation_id, core::Role::contact});

  const auto page = service_->auditLog(officer_, {.organisation = organisation_id}).value();
  EXPECT_EQ(page.subject, "Log B.V.");
  EXPECT_FALSE(page.next_after);
  std::vector<std::string> actions;
  for (const auto& record : page.records) actions.push_back(record.event.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"organisation.create", "role.add"}));
  const auto officer = "person:" + std::to_string(officer_.person.id);
  EXPECT_EQ(page.names.at(officer), "Johan Smit");
  EXPECT_EQ(page.names.at("person:" + std::to_string(contact)), "Sanne Jansen");
  EXPECT_EQ(page.names.at("organisation:" + std::to_string(organisation_id)), "Log B.V.");

  const auto of_person = service_->auditLog(officer_, {.person = contact}).value();
  EXPECT_EQ(of_person.subject, "Sanne Jansen");
  EXPECT_EQ(of_person.records.size(), 2u);  // person.create, role.add
}

TEST_F(RegistryServiceTest, AuditLogIsReadInPages) {
  const auto id = registerOrganisation("Veel B.V.", "11223344");
  for (int i = 0; i < ra::RegistryService::kAuditPageSize; ++i)
    ASSERT_TRUE(service_->setPortalEnabled(officer_, id, i % 2 == 1));  // each one a change
  const auto first = service_->auditLog(officer_, {.organisation = id}).value();
  ASSERT_EQ(first.records.size(), std::size_t(ra::RegistryService::kAuditPageSize));
  ASSERT_TRUE(first.next_after);
  EXPECT_EQ(*first.next_after, first.records.back().sequence);
  const auto second =
      service_->auditLog(officer_, {.organisation = id, .after_sequence = *first.next_after})
          .value();
  EXPECT_EQ(second.records.size(), 1u);
  EXPECT_FALSE(second.next_after);
  EXPECT_GT(second.records.front().sequence, *first.next_after);
}

TEST_F(RegistryServiceTest, EveryRegistryUseCaseIsTheServicedesksAlone) {
  core::Principal customer;
  customer.person = person("Sanne", "Jansen");
  customer.person.id =
      registry_->createPerson(customer.person, audit::Actor::system("test")).value();
  const auto id = registerOrganisation("Voorbeeld B.V.", "12345678");
  const auto refused = [](const auto& result) {
    return !result && result.error().kind == ErrorKind::forbidden;
  };
  EXPECT_TRUE(refused(service_->searchOrganisations(customer, "")));
  EXPECT_TRUE(refused(service_->searchPersons(customer, "")));
  EXPECT_TRUE(refused(service_->organisation(customer, id)));
  EXPECT_TRUE(refused(service_->person(customer, officer_.person.id)));
  EXPECT_TRUE(refused(service_->auditLog(customer, {})));
  EXPECT_TRUE(
      refused(service_->registerOrganisation(customer, organisation("X B.V.", "11223344", ""))));
  EXPECT_TRUE(refused(service_->setPortalEnabled(customer, id, false)));
  EXPECT_TRUE(refused(service_->addDomain(customer, id, "voorbeeld.nl")));
  EXPECT_TRUE(refused(service_->grantAccess(customer, customer.person.id)));
  // Nothing changed: the organisation is still enabled and has no domain.
  const auto file = service_->organisation(officer_, id).value();
  EXPECT_TRUE(file.organisation.portal_enabled);
  EXPECT_TRUE(file.domains.empty());
}

}  // namespace
