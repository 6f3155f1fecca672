#include "ra/order_service.hpp"

#include "../storage/storage_test_support.hpp"
#include "ra/order_document.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using core::ErrorKind;
using core::OrderStatus;

/// Bytes 0, 1, 2, … so that nonces are known in advance.
class CountingRandom final : public core::RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& byte : out) byte = next_++;
  }

 private:
  std::uint8_t next_ = 0;
};

class OrderServiceTest : public storage_test::SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    orders_ = std::make_unique<storage::OrderRepository>(*database_, clock_);
    service_ = std::make_unique<ra::OrderService>(*orders_, *registry_, random_,
                                                  "https://mijncert.example");
    const auto setup = audit::Actor::system("test");
    organisation_ =
        registry_->createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), setup)
            .value();
    ASSERT_TRUE(registry_->addValidatedDomain(organisation_, "voorbeeld.nl", setup));
    requester_ = principal("Jan", "Jansen");
    officer_ = principal("Johan", "Smit");
    manager_ = registry_->createPerson(person("Piet", "Pietersen"), setup).value();
  }
  void TearDown() override {
    service_.reset();
    orders_.reset();
    registry_.reset();
    SqliteTest::TearDown();
  }

  core::Principal principal(std::string given_name, std::string surname) {
    core::Principal result;
    result.person = person(std::move(given_name), std::move(surname));
    result.person.id = registry_->createPerson(result.person, audit::Actor::system("test")).value();
    return result;
  }

  ra::ServerOrderRequest request(std::vector<std::string> names = {"www.voorbeeld.nl",
                                                                   "voorbeeld.nl"}) const {
    ra::ServerOrderRequest r;
    r.organisation = organisation_;
    r.requester_identity = {"CN=Test Persons CA,O=Test TSP,C=NL", "900001234"};
    r.product = "server-private";
    r.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
    r.common_name = names.front();
    r.dns_names = std::move(names);
    r.key_description = "ECDSA P-256";
    r.spki_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    r.manager = manager_;
    r.not_before = storage_test::testStart();
    r.not_after = storage_test::testStart() + std::chrono::days(731);
    return r;
  }

  /// A draft by the requester.
  core::Order draft(const ra::ServerOrderRequest& input) {
    auto order = service_->createServerOrder(requester_, input);
    EXPECT_TRUE(order) << order.error().message;
    return order.value();
  }

  /// A draft signed by the requester (who may sign, and the signature itself, is ra::Orders').
  core::Order submitted(const ra::ServerOrderRequest& input) {
    const core::Order order = draft(input);
    auto result = service_->submit(requester_, order, evidence(order.id));
    EXPECT_TRUE(result) << result.error().message;
    return result.value();
  }

  /// The order as stored now.
  core::Order current(core::OrderId order) { return service_->order(order).value(); }
  /// The document of an order.
  std::string document(core::OrderId order) { return service_->documentOf(current(order)).value(); }

  core::OrderEvidence evidence(core::OrderId order) {
    return {document(order), "DER", "-----BEGIN CERTIFICATE-----\n"};
  }

  CountingRandom random_;
  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::OrderRepository> orders_;
  std::unique_ptr<ra::OrderService> service_;
  core::OrganisationId organisation_ = 0;
  core::Principal requester_;
  core::Principal officer_;
  core::PersonId manager_ = 0;
};

