// What card production keeps (ADR 0007), on SQLite and PostgreSQL: activation codes of mobile
// certificate orders (a hash, replaced while unused, used once before it expires) and one card
// per order.

#include "storage/card_production.hpp"
#include "backend_test_support.hpp"
#include "storage/certificate_store.hpp"
#include "storage/order_repository.hpp"
#include "storage/registry_repository.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace {

using backend_test::Backend;
using core::ErrorKind;
using namespace std::chrono_literals;

/// A code's stored form (any 64 hex digits will do here).
std::string hashOf(char digit) {
  return std::string(64, digit);
}

class CardProductionTest : public backend_test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    orders_ = std::make_unique<storage::OrderRepository>(*database_, clock_);
    store_ = std::make_unique<storage::CertificateStore>(*database_, clock_);
    codes_ = std::make_unique<storage::ActivationCodeRepository>(*database_, clock_);
    holder_ = registry_->createPerson(person("Eva", "de Boer"), servicedesk_).value();
  }
  void TearDown() override {
    codes_.reset();
    store_.reset();
    orders_.reset();
    registry_.reset();
    BackendTest::TearDown();
  }

  /// A mobile certificate order of the holder.
  core::OrderId mobileOrder() {
    core::Order order;
    order.type = core::OrderType::mobile_add;
    order.requested_by = holder_;
    order.product = "mobile";
    order.card = core::CardOrderDetails{.card_type = core::CardType::mobile, .holder = holder_};
    order.nonce = "nonce-" + std::to_string(++orders_made_);
    auto created = orders_->createDraft(order, servicedesk_);
    EXPECT_TRUE(created) << created.error().message;
    return created ? created->id : 0;
  }

  /// A card of the holder, made for `order` if given.
  core::Result<core::CardId> card(std::optional<core::OrderId> order = std::nullopt) {
    core::Card c;
    c.type = core::CardType::professional;
    c.holder = holder_;
    return store_->createCard(c, servicedesk_, order);
  }

  long long count(const std::string& action) {
    const auto actions = auditActions();
    return std::count(actions.begin(), actions.end(), action);
  }

  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::OrderRepository> orders_;
  std::unique_ptr<storage::CertificateStore> store_;
  std::unique_ptr<storage::ActivationCodeRepository> codes_;
  core::PersonId holder_ = 0;
  int orders_made_ = 0;
  audit::Actor holder_actor_ = audit::Actor::person(1);
};

TEST_P(CardProductionTest, ANewCodeReplacesAnUnusedOneAndIsUsedOnce) {
  const core::OrderId order = mobileOrder();
  EXPECT_FALSE(codes_->find(order).value());

  const core::TimePoint first_at = clock_.now();
  ASSERT_TRUE(codes_->replace(order, hashOf('a'), first_at + 24h, servicedesk_));
  auto found = codes_->find(order).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->order, order);
  EXPECT_EQ(found->created_at, first_at);
  EXPECT_EQ(found->expires_at, first_at + 24h);
  EXPECT_FALSE(found->used_at);

  clock_.advance(1h);
  ASSERT_TRUE(codes_->replace(order, hashOf('b'), clock_.now() + 24h, servicedesk_));
  found = codes_->find(order).value();
  EXPECT_EQ(found->created_at, clock_.now());
  EXPECT_EQ(found->expires_at, clock_.now() + 24h);
  EXPECT_EQ(number("SELECT COUNT(*) FROM activation_codes"), 1);

  const auto replaced = codes_->use(hashOf('a'), holder_actor_);
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().kind, ErrorKind::not_found);
  EXPECT_EQ(replaced.error().message, "activation_code.invalid");
  EXPECT_FALSE(codes_->use(hashOf('c'), holder_actor_)) << "never issued";

  clock_.advance(1h);
  EXPECT_EQ(codes_->use(hashOf('b'), holder_actor_).value(), order);
  EXPECT_EQ(codes_->find(order).value()->used_at, clock_.now());
  const auto again = codes_->use(hashOf('b'), holder_actor_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "activation_code.invalid");

  const auto after_use = codes_->replace(order, hashOf('d'), clock_.now() + 24h, servicedesk_);
  ASSERT_FALSE(after_use);
  EXPECT_EQ(after_use.error().kind, ErrorKind::conflict);
  EXPECT_EQ(after_use.error().message, "activation_code.used");
  EXPECT_EQ(codes_->find(order).value()->used_at, clock_.now()) << "the used code stays";
  EXPECT_EQ(count("activation_code.issue"), 2);
  EXPECT_EQ(count("activation_code.use"), 1);
}

TEST_P(CardProductionTest, ACodeIsUsableUntilItExpires) {
  const core::OrderId late = mobileOrder();
  const core::OrderId in_time = mobileOrder();
  ASSERT_TRUE(codes_->replace(late, hashOf('a'), clock_.now() + 1h, servicedesk_));
  ASSERT_TRUE(codes_->replace(in_time, hashOf('b'), clock_.now() + 1h, servicedesk_));
  clock_.advance(1h - 1s);
  EXPECT_EQ(codes_->use(hashOf('b'), holder_actor_).value(), in_time);
  clock_.advance(1s);
  const auto expired = codes_->use(hashOf('a'), holder_actor_);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().kind, ErrorKind::not_found);
  EXPECT_EQ(expired.error().message, "activation_code.invalid");
  EXPECT_FALSE(codes_->find(late).value()->used_at);
  EXPECT_EQ(count("activation_code.use"), 1);
}

TEST_P(CardProductionTest, AnOrderHasOneCard) {
  const core::OrderId order = mobileOrder();
  ASSERT_TRUE(card(order));
  const auto second = card(order);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::conflict);
  EXPECT_EQ(second.error().message, "card.order_produced");
  // Cards without an order (made outside the portal) are not limited.
  EXPECT_TRUE(card());
  EXPECT_TRUE(card());
  EXPECT_TRUE(card(mobileOrder()));
  EXPECT_EQ(number("SELECT COUNT(*) FROM cards"), 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, CardProductionTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
