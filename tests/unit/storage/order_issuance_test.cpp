// Storage for issuing a server order exactly once (ADR 0006): at most one issuance per order under
// way or done, the certificate stored for an order, the identified certificate manager of an
// order and the activation of their role.

#include "backend_test_support.hpp"
#include "storage/certificate_store.hpp"
#include "storage/order_repository.hpp"
#include "storage/registry_repository.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using backend_test::Backend;
using core::ErrorKind;

class OrderIssuanceTest : public backend_test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    orders_ = std::make_unique<storage::OrderRepository>(*database_, clock_);
    store_ = std::make_unique<storage::CertificateStore>(*database_, clock_);
    organisation_ =
        registry_->createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_)
            .value();
    requester_ = registry_->createPerson(person("Jan", "Jansen"), servicedesk_).value();
    manager_ = registry_->createPerson(person("Piet", "Pietersen"), servicedesk_).value();
  }
  void TearDown() override {
    store_.reset();
    orders_.reset();
    registry_.reset();
    BackendTest::TearDown();
  }

  /// A draft server order naming the manager, or proposing a new one.
  core::Order draft(bool proposed = false) {
    core::Order order;
    order.type = core::OrderType::server_new;
    order.organisation = organisation_;
    order.requested_by = requester_;
    order.requester_identity = {"CN=Test Persons CA,C=NL", "900001234"};
    order.product = "server-private";
    order.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
    order.common_name = "www.voorbeeld.nl";
    order.dns_names = {"www.voorbeeld.nl"};
    order.key_description = "ECDSA P-256";
    order.spki_sha256 = std::string(64, 'a');
    if (proposed)
      order.proposed_manager = core::ProposedManager{"Kees", "kees@voorbeeld.nl", "0301234567"};
    else
      order.manager = manager_;
    order.not_before = clock_.now();
    order.not_after = clock_.now() + std::chrono::days(730);
    order.nonce = "nonce-" + std::to_string(++orders_made_);
    auto created = orders_->createDraft(order, servicedesk_);
    EXPECT_TRUE(created) << created.error().message;
    return created.value();
  }

  /// Reserves `serial` at tls-ca for `order`, as the CA does for a checked certificate.
  core::Result<storage::IssuanceId> reserve(const std::string& serial,
                                            std::optional<core::OrderId> order) {
    return store_->reserveChecked("tls-ca", serial, "server-private", "{}", "tbs", order);
  }

  /// Stores the certificate of a reserved issuance; returns the certificate id.
  core::CertificateId stored(storage::IssuanceId issuance, const std::string& serial) {
    core::IssuedCertificate c;
    c.product = "server-private";
    c.organisation = organisation_;
    c.common_name = "www.voorbeeld.nl";
    c.dns_names = {"www.voorbeeld.nl"};
    c.issuing_ca = "tls-ca";
    c.serial_hex = serial;
    c.not_before = clock_.now();
    c.not_after = clock_.now() + std::chrono::days(730);
    c.sha256_fingerprint = "fp-" + serial;
    c.pem = "PEM";
    c.issued_at = clock_.now();
    auto id = store_->storeIssued(issuance, c, servicedesk_);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  /// The manager role of `person` in the organisation, as organisationMembers lists it.
  std::optional<core::OrganisationMember> managerRole(core::PersonId person) {
    const auto members = registry_->organisationMembers(organisation_).value();
    const auto found = std::find_if(members.begin(), members.end(), [&](const auto& member) {
      return member.person.id == person && member.role == core::Role::manager;
    });
    return found == members.end() ? std::nullopt : std::optional(*found);
  }

  long long count(const std::string& action) {
    const auto actions = auditActions();
    return std::count(actions.begin(), actions.end(), action);
  }

  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::OrderRepository> orders_;
  std::unique_ptr<storage::CertificateStore> store_;
  core::OrganisationId organisation_ = 0;
  core::PersonId requester_ = 0;
  core::PersonId manager_ = 0;
  int orders_made_ = 0;
};

TEST_P(OrderIssuanceTest, AnOrderHasOneIssuanceUnderWayUntilItFails) {
  const core::OrderId order = draft().id;
  const core::OrderId other = draft().id;
  auto first = reserve("4a01", order);
  ASSERT_TRUE(first) << first.error().message;
  auto second = reserve("4a02", order);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::conflict);
  EXPECT_EQ(second.error().message, "certificate.order_in_issuance");
  // Nor is a failure recorded for it (a failure is reserved unchecked first).
  auto unchecked = store_->reserveSerial("tls-ca", "4a08", "server-private", "{}", order);
  ASSERT_FALSE(unchecked);
  EXPECT_EQ(unchecked.error().message, "certificate.order_in_issuance");
  // Another order, and issuances for no order at all, are not limited by it.
  EXPECT_TRUE(reserve("4a03", other));
  EXPECT_TRUE(reserve("4a04", std::nullopt));
  EXPECT_TRUE(reserve("4a05", std::nullopt));

  // A failed issuance does not count: the retry may issue.
  ASSERT_TRUE(store_->markFailed(*first, "signer unavailable"));
  auto retry = reserve("4a06", order);
  ASSERT_TRUE(retry) << retry.error().message;
  EXPECT_FALSE(reserve("4a07", order));
  EXPECT_EQ(number("SELECT COUNT(*) FROM issuances WHERE order_id = " + std::to_string(order)), 2);
}