TEST_F(OrderServiceTest, TheDocumentListsEveryFieldByteForByte) {
  const core::Order order = draft(request());
  EXPECT_EQ(order.status, OrderStatus::draft);
  EXPECT_EQ(order.requested_by, requester_.person.id);
  EXPECT_EQ(order.nonce, "AAECAwQFBgcICQoLDA0ODw");
  const std::string expected =
      "Document: mijncert-bestelling-1\n"
      "Bestelnummer: " +
      std::to_string(order.id) +
      "\n"
      "Soort: server-new\n"
      "Organisatie: Voorbeeld B.V.\n"
      "KvK-nummer: 12345678\n"
      "Product: server-private\n"
      "Vervangt certificaat:\n"
      "Common name: www.voorbeeld.nl\n"
      "Aantal SAN's: 2\n"
      "SAN 1: www.voorbeeld.nl\n"
      "SAN 2: voorbeeld.nl\n"
      "Sleutel: ECDSA P-256\n"
      "Sleutel SHA-256 (SPKI): 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
      "Geldig vanaf: 2026-01-01T00:00:00Z\n"
      "Geldig tot: 2028-01-02T00:00:00Z\n"
      "Certificaatbeheerder: Piet Pietersen <p@example.nl>, +31 30 123 4567\n"
      "Aangevraagd door: Jan Jansen\n"
      "Identiteit aanvrager, uitgever: CN=Test Persons CA,O=Test TSP,C=NL\n"
      "Identiteit aanvrager, serienummer: 900001234\n"
      "Portaal: https://mijncert.example\n"
      "Nonce: AAECAwQFBgcICQoLDA0ODw\n";
  EXPECT_EQ(document(order.id), expected);
  // Deterministic: the same order yields the same bytes.
  EXPECT_EQ(document(order.id), expected);
}

TEST_F(OrderServiceTest, TheDocumentNamesAProposedManagerAndCannotBeForgedByAValue) {
  core::Order order;
  order.id = 9;
  order.type = core::OrderType::server_renew;
  order.renewal_of = 41;
  order.common_name = "a.voorbeeld.nl";
  order.dns_names = {"a.voorbeeld.nl"};
  order.proposed_manager = core::ProposedManager{"Kees\nNonce: x", "kees@voorbeeld.nl", ""};
  ra::OrderParties parties;
  parties.organisation.name = "Voorbeeld B.V.  ";
  const std::string text = ra::orderDocument(order, parties, "https://mijncert.example");
  EXPECT_NE(text.find("Vervangt certificaat: 41\n"), std::string::npos);
  EXPECT_NE(text.find("Organisatie: Voorbeeld B.V.\n"), std::string::npos);
  EXPECT_NE(text.find("Certificaatbeheerder (nieuw): Kees\xEF\xBF\xBDNonce: x "
                      "<kees@voorbeeld.nl>,\n"),
            std::string::npos);
  EXPECT_EQ(text.find(" \n"), std::string::npos) << "trailing space";
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 20) << "one line per field and SAN";
}

TEST_F(OrderServiceTest, OrderWithValidatedDomainsGoesToTheQueueAndThroughIssuance) {
  const core::Order order = submitted(request());
  EXPECT_EQ(order.status, OrderStatus::submitted);
  EXPECT_EQ(order.evidence, evidence(order.id));
  EXPECT_EQ(service_->startProcessing(officer_, current(order.id)).value().status,
            OrderStatus::in_processing);
  EXPECT_EQ(service_->approve(officer_, current(order.id)).value().status, OrderStatus::approved);
  // A second approval (a retry, a double click) is a conflict, not a second step.
  auto again = service_->approve(officer_, current(order.id));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
}

TEST_F(OrderServiceTest, AnUnvalidatedDomainPutsTheOrderOnHoldUntilValidated) {
  const core::Order order = submitted(request({"www.voorbeeld.nl", "shop.elders.nl"}));
  EXPECT_EQ(order.status, OrderStatus::on_hold);
  auto early = service_->startProcessing(officer_, current(order.id));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().message, "order.domains_not_validated");
  ASSERT_TRUE(registry_->addValidatedDomain(organisation_, "elders.nl",
                                            audit::Actor::person(officer_.person.id)));
  EXPECT_EQ(service_->startProcessing(officer_, current(order.id)).value().status,
            OrderStatus::in_processing);
}

