#include "storage/order_repository.hpp"

#include "storage/audit_repository.hpp"
#include "storage/registry_repository.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

using core::ErrorKind;
using core::OrderStatus;

class OrderRepositoryTest : public storage_test::SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    orders_ = std::make_unique<storage::OrderRepository>(*database_, clock_);
    organisation_ =
        registry_->createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_)
            .value();
    requester_ = registry_->createPerson(person("Jan", "Jansen"), servicedesk_).value();
    manager_ = registry_->createPerson(person("Piet", "Pietersen"), servicedesk_).value();
  }
  void TearDown() override {
    orders_.reset();
    registry_.reset();
    SqliteTest::TearDown();
  }

  /// A complete server order by the requester.
  core::Order serverOrder(std::string nonce = "nonce-1") const {
    core::Order order;
    order.type = core::OrderType::server_new;
    order.status = OrderStatus::approved;  // ignored: every order starts as a draft
    order.organisation = organisation_;
    order.requested_by = requester_;
    order.requester_identity = {"CN=Test Persons CA,C=NL", "900001234"};
    order.product = "server-private";
    order.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----\n";
    order.common_name = "www.voorbeeld.nl";
    order.dns_names = {"www.voorbeeld.nl", "voorbeeld.nl"};
    order.key_description = "ECDSA P-256";
    order.spki_sha256 = std::string(64, 'a');
    order.manager = manager_;
    order.not_before = storage_test::testStart();
    order.not_after = storage_test::testStart() + std::chrono::days(730);
    order.nonce = std::move(nonce);
    return order;
  }

  core::Order created(std::string nonce = "nonce-1") {
    auto order = orders_->createDraft(serverOrder(std::move(nonce)), actor_);
    EXPECT_TRUE(order) << order.error().message;
    return order.value();
  }

  /// Moves `order` along `path` from its current status, expecting every step to succeed.
  void walk(core::OrderId order, OrderStatus from, std::initializer_list<OrderStatus> path) {
    for (const OrderStatus to : path) {
      auto moved = orders_->transition(order, from, to, {}, servicedesk_);
      ASSERT_TRUE(moved) << core::toString(to) << ": " << moved.error().message;
      from = to;
    }
  }

  std::vector<audit::Record> auditRecords() {
    return storage::AuditRepository(*database_).find({.limit = 1000}).value();
  }

  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::OrderRepository> orders_;
  core::OrganisationId organisation_ = 0;
  core::PersonId requester_ = 0;
  core::PersonId manager_ = 0;
  audit::Actor actor_ = audit::Actor::person(7);
};

TEST_F(OrderRepositoryTest, CreatesADraftAndReadsEveryFieldBack) {
  clock_.advance(std::chrono::hours(1));
  core::Order input = serverOrder();
  input.manager.reset();
  input.proposed_manager =
      core::ProposedManager{"Kees de Vries", "kees@voorbeeld.nl", "0301234567"};
  const core::Order order = orders_->createDraft(input, actor_).value();
  EXPECT_GT(order.id, 0);
  EXPECT_EQ(order.status, OrderStatus::draft);
  EXPECT_EQ(order.version, 1);
  EXPECT_EQ(order.created_at, clock_.now());

  const auto found = orders_->find(order.id).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->type, core::OrderType::server_new);
  EXPECT_EQ(found->status, OrderStatus::draft);
  EXPECT_EQ(found->organisation, organisation_);
  EXPECT_EQ(found->requested_by, requester_);
  EXPECT_EQ(found->requester_identity, input.requester_identity);
  EXPECT_FALSE(found->renewal_of);
  EXPECT_FALSE(found->certificate);
  EXPECT_EQ(found->product, "server-private");
  EXPECT_EQ(found->csr_pem, input.csr_pem);
  EXPECT_EQ(found->common_name, "www.voorbeeld.nl");
  EXPECT_EQ(found->dns_names, input.dns_names);
  EXPECT_EQ(found->key_description, "ECDSA P-256");
  EXPECT_EQ(found->spki_sha256, input.spki_sha256);
  EXPECT_FALSE(found->manager);
  EXPECT_EQ(found->proposed_manager, input.proposed_manager);
  EXPECT_EQ(found->not_before, input.not_before);
  EXPECT_EQ(found->not_after, input.not_after);
  EXPECT_EQ(found->nonce, "nonce-1");
  EXPECT_EQ(found->evidence, core::OrderEvidence{});
  EXPECT_EQ(found->version, 1);
  EXPECT_EQ(found->created_at, clock_.now());
  EXPECT_FALSE(orders_->find(order.id + 1).value());

  const auto records = auditRecords();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().event.action, "order.create");
  EXPECT_EQ(records.back().event.object, "order:" + std::to_string(order.id));
  EXPECT_EQ(records.back().event.actor, actor_.id);
  EXPECT_EQ(records.back().event.context, "organisation:" + std::to_string(organisation_));
}

