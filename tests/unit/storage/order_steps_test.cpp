// Card orders in storage (ADR 0007), on SQLite and PostgreSQL: when each status was reached, what
// a card order holds (its details as JSON, the card production made), and a professional holder's
// own orders.

#include "backend_test_support.hpp"
#include "storage/audit_repository.hpp"
#include "storage/certificate_store.hpp"
#include "storage/order_repository.hpp"
#include "storage/registry_repository.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace {

using backend_test::Backend;
using core::ErrorKind;
using core::OrderStatus;
using namespace std::chrono_literals;

using Steps = std::vector<std::pair<OrderStatus, core::TimePoint>>;

class OrderStepsTest : public backend_test::BackendTest {
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
    holder_ = registry_->createPerson(person("Eva", "de Boer"), servicedesk_).value();
  }
  void TearDown() override {
    store_.reset();
    orders_.reset();
    registry_.reset();
    BackendTest::TearDown();
  }

  /// A card order by `requester` (for the organisation, if given) with `details`.
  core::Order cardOrder(core::PersonId requester, std::optional<core::OrganisationId> organisation,
                        core::CardOrderDetails details) {
    core::Order order;
    order.type = details.based_on ? core::OrderType::card_renew : core::OrderType::card_new;
    order.organisation = organisation;
    order.requested_by = requester;
    order.requester_identity = {"CN=Test Persons CA,C=NL", "900000555"};
    order.product = std::string(core::toString(details.card_type));
    order.common_name = details.given_name + " " + details.surname;
    order.card = std::move(details);
    order.not_before = clock_.now();
    order.not_after = clock_.now() + std::chrono::days(1095);
    order.nonce = "nonce-" + std::to_string(++orders_made_);
    auto created = orders_->createDraft(order, servicedesk_);
    EXPECT_TRUE(created) << created.error().message;
    return created.value();
  }

  /// The holder's own professional card order.
  core::Order ownOrder() {
    return cardOrder(holder_, std::nullopt,
                     {.card_type = core::CardType::professional,
                      .holder = holder_,
                      .given_name = "Eva",
                      .surname = "de Boer",
                      .email = "eva@deboer-notarissen.nl",
                      .title = "Notaris",
                      .registration_number = "KNB-2019-0142"});
  }

  /// The steps of `order` as (status, time) pairs.
  Steps steps(core::OrderId order) {
    Steps result;
    for (const auto& step : orders_->steps(order).value())
      result.emplace_back(step.status, step.at);
    return result;
  }

  /// Moves `order` from `from` to `to` an hour later, which must succeed.
  core::Order moved(core::OrderId order, OrderStatus from, OrderStatus to,
                    const storage::OrderChanges& changes = {}) {
    clock_.advance(1h);
    auto result = orders_->transition(order, from, to, changes, servicedesk_);
    EXPECT_TRUE(result) << core::toString(to) << ": " << result.error().message;
    return result.value();
  }

  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::OrderRepository> orders_;
  std::unique_ptr<storage::CertificateStore> store_;
  core::OrganisationId organisation_ = 0;
  core::PersonId holder_ = 0;
  int orders_made_ = 0;
};

TEST_P(OrderStepsTest, EveryStatusReachedIsRecordedInOrderWithItsTime) {
  const core::TimePoint start = clock_.now();
  const core::Order order = ownOrder();
  const core::Order other = ownOrder();
  EXPECT_EQ(steps(order.id), (Steps{{OrderStatus::draft, start}}));

  moved(order.id, OrderStatus::draft, OrderStatus::submitted);
  moved(order.id, OrderStatus::submitted, OrderStatus::in_processing);
  // A refused step leaves no trace.
  EXPECT_EQ(orders_
                ->transition(order.id, OrderStatus::submitted, OrderStatus::in_processing, {},
                             servicedesk_)
                .error()
                .message,
            "order.status_changed");
  EXPECT_EQ(
      orders_
          ->transition(order.id, OrderStatus::in_processing, OrderStatus::shipped, {}, servicedesk_)
          .error()
          .message,
      "order.transition_not_allowed");
  moved(order.id, OrderStatus::in_processing, OrderStatus::approved);
  moved(order.id, OrderStatus::approved, OrderStatus::in_production);
  moved(order.id, OrderStatus::in_production, OrderStatus::shipped);
  moved(order.id, OrderStatus::shipped, OrderStatus::activated);
  moved(order.id, OrderStatus::activated, OrderStatus::issued);
  EXPECT_EQ(steps(order.id), (Steps{{OrderStatus::draft, start},
                                    {OrderStatus::submitted, start + 1h},
                                    {OrderStatus::in_processing, start + 2h},
                                    {OrderStatus::approved, start + 3h},
                                    {OrderStatus::in_production, start + 4h},
                                    {OrderStatus::shipped, start + 5h},
                                    {OrderStatus::activated, start + 6h},
                                    {OrderStatus::issued, start + 7h}}));

  moved(other.id, OrderStatus::draft, OrderStatus::cancelled);
  EXPECT_EQ(steps(other.id),
            (Steps{{OrderStatus::draft, start}, {OrderStatus::cancelled, start + 8h}}));
  EXPECT_TRUE(steps(other.id + 100).empty());
  EXPECT_EQ(number("SELECT COUNT(*) FROM order_steps"), 10);
}