TEST_P(OrderIssuanceTest, TheDatabaseItselfRefusesASecondIssuanceForAnOrder) {
  const core::OrderId order = draft().id;
  ASSERT_TRUE(reserve("4a01", order));
  // Past the repository's check (two requests that both checked before either inserted), the
  // partial unique index of migration 0005 refuses the second row.
  soci::session sql(database_->pool());
  const std::string insert =
      "INSERT INTO issuances (issuing_ca, serial_hex, product, state, request, order_id, "
      "created_at, updated_at) VALUES ('tls-ca', :serial, 'server-private', :state, '{}', " +
      std::to_string(order) + ", 0, 0)";
  EXPECT_THROW((sql << insert, soci::use(std::string("4a02")), soci::use(std::string("reserved"))),
               soci::soci_error);
  EXPECT_NO_THROW(
      (sql << insert, soci::use(std::string("4a03")), soci::use(std::string("failed"))));
}

TEST_P(OrderIssuanceTest, TheCertificateOfAnOrderIsTheOneItsIssuanceStored) {
  const core::OrderId order = draft().id;
  const core::OrderId other = draft().id;
  EXPECT_EQ(store_->certificateForOrder(order).value(), std::nullopt);

  // Failed first, then issued: the stored one is the order's.
  auto failed = reserve("4a01", order);
  ASSERT_TRUE(failed);
  ASSERT_TRUE(store_->markFailed(*failed, "profile mismatch"));
  auto issuance = reserve("4a02", order);
  ASSERT_TRUE(issuance);
  EXPECT_EQ(store_->certificateForOrder(order).value(), std::nullopt) << "not stored yet";
  const core::CertificateId certificate = stored(*issuance, "4a02");
  ASSERT_GT(certificate, 0);
  EXPECT_EQ(store_->certificateForOrder(order).value(), certificate);
  EXPECT_EQ(store_->certificateForOrder(other).value(), std::nullopt);

  // Once stored, the order never gets a second issuance.
  auto again = reserve("4a03", order);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "certificate.order_in_issuance");
  EXPECT_EQ(number("SELECT COUNT(*) FROM certificates c JOIN issuances i ON i.id = c.issuance_id "
                   "WHERE i.order_id = " +
                   std::to_string(order)),
            1);
}

TEST_P(OrderIssuanceTest, ActivatesAnInactiveRoleOnceAndRefusesAnUnknownOne) {
  ASSERT_TRUE(
      registry_->addRole(manager_, organisation_, core::Role::manager, servicedesk_, false));
  ASSERT_TRUE(managerRole(manager_));
  EXPECT_FALSE(managerRole(manager_)->active);

  ASSERT_TRUE(registry_->activateRole(manager_, organisation_, core::Role::manager, servicedesk_));
  ASSERT_TRUE(managerRole(manager_));
  EXPECT_TRUE(managerRole(manager_)->active);
  EXPECT_EQ(count("role.activate"), 1);

  // Already active: nothing changes and nothing is recorded.
  const auto records = auditActions().size();
  ASSERT_TRUE(registry_->activateRole(manager_, organisation_, core::Role::manager, servicedesk_));
  EXPECT_EQ(auditActions().size(), records);
  EXPECT_TRUE(managerRole(manager_)->active);

  for (const auto& [person, role] : std::vector<std::pair<core::PersonId, core::Role>>{
           {requester_, core::Role::manager}, {manager_, core::Role::contact}}) {
    auto unknown = registry_->activateRole(person, organisation_, role, servicedesk_);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  }
  EXPECT_FALSE(managerRole(requester_));
  EXPECT_EQ(auditActions().size(), records);
}

TEST_P(OrderIssuanceTest, RecordsTheIdentifiedManagerOfAProposalOnce) {
  const core::Order proposed = draft(/*proposed=*/true);
  auto assigned = orders_->assignManager(proposed.id, manager_, servicedesk_);
  ASSERT_TRUE(assigned) << assigned.error().message;
  EXPECT_EQ(assigned->manager, manager_);
  EXPECT_EQ(assigned->proposed_manager, proposed.proposed_manager);
  EXPECT_EQ(assigned->version, proposed.version + 1);
  const auto found = orders_->find(proposed.id).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->manager, manager_);
  EXPECT_EQ(found->version, proposed.version + 1);
  EXPECT_EQ(count("order.manager_identified"), 1);

  // Identified already, or never proposed: nothing to record.
  auto twice = orders_->assignManager(proposed.id, requester_, servicedesk_);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().kind, ErrorKind::conflict);
  EXPECT_EQ(twice.error().message, "order.no_proposed_manager");
  EXPECT_EQ(orders_->find(proposed.id).value()->manager, manager_);
  auto named = orders_->assignManager(draft().id, requester_, servicedesk_);
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().message, "order.no_proposed_manager");
  auto unknown = orders_->assignManager(proposed.id + 100, manager_, servicedesk_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_EQ(count("order.manager_identified"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, OrderIssuanceTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
