#include "core/order.hpp"

#include <algorithm>
#include <array>

namespace core {

namespace {

constexpr std::array kTypes{OrderType::server_new, OrderType::server_renew, OrderType::card_new,
                            OrderType::card_renew, OrderType::mobile_add};

constexpr std::array kStatuses{
    OrderStatus::draft,    OrderStatus::submitted, OrderStatus::in_processing,
    OrderStatus::on_hold,  OrderStatus::approved,  OrderStatus::in_production,
    OrderStatus::shipped,  OrderStatus::activated, OrderStatus::issued,
    OrderStatus::rejected, OrderStatus::cancelled,
};

/// The value of `values` whose toString() is `name`.
template <class Enum, std::size_t N>
std::optional<Enum> byName(const std::array<Enum, N>& values, std::string_view name) {
  const auto found = std::find_if(values.begin(), values.end(),
                                  [&](Enum value) { return toString(value) == name; });
  if (found == values.end()) return std::nullopt;
  return *found;
}

using S = OrderStatus;
using Steps = std::vector<std::pair<OrderStatus, OrderStatus>>;

/// The steps every order takes up to a decision (PRODUCT.md §8: draft → submitted → in
/// processing → approved, or rejected / cancelled). A signed order whose domains are not all
/// validated waits on hold instead of in the queue; the Servicedesk takes it up once they are.
/// Approval puts an order in processing back on hold when a name lacks a current validation
/// (ADR 0025).
Steps decisionSteps() {
  return {
      {S::draft, S::submitted},        {S::draft, S::on_hold},
      {S::draft, S::cancelled},        {S::submitted, S::in_processing},
      {S::submitted, S::rejected},     {S::submitted, S::cancelled},
      {S::on_hold, S::in_processing},  {S::on_hold, S::rejected},
      {S::on_hold, S::cancelled},      {S::in_processing, S::approved},
      {S::in_processing, S::rejected}, {S::in_processing, S::on_hold},
  };
}

/// `steps` followed by `tail`.
Steps followedBy(Steps steps, std::initializer_list<std::pair<OrderStatus, OrderStatus>> tail) {
  steps.insert(steps.end(), tail);
  return steps;
}

}  // namespace

std::string_view toString(OrderType type) {
  switch (type) {
    case OrderType::server_new:
      return "server-new";
    case OrderType::server_renew:
      return "server-renew";
    case OrderType::card_new:
      return "card-new";
    case OrderType::card_renew:
      return "card-renew";
    case OrderType::mobile_add:
      return "mobile-add";
  }
  return "server-new";
}

std::optional<OrderType> parseOrderType(std::string_view name) {
  return byName(kTypes, name);
}

std::string_view toString(OrderStatus status) {
  switch (status) {
    case OrderStatus::draft:
      return "draft";
    case OrderStatus::submitted:
      return "submitted";
    case OrderStatus::in_processing:
      return "in_processing";
    case OrderStatus::on_hold:
      return "on_hold";
    case OrderStatus::approved:
      return "approved";
    case OrderStatus::in_production:
      return "in_production";
    case OrderStatus::shipped:
      return "shipped";
    case OrderStatus::activated:
      return "activated";
    case OrderStatus::issued:
      return "issued";
    case OrderStatus::rejected:
      return "rejected";
    case OrderStatus::cancelled:
      return "cancelled";
  }
  return "draft";
}

std::optional<OrderStatus> parseOrderStatus(std::string_view name) {
  return byName(kStatuses, name);
}

bool isServerOrder(OrderType type) {
  return type == OrderType::server_new || type == OrderType::server_renew;
}

bool isCardOrder(OrderType type) {
  return type == OrderType::card_new || type == OrderType::card_renew ||
         type == OrderType::mobile_add;
}

const std::vector<std::pair<OrderStatus, OrderStatus>>& transitions(OrderType type) {
  // A certificate without a physical card is issued right after approval.
  static const Steps direct = followedBy(decisionSteps(), {{S::approved, S::issued}});
  // A card is personalised, shipped and activated by its holder before the order is done
  // (PRODUCT.md §7 "follow card production"; API.md).
  static const Steps card = followedBy(decisionSteps(), {{S::approved, S::in_production},
                                                         {S::in_production, S::shipped},
                                                         {S::shipped, S::activated},
                                                         {S::activated, S::issued}});
  return type == OrderType::card_new || type == OrderType::card_renew ? card : direct;
}

bool canTransition(OrderType type, OrderStatus from, OrderStatus to) {
  const auto& steps = transitions(type);
  return std::find(steps.begin(), steps.end(), std::pair{from, to}) != steps.end();
}

}  // namespace core