TEST_P(OrderStepsTest, CardDetailsAreReadBackAsWritten) {
  const core::CardOrderDetails personal{.card_type = core::CardType::personal,
                                        .based_on = 42,
                                        .holder = holder_,
                                        .given_name = "Zoë \"Zo\"",
                                        .surname = "van 't Hof\\Smit",
                                        .email = "zoe@voorbeeld.nl",
                                        .phone = "+31 6 1234 5678",
                                        .title = "Jurist\nmr.",
                                        .registration_number = "R-1",
                                        .group_name = "{\"not\": \"json\"}"};
  const core::Order order = cardOrder(holder_, organisation_, personal);
  EXPECT_EQ(order.card, personal);
  const auto found = orders_->find(order.id).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->type, core::OrderType::card_renew);
  EXPECT_EQ(found->card, personal);
  EXPECT_FALSE(found->produced_card);

  const core::CardOrderDetails group{.card_type = core::CardType::group,
                                     .email = "financien@voorbeeld.nl",
                                     .group_name = "Team Financiën"};
  const auto found_group = orders_->find(cardOrder(holder_, organisation_, group).id).value();
  ASSERT_TRUE(found_group);
  EXPECT_EQ(found_group->card, group);
  EXPECT_FALSE(found_group->card->based_on);
  EXPECT_FALSE(found_group->card->holder);

  for (const auto type : {core::CardType::professional, core::CardType::mobile}) {
    const core::CardOrderDetails details{.card_type = type, .holder = holder_};
    EXPECT_EQ(orders_->find(cardOrder(holder_, std::nullopt, details).id).value()->card, details);
  }

  // A server order has no card details; every list reads them back too.
  core::Order server = order;
  server.type = core::OrderType::server_new;
  server.card.reset();
  server.nonce = "server";
  const core::Order stored = orders_->createDraft(server, servicedesk_).value();
  EXPECT_FALSE(orders_->find(stored.id).value()->card);
  const auto listed = orders_->listForOrganisation(organisation_, 10).value();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_FALSE(listed[0].card);
  EXPECT_EQ(listed[1].card, group);
  EXPECT_EQ(listed[2].card, personal);
}

TEST_P(OrderStepsTest, ANewCardHolderIsRegisteredOnceWithTheOrder) {
  const core::Order order = cardOrder(holder_, organisation_,
                                      {.card_type = core::CardType::personal,
                                       .given_name = "Anna",
                                       .surname = "de Vries",
                                       .email = "anna@voorbeeld.nl"});
  const core::Person anna = person("Anna", "de Vries");
  auto first = orders_->registerCardHolder(order.id, anna, servicedesk_);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(registry_->findPerson(*first).value()->displayName(), "Anna de Vries");
  EXPECT_EQ(orders_->find(order.id).value()->card->holder, *first);
  // A retry (a production that failed after this) finds the same holder and registers nobody.
  auto again = orders_->registerCardHolder(order.id, anna, servicedesk_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, *first);
  const auto records = storage::AuditRepository(*database_).find({.limit = 1000}).value();
  EXPECT_EQ(std::count_if(records.begin(), records.end(),
                          [](const audit::Record& r) { return r.event.action == "person.create"; }),
            2)
      << "Eva by the fixture, and Anna once";
  EXPECT_EQ(orders_->registerCardHolder(order.id + 100, anna, servicedesk_).error().kind,
            core::ErrorKind::not_found);
}

TEST_P(OrderStepsTest, TheProducedCardIsKeptWithTheOrder) {
  const core::Order order = ownOrder();
  core::Card card;
  card.type = core::CardType::professional;
  card.holder = holder_;
  const core::CardId made = store_->createCard(card, servicedesk_, order.id).value();
  moved(order.id, OrderStatus::draft, OrderStatus::submitted);
  moved(order.id, OrderStatus::submitted, OrderStatus::in_processing);
  moved(order.id, OrderStatus::in_processing, OrderStatus::approved);
  const core::Order produced =
      moved(order.id, OrderStatus::approved, OrderStatus::in_production, {.produced_card = made});
  EXPECT_EQ(produced.produced_card, made);
  EXPECT_EQ(orders_->find(order.id).value()->produced_card, made);
  // Later steps keep it.
  moved(order.id, OrderStatus::in_production, OrderStatus::shipped);
  EXPECT_EQ(orders_->find(order.id).value()->produced_card, made);
  EXPECT_EQ(orders_->find(order.id).value()->card, order.card);
  // A draft never starts with one.
  core::Order input = order;
  input.produced_card = made;
  input.nonce = "with-card";
  EXPECT_FALSE(orders_->createDraft(input, servicedesk_).value().produced_card);

  const auto actions = auditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "order.in_production"), actions.end());
}

TEST_P(OrderStepsTest, AHoldersListHasTheirOwnOrdersWithoutAnOrganisationNewestFirst) {
  const core::Order first = ownOrder();
  clock_.advance(1h);
  const core::Order second = ownOrder();
  clock_.advance(1h);
  const core::Order third = ownOrder();
  // Not their orders for an organisation, nor someone else's own orders.
  cardOrder(holder_, organisation_, {.card_type = core::CardType::personal});
  const auto other = registry_->createPerson(person("Frank", "Visser"), servicedesk_).value();
  cardOrder(other, std::nullopt, {.card_type = core::CardType::professional, .holder = other});

  const auto listed = orders_->listForHolder(holder_, 10).value();
  std::vector<core::OrderId> ids;
  for (const auto& order : listed) ids.push_back(order.id);
  EXPECT_EQ(ids, (std::vector<core::OrderId>{third.id, second.id, first.id}));
  EXPECT_EQ(listed.front().card, third.card);
  EXPECT_EQ(orders_->listForHolder(holder_, 2).value().size(), 2u);
  EXPECT_EQ(orders_->listForHolder(other, 10).value().size(), 1u);
  EXPECT_TRUE(orders_->listForHolder(other + 100, 10).value().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, OrderStepsTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
