#include "core/order.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace {

using core::OrderStatus;
using core::OrderType;
using S = OrderStatus;
using Step = std::pair<OrderStatus, OrderStatus>;

const std::vector<OrderType> kAllTypes = {OrderType::server_new, OrderType::server_renew,
                                          OrderType::card_new, OrderType::card_renew,
                                          OrderType::mobile_add};
const std::vector<OrderStatus> kAllStatuses = {
    S::draft,   S::submitted, S::in_processing, S::on_hold,  S::approved, S::in_production,
    S::shipped, S::activated, S::issued,        S::rejected, S::cancelled};

/// The steps up to a decision, the same for every type (PRODUCT.md §8).
const std::set<Step> kDecisionSteps = {
    {S::draft, S::submitted},        {S::draft, S::on_hold},
    {S::draft, S::cancelled},        {S::submitted, S::in_processing},
    {S::submitted, S::rejected},     {S::submitted, S::cancelled},
    {S::on_hold, S::in_processing},  {S::on_hold, S::rejected},
    {S::on_hold, S::cancelled},      {S::in_processing, S::approved},
    {S::in_processing, S::rejected}, {S::in_processing, S::on_hold},
};

std::set<Step> expectedSteps(OrderType type) {
  std::set<Step> steps = kDecisionSteps;
  if (type == OrderType::card_new || type == OrderType::card_renew) {
    steps.insert({{S::approved, S::in_production},
                  {S::in_production, S::shipped},
                  {S::shipped, S::activated},
                  {S::activated, S::issued}});
  } else {
    steps.insert({S::approved, S::issued});
  }
  return steps;
}

TEST(OrderTest, TypeNamesAreTheApiNames) {
  EXPECT_EQ(core::toString(OrderType::server_new), "server-new");
  EXPECT_EQ(core::toString(OrderType::server_renew), "server-renew");
  EXPECT_EQ(core::toString(OrderType::card_new), "card-new");
  EXPECT_EQ(core::toString(OrderType::card_renew), "card-renew");
  EXPECT_EQ(core::toString(OrderType::mobile_add), "mobile-add");
  for (const OrderType type : kAllTypes)
    EXPECT_EQ(core::parseOrderType(core::toString(type)), type);
  EXPECT_FALSE(core::parseOrderType("server_new"));
  EXPECT_FALSE(core::parseOrderType(""));
}

TEST(OrderTest, StatusNamesAreTheApiNames) {
  const std::vector<std::string_view> names = {
      "draft",   "submitted", "in_processing", "on_hold",  "approved", "in_production",
      "shipped", "activated", "issued",        "rejected", "cancelled"};
  ASSERT_EQ(names.size(), kAllStatuses.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(core::toString(kAllStatuses[i]), names[i]);
    EXPECT_EQ(core::parseOrderStatus(names[i]), kAllStatuses[i]);
  }
  EXPECT_FALSE(core::parseOrderStatus("in-processing"));
  EXPECT_FALSE(core::parseOrderStatus("Draft"));
}

TEST(OrderTest, ServerOrderTypes) {
  EXPECT_TRUE(core::isServerOrder(OrderType::server_new));
  EXPECT_TRUE(core::isServerOrder(OrderType::server_renew));
  EXPECT_FALSE(core::isServerOrder(OrderType::card_new));
  EXPECT_FALSE(core::isServerOrder(OrderType::mobile_add));
}

TEST(OrderTest, EveryPairIsAllowedExactlyWhenTheTableHasIt) {
  for (const OrderType type : kAllTypes) {
    const std::set<Step> expected = expectedSteps(type);
    const auto& table = core::transitions(type);
    EXPECT_EQ(std::set<Step>(table.begin(), table.end()), expected) << core::toString(type);
    EXPECT_EQ(table.size(), expected.size()) << "a step is listed twice";
    for (const OrderStatus from : kAllStatuses)
      for (const OrderStatus to : kAllStatuses)
        EXPECT_EQ(core::canTransition(type, from, to), expected.contains({from, to}))
            << core::toString(type) << ": " << core::toString(from) << " -> " << core::toString(to);
  }
}

TEST(OrderTest, NoStepCanBeSkippedOrRepeated) {
  for (const OrderType type : kAllTypes) {
    // Skips (PRODUCT.md §8).
    EXPECT_FALSE(core::canTransition(type, S::draft, S::in_processing));
    EXPECT_FALSE(core::canTransition(type, S::draft, S::approved));
    EXPECT_FALSE(core::canTransition(type, S::submitted, S::approved));
    EXPECT_FALSE(core::canTransition(type, S::on_hold, S::approved));
    EXPECT_FALSE(core::canTransition(type, S::in_processing, S::issued));
    // Repeats and going back.
    for (const OrderStatus status : kAllStatuses)
      EXPECT_FALSE(core::canTransition(type, status, status)) << core::toString(status);
    EXPECT_FALSE(core::canTransition(type, S::submitted, S::draft));
    EXPECT_FALSE(core::canTransition(type, S::approved, S::in_processing));
    // A decision stands: nothing leaves issued, rejected or cancelled.
    for (const OrderStatus to : kAllStatuses) {
      EXPECT_FALSE(core::canTransition(type, S::issued, to));
      EXPECT_FALSE(core::canTransition(type, S::rejected, to));
      EXPECT_FALSE(core::canTransition(type, S::cancelled, to));
    }
    // Approved orders are no longer withdrawn or refused.
    EXPECT_FALSE(core::canTransition(type, S::approved, S::cancelled));
    EXPECT_FALSE(core::canTransition(type, S::approved, S::rejected));
    EXPECT_FALSE(core::canTransition(type, S::in_processing, S::cancelled));
  }
  // Servers have no card production; cards are not issued before they are activated.
  EXPECT_FALSE(core::canTransition(OrderType::server_new, S::approved, S::in_production));
  EXPECT_FALSE(core::canTransition(OrderType::mobile_add, S::approved, S::in_production));
  EXPECT_FALSE(core::canTransition(OrderType::card_new, S::approved, S::issued));
  EXPECT_FALSE(core::canTransition(OrderType::card_renew, S::shipped, S::issued));
}

}  // namespace