TEST_F(OrderRepositoryTest, RefusesUnknownReferencesAndReusedNonces) {
  created("nonce-1");
  auto reused = orders_->createDraft(serverOrder("nonce-1"), actor_);
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().kind, ErrorKind::conflict);
  EXPECT_EQ(reused.error().message, "order.nonce_taken");

  core::Order unknown = serverOrder("nonce-2");
  unknown.manager = manager_ + 100;
  auto missing = orders_->createDraft(unknown, actor_);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message, "order.unknown_reference");
}

TEST_F(OrderRepositoryTest, TransitionsKeepEvidenceReasonAndCertificateWithTheirAuditRecords) {
  const core::Order order = created();
  const core::OrderEvidence evidence{"Bestelnummer: 1\n", std::string("\x30\x82\x00\xff\x00", 5),
                                     "-----BEGIN CERTIFICATE-----\n"};
  clock_.advance(std::chrono::minutes(5));
  auto submitted = orders_->transition(order.id, OrderStatus::draft, OrderStatus::submitted,
                                       {.evidence = evidence}, actor_);
  ASSERT_TRUE(submitted) << submitted.error().message;
  EXPECT_EQ(submitted->status, OrderStatus::submitted);
  EXPECT_EQ(submitted->version, 2);
  EXPECT_EQ(submitted->updated_at, clock_.now());
  EXPECT_EQ(orders_->find(order.id).value()->evidence, evidence);

  walk(order.id, OrderStatus::submitted, {OrderStatus::in_processing});
  auto rejected = orders_->transition(order.id, OrderStatus::in_processing, OrderStatus::rejected,
                                      {.reason = "Domein onbekend"}, servicedesk_);
  ASSERT_TRUE(rejected) << rejected.error().message;
  const auto stored = orders_->find(order.id).value();
  EXPECT_EQ(stored->status, OrderStatus::rejected);
  EXPECT_EQ(stored->reason, "Domein onbekend");
  EXPECT_EQ(stored->evidence, evidence);
  EXPECT_EQ(stored->version, 4);

  std::vector<std::string> actions;
  for (const auto& record : auditRecords())
    if (record.event.object == "order:" + std::to_string(order.id))
      actions.push_back(record.event.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"order.create", "order.submitted",
                                               "order.in_processing", "order.rejected"}));
  EXPECT_NE(auditRecords().back().event.details.find("Domein onbekend"), std::string::npos);
}

TEST_F(OrderRepositoryTest, RecordsTheIssuedCertificate) {
  const core::Order order = created();
  walk(order.id, OrderStatus::draft,
       {OrderStatus::submitted, OrderStatus::in_processing, OrderStatus::approved});
  // certificates.id is a foreign key: insert one directly (the CA's store is tested elsewhere).
  auto raw = rawSession();
  *raw << "INSERT INTO certificates (kind, product, common_name, common_name_lower, subject_dn, "
          "issuer_dn, issuing_ca, serial_hex, not_before, not_after, key_description, "
          "sha256_fingerprint, pem, issued_at) VALUES ('server', 'server-private', 'a', 'a', "
          "'CN=a', 'CN=ca', 'ca', '01', 0, 1, 'ECDSA P-256', 'ff', 'pem', 0)";
  long long certificate = 0;
  *raw << "SELECT id FROM certificates", soci::into(certificate);
  raw.reset();
  auto issued = orders_->transition(order.id, OrderStatus::approved, OrderStatus::issued,
                                    {.certificate = certificate}, servicedesk_);
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(orders_->find(order.id).value()->certificate, certificate);
}

TEST_F(OrderRepositoryTest, RefusesAMovedOrderAStepNotInTheTableAndAnUnknownOrder) {
  const core::Order order = created();
  const std::size_t records_before = auditRecords().size();

  auto moved = orders_->transition(order.id, OrderStatus::submitted, OrderStatus::in_processing, {},
                                   servicedesk_);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().kind, ErrorKind::conflict);
  EXPECT_EQ(moved.error().message, "order.status_changed");

  auto skipped =
      orders_->transition(order.id, OrderStatus::draft, OrderStatus::approved, {}, servicedesk_);
  ASSERT_FALSE(skipped);
  EXPECT_EQ(skipped.error().kind, ErrorKind::conflict);
  EXPECT_EQ(skipped.error().message, "order.transition_not_allowed");

  auto unknown = orders_->transition(order.id + 1, OrderStatus::draft, OrderStatus::submitted, {},
                                     servicedesk_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_EQ(unknown.error().message, "order.not_found");

  EXPECT_EQ(orders_->find(order.id).value()->status, OrderStatus::draft);
  EXPECT_EQ(orders_->find(order.id).value()->version, 1);
  EXPECT_EQ(auditRecords().size(), records_before) << "a refused step was audited";
}

