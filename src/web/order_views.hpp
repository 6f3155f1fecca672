#pragma once
// Shared by the customer's order pages, the order API and the Servicedesk's order pages: how an
// order is shown (PRODUCT.md §4).

#include "core/order.hpp"
#include "ra/orders.hpp"
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

using ra::OrderView;

/// The identity (issuer + serialNumber) of the certificate the user is logged in with; empty
/// without one. An order names it, and its signer must be the same person.
core::CertificateIdentity loginIdentity(const RequestContext& context);
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
boost::json::array orderFacts(const Catalogue& t, const OrderView& view);

}  // namespace web
