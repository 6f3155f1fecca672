#pragma once
// Orders (bestellingen) and their one state machine (PRODUCT.md §4, §8; API.md order statuses):
// what was ordered, where it stands, and the evidence of the signature that submitted it.

#include "core/certificate.hpp"
#include "core/clock.hpp"
#include "core/registry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace core {

using OrderId = std::int64_t;

/// What is ordered (API.md `type` of POST /api/v1/orders).
enum class OrderType { server_new, server_renew, card_new, card_renew, mobile_add };

/// API name: "server-new", "server-renew", "card-new", "card-renew", "mobile-add".
std::string_view toString(OrderType type);
/// Inverse of toString(OrderType).
std::optional<OrderType> parseOrderType(std::string_view name);

/// Where an order stands (API.md). Cards pass in_production, shipped and activated between
/// approved and issued.
enum class OrderStatus {
  draft,          ///< created, not yet signed
  submitted,      ///< signed by the requester, waiting for the Servicedesk
  in_processing,  ///< taken up by the Servicedesk
  on_hold,        ///< waiting for domain validation by the Servicedesk (PRODUCT.md §8)
  approved,       ///< approved; issuance follows
  in_production,  ///< cards: being personalised
  shipped,        ///< cards: sent to the holder
  activated,      ///< cards: activated by the holder
  issued,         ///< done: the certificate exists
  rejected,       ///< refused by the Servicedesk, with a reason
  cancelled,      ///< withdrawn by the customer before a decision
};

/// API name: "draft", "submitted", "in_processing", "on_hold", "approved", "in_production",
/// "shipped", "activated", "issued", "rejected", "cancelled".
std::string_view toString(OrderStatus status);
/// Inverse of toString(OrderStatus).
std::optional<OrderStatus> parseOrderStatus(std::string_view name);

/// True for the server certificate order types (new and renewal).
bool isServerOrder(OrderType type);
/// True for the card order types (card-new, card-renew, mobile-add).
bool isCardOrder(OrderType type);

/// Every (from, to) step an order of `type` may take, in lifecycle order (PRODUCT.md §8: no
/// step can be skipped or repeated; see docs/adr/0005-order-state-machine.md).
const std::vector<std::pair<OrderStatus, OrderStatus>>& transitions(OrderType type);

/// True if an order of `type` may move from `from` to `to` in one step.
bool canTransition(OrderType type, OrderStatus from, OrderStatus to);

/// A certificate manager proposed in an order, not yet known to the TSP: the Servicedesk
/// identifies them, and they join the organisation once the certificate is issued (PRODUCT.md §5).
struct ProposedManager {
  std::string name;
  std::string email;
  std::string phone;
  bool operator==(const ProposedManager&) const = default;
};

/// What a card order (card-new, card-renew, mobile-add) orders, besides the common fields
/// (PRODUCT.md §5 "Passen", §6). Holder fields are those of a personal, professional or mobile
/// holder; a group card has a group name and a contact e-mail instead.
struct CardOrderDetails {
  CardType card_type = CardType::personal;
  std::optional<CardId> based_on;   ///< card-renew, mobile-add: the card it renews or extends
  std::optional<PersonId> holder;   ///< the holder, when already known (renewals, professionals)
  std::string given_name;           ///< holder's given names
  std::string surname;              ///< holder's surname
  std::string email;                ///< holder's e-mail, or the group's contact e-mail
  std::string phone;                ///< holder's phone ("" for groups)
  std::string title;                ///< personal: job title (optional); professional: profession
  std::string registration_number;  ///< professional: e.g. the notary's KNB number
  std::string group_name;           ///< group: the group or function name
  bool operator==(const CardOrderDetails&) const = default;
};

/// When an order reached a status (shown with dates to the customer: production steps).
struct OrderStep {
  OrderStatus status = OrderStatus::draft;
  TimePoint at;
};

/// Proof of the signature that submitted an order (PRODUCT.md §4), kept unchangeable.
struct OrderEvidence {
  std::string document;                ///< the exact UTF-8 bytes that were signed
  std::string signature;               ///< the CMS detached signature, DER
  std::string signer_certificate_pem;  ///< the certificate that made it
  bool operator==(const OrderEvidence&) const = default;
};

/// One order with everything that will be processed.
struct Order {
  OrderId id = 0;
  OrderType type = OrderType::server_new;
  OrderStatus status = OrderStatus::draft;
  std::optional<OrganisationId> organisation;  ///< none for a professional holder's own cards
  PersonId requested_by = 0;
  /// The certificate identity the requester ordered with; the signer must be this person.
  CertificateIdentity requester_identity;
  std::optional<CertificateId> renewal_of;   ///< server-renew: the certificate it replaces
  std::optional<CertificateId> certificate;  ///< the issued certificate, once issued
  std::optional<CardOrderDetails> card;      ///< card orders: what the card holds
  std::optional<CardId> produced_card;       ///< card orders: the card made in production
  std::string product;                       ///< product profile name, e.g. "server-private"
  std::string csr_pem;
  std::string common_name;
  std::vector<std::string> dns_names;  ///< every SAN, as in the CSR
  std::string key_description;         ///< e.g. "ECDSA P-256", "RSA 3072"
  std::string spki_sha256;             ///< lower-case hex SHA-256 of the CSR's public key info
  std::optional<PersonId> manager;     ///< an existing certificate manager
  std::optional<ProposedManager> proposed_manager;  ///< or a new one
  TimePoint not_before;                             ///< validity as computed when ordered (start)
  TimePoint not_after;                              ///< validity as computed when ordered (end)
  std::string nonce;         ///< random, in the signed document: a signature fits this order only
  std::string reason;        ///< why it was rejected
  OrderEvidence evidence;    ///< empty until submitted
  std::int64_t version = 0;  ///< raised by every change (optimistic concurrency)
  TimePoint created_at;
  TimePoint updated_at;
};

}  // namespace core