TEST_F(OrderRepositoryTest, EvidenceOnceRecordedCannotBeOverwritten) {
  const core::Order order = created();
  const core::OrderEvidence evidence{"document\n", "signature", "signer"};
  ASSERT_TRUE(orders_->transition(order.id, OrderStatus::draft, OrderStatus::submitted,
                                  {.evidence = evidence}, actor_));
  auto raw = rawSession();
  EXPECT_THROW(
      *raw << "UPDATE orders SET document = 'other' WHERE id = " + std::to_string(order.id),
      soci::soci_error);
  raw.reset();
  // Neither through a transition: the step that would replace it is not taken.
  auto replaced =
      orders_->transition(order.id, OrderStatus::submitted, OrderStatus::in_processing,
                          {.evidence = core::OrderEvidence{"other\n", "s", "p"}}, servicedesk_);
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().kind, ErrorKind::conflict);
  const auto stored = orders_->find(order.id).value();
  EXPECT_EQ(stored->status, OrderStatus::submitted);
  EXPECT_EQ(stored->evidence, evidence);
  EXPECT_TRUE(orders_->transition(order.id, OrderStatus::submitted, OrderStatus::in_processing, {},
                                  servicedesk_));
}

TEST_F(OrderRepositoryTest, ListsAnOrganisationNewestFirstAndTheQueueOldestFirst) {
  const auto other =
      registry_->createOrganisation(organisation("Andere B.V.", "87654321", ""), servicedesk_)
          .value();
  const core::Order first = created("n1");
  clock_.advance(std::chrono::minutes(1));
  const core::Order second = created("n2");
  clock_.advance(std::chrono::minutes(1));
  core::Order elsewhere = serverOrder("n3");
  elsewhere.organisation = other;
  const core::Order third = orders_->createDraft(elsewhere, actor_).value();
  walk(first.id, OrderStatus::draft, {OrderStatus::submitted});
  walk(third.id, OrderStatus::draft, {OrderStatus::submitted});

  auto ids = [](const std::vector<core::Order>& orders) {
    std::vector<core::OrderId> result;
    for (const auto& order : orders) result.push_back(order.id);
    return result;
  };
  using Ids = std::vector<core::OrderId>;
  EXPECT_EQ(ids(orders_->listForOrganisation(organisation_, 10).value()),
            (Ids{second.id, first.id}));
  EXPECT_EQ(ids(orders_->listForOrganisation(organisation_, 1).value()), (Ids{second.id}));
  EXPECT_EQ(ids(orders_->queue({.status = OrderStatus::submitted}, 10).value()),
            (Ids{first.id, third.id}));
  EXPECT_EQ(
      ids(orders_->queue({.status = OrderStatus::submitted, .organisation = other}, 10).value()),
      (Ids{third.id}));
  EXPECT_EQ(ids(orders_->queue({.organisation = organisation_}, 10).value()),
            (Ids{first.id, second.id}));
  EXPECT_EQ(ids(orders_->queue({}, 10).value()), (Ids{first.id, second.id, third.id}));
  EXPECT_TRUE(orders_->queue({.status = OrderStatus::approved}, 10).value().empty());
}

TEST_F(OrderRepositoryTest, OfTwentyConcurrentApprovalsExactlyOneSucceeds) {
  const core::Order order = created();
  walk(order.id, OrderStatus::draft, {OrderStatus::submitted, OrderStatus::in_processing});
  constexpr int kApprovers = 20;
  std::atomic<int> approved = 0, conflicts = 0, other = 0;
  std::atomic<bool> go = false;
  std::vector<std::thread> threads;
  for (int i = 0; i < kApprovers; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      auto result = orders_->transition(order.id, OrderStatus::in_processing, OrderStatus::approved,
                                        {}, audit::Actor::person(100 + i));
      if (result)
        ++approved;
      else if (result.error().message == "order.status_changed")
        ++conflicts;
      else
        ++other;
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(approved, 1);
  EXPECT_EQ(conflicts, kApprovers - 1);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(orders_->find(order.id).value()->version, 4);
  int approvals = 0;
  for (const auto& record : auditRecords()) approvals += record.event.action == "order.approved";
  EXPECT_EQ(approvals, 1);
}

}  // namespace