TEST_F(OrderServiceTest, ANameIsValidatedByItsDomainOrAParentDomain) {
  EXPECT_EQ(ra::unvalidatedNames({"voorbeeld.nl", "WWW.Voorbeeld.NL", "a.b.voorbeeld.nl",
                                  "andervoorbeeld.nl", "voorbeeld.nl.evil.com", "nl"},
                                 {"voorbeeld.nl"}),
            (std::vector<std::string>{"andervoorbeeld.nl", "voorbeeld.nl.evil.com", "nl"}));
  EXPECT_EQ(ra::unvalidatedNames({"www.voorbeeld.nl"}, {}),
            (std::vector<std::string>{"www.voorbeeld.nl"}));
}

TEST_F(OrderServiceTest, RejectionNeedsAReason) {
  const core::Order order = submitted(request());
  auto blank = service_->reject(officer_, current(order.id), "   ");
  ASSERT_FALSE(blank);
  EXPECT_EQ(blank.error().kind, ErrorKind::invalid);
  EXPECT_EQ(blank.error().fields,
            (std::vector<core::FieldError>{{"reason", "order.reason_required"}}));
  auto rejected = service_->reject(officer_, current(order.id), " Onbekende aanvrager ");
  ASSERT_TRUE(rejected) << rejected.error().message;
  EXPECT_EQ(rejected->status, OrderStatus::rejected);
  EXPECT_EQ(rejected->reason, "Onbekende aanvrager");
}

TEST_F(OrderServiceTest, ADraftIsSubmittedOnce) {
  const core::Order order = draft(request());
  const core::Order seen = current(order.id);
  ASSERT_TRUE(service_->submit(requester_, seen, evidence(order.id)));
  // From the status read before: the order has moved meanwhile, so this is a conflict.
  auto twice = service_->submit(requester_, seen, evidence(order.id));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().kind, ErrorKind::conflict);
  EXPECT_EQ(current(order.id).status, OrderStatus::submitted);
}

TEST_F(OrderServiceTest, OnceSignedTheDocumentIsTheEvidence) {
  const core::Order order = submitted(request());
  ASSERT_TRUE(registry_->updatePerson(
      [&] {
        auto renamed = requester_.person;
        renamed.surname = "Jansen-de Vries";
        return renamed;
      }(),
      audit::Actor::system("test")));
  core::Order unsigned_copy = order;
  unsigned_copy.evidence = {};
  // What the registry says now differs, yet the signed bytes stay the document.
  EXPECT_NE(service_->documentOf(unsigned_copy).value(), order.evidence.document);
  EXPECT_EQ(document(order.id), order.evidence.document);
}

TEST_F(OrderServiceTest, CreationNeedsOneManagerAndARenewalSource) {
  auto both = request();
  both.proposed_manager = core::ProposedManager{"Kees", "kees@voorbeeld.nl", "0301234567"};
  EXPECT_EQ(service_->createServerOrder(requester_, both).error().fields,
            (std::vector<core::FieldError>{{"manager", "order.manager_required"}}));
  auto renewal = request();
  renewal.type = core::OrderType::server_renew;
  EXPECT_EQ(service_->createServerOrder(requester_, renewal).error().fields,
            (std::vector<core::FieldError>{{"certificate_id", "order.renewal_of_required"}}));
  auto card = request();
  card.type = core::OrderType::card_new;
  EXPECT_EQ(service_->createServerOrder(requester_, card).error().fields,
            (std::vector<core::FieldError>{{"type", "order.not_server_order"}}));
}

TEST_F(OrderServiceTest, CancelsBeforeProcessingAndMarksIssuedAfterApproval) {
  const core::Order cancelled = draft(request());
  EXPECT_EQ(service_->cancel(requester_, current(cancelled.id)).value().status,
            OrderStatus::cancelled);

  const core::Order order = submitted(request());
  ASSERT_TRUE(service_->startProcessing(officer_, current(order.id)));
  auto late = service_->cancel(requester_, current(order.id));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, "order.transition_not_allowed");
  auto early = service_->markIssued(audit::Actor::system("ca"), current(order.id), 1);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().message, "order.transition_not_allowed");
  EXPECT_EQ(service_->order(order.id + 100).error().kind, ErrorKind::not_found);
}

}  // namespace
