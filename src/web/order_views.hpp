#pragma once
// Shared by the customer's order pages, the order API and the Servicedesk's order pages: who may
// see an order, how it is shown, and signing it (PRODUCT.md §4).

#include "core/order.hpp"
#include "ra/card_orders.hpp"
#include "ra/server_orders.hpp"
#include "web/context.hpp"
#include "web/portal.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace web {

/// Any order as its pages show it.
struct OrderView {
  core::Order order;
  std::optional<ra::ValidityPlan> plan;        ///< server orders: the planned validity
  std::vector<std::string> unvalidated_names;  ///< server orders: SANs awaiting validation
  std::vector<core::OrderStep> steps;          ///< card orders: when each status was reached
  std::optional<storage::ActivationCode> activation_code;  ///< mobile orders, once made
};

/// An order with what its pages show; not_found for an unknown id.
core::Result<OrderView> orderView(PortalServices& services, core::OrderId order);
/// An order this person may see (the orderer's organisation, a professional holder's own, the
/// Servicedesk); not_found for any other.
core::Result<OrderView> visibleOrder(const RequestContext& context, PortalServices& services,
                                     core::OrderId order);

/// The order form's fields that come from the TLS connection: the identity and key of the
/// certificate the user is logged in with.
void setLoginCertificate(const RequestContext& context, ra::ServerOrderForm& form);

/// A text field of a card order and the member that holds it.
using CardDetailField = std::pair<std::string_view, std::string core::CardOrderDetails::*>;
/// The text fields of a card order by their form and JSON names ("given_name", …).
std::span<const CardDetailField> cardDetailFields();

/// "Ingediend": the status as people read it.
std::string orderStatusText(const Catalogue& t, core::OrderStatus status);

/// Facts of an order for a <dl>: [{label, lines: [{text}], code}] — what was ordered, by whom,
/// the planned validity with overlap and cap, and the evidence of the signature once signed.
boost::json::array orderFacts(const Catalogue& t, PortalServices& services, const OrderView& view);

/// Verifies `signature` (DER or PEM) over the order's document for the logged-in requester and
/// submits the order with it as evidence. Refusals as auth::OrderSignatureVerifier and
/// ra::OrderService::submitWithSignature; an empty upload is invalid on field "signature".
core::Result<core::Order> submitSignature(const RequestContext& context, PortalServices& services,
                                          core::OrderId order, const std::string& signature);

}  // namespace web
