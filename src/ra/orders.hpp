#pragma once
// The entry points of every order use case that does not depend on what is ordered (PRODUCT.md
// §4, §7): see an order, sign it, cancel it, and the Servicedesk's decisions and production
// steps. Each call takes the acting person, loads the order once, asks policy::permit, and runs
// the step; the HTML pages and the JSON API both call these and only translate.

#include "core/error.hpp"
#include "core/order.hpp"
#include "core/registry.hpp"
#include "policy/access_rules.hpp"
#include "ra/card_orders.hpp"
#include "ra/order_service.hpp"
#include "ra/order_signature.hpp"
#include "ra/registry_service.hpp"
#include "ra/server_orders.hpp"
#include "storage/order_repository.hpp"
#include "storage/registry_repository.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ra {

/// What the person asking may do with an order now (the buttons its page offers).
struct OrderPermissions {
  bool sign = false;                  ///< a draft of theirs
  bool cancel = false;                ///< not yet in processing, theirs to withdraw
  bool make_activation_code = false;  ///< an approved mobile certificate order of theirs
  bool decide = false;                ///< a Servicedesk officer (reject, production steps)
  bool approve = false;               ///< a Servicedesk officer who did not request it
};

/// Any order as its pages and API show it.
struct OrderView {
  core::Order order;
  std::optional<ValidityPlan> plan;            ///< server orders: the planned validity
  std::vector<std::string> unvalidated_names;  ///< server orders: SANs awaiting validation
  std::vector<core::OrderStep> steps;          ///< card orders: when each status was reached
  std::optional<storage::ActivationCode> activation_code;  ///< mobile orders, once made
  std::string document;           ///< the bytes to sign (the evidence once signed)
  std::string organisation_name;  ///< "" for a holder's own order
  std::string requester_name;
  std::string manager_name;  ///< "" without an identified manager
  OrderPermissions may;
};

/// The order use cases every order type shares.
class Orders {
 public:
  Orders(OrderService& service, ServerOrders& server, CardOrders& cards,
         RegistryService& registry_service, storage::OrderRepository& store,
         storage::RegistryRepository& registry, const OrderSignatureVerifier& signatures)
      : service_(service),
        server_(server),
        cards_(cards),
        registry_service_(registry_service),
        store_(store),
        registry_(registry),
        signatures_(signatures) {}

  /// An order the actor may see (policy view_order), with what they may do with it; not_found
  /// for any other.
  core::Result<OrderView> view(const core::Principal& actor, core::OrderId order);
  /// The orders of an organisation the actor may see, newest first.
  core::Result<std::vector<core::Order>> ofOrganisation(const core::Principal& actor,
                                                        core::OrganisationId organisation);
  /// A professional holder's own orders (policy view_own_certificates), newest first.
  core::Result<std::vector<core::Order>> ofHolder(const core::Principal& actor);
  /// The Servicedesk's queue: each order with its organisation's name ("" for a holder's own).
  core::Result<std::vector<std::pair<core::Order, std::string>>> queue(
      const core::Principal& actor, const storage::OrderQueueFilter& filter);

  /// Signs a draft: verifies `signature` (CMS detached, DER or PEM) over the order's document
  /// for the actor's registered certificates (ra::OrderSignatureVerifier) and submits it with
  /// the evidence: submitted, or on_hold for names outside the validated domains (PRODUCT.md
  /// §8). An empty signature is invalid on field "signature"; a signed order is conflict
  /// "order.not_draft"; anyone but the requester forbidden "order.not_requester".
  core::Result<core::Order> sign(const core::Principal& actor, core::OrderId order,
                                 std::string_view signature);
  /// The document the actor is to sign for a draft, with the same refusals as sign() (for a
  /// signature made elsewhere: the phone).
  core::Result<std::string> documentToSign(const core::Principal& actor, core::OrderId order);
  /// Withdraws an order that is not yet in processing (policy cancel_order).
  core::Result<core::Order> cancel(const core::Principal& actor, core::OrderId order);

  /// The Servicedesk approves (never the requester, PRODUCT.md §7): a server certificate is
  /// issued, a card sent to production, a mobile certificate waits for enrolment. An approved
  /// order whose issuance or production failed is taken up again, still at most once.
  core::Result<core::Order> approve(const core::Principal& actor, core::OrderId order);
  /// The Servicedesk rejects an undecided order with a reason (field "reason").
  core::Result<core::Order> reject(const core::Principal& actor, core::OrderId order,
                                   const std::string& reason);
  /// The bureau shipped the card (in_production → shipped).
  core::Result<core::Order> ship(const core::Principal& actor, core::OrderId order);
  /// The holder activated the card (shipped → activated → issued).
  core::Result<core::Order> activate(const core::Principal& actor, core::OrderId order);
  /// The Servicedesk identified the certificate manager an order proposed (fields as
  /// policy::checkPerson).
  core::Result<core::Order> identifyManager(const core::Principal& actor, core::OrderId order,
                                            const core::Person& manager);
  /// The Servicedesk validated a domain of the order's organisation (as
  /// RegistryService::addDomain), so an order on hold can proceed.
  core::Result<void> validateDomain(const core::Principal& actor, core::OrderId order,
                                    std::string_view domain,
                                    std::string_view method = policy::kDomainValidationMethods[0]);
  /// A new activation code for the actor's approved mobile certificate order.
  core::Result<NewActivationCode> newActivationCode(const core::Principal& actor,
                                                    core::OrderId order);

 private:
  core::Result<core::Order> load(core::OrderId order);
  core::Result<std::pair<core::Order, std::string>> signable(const core::Principal& actor,
                                                             core::OrderId order);
  core::Result<core::Order> decidable(const core::Principal& actor, core::OrderId order);
  OrderPermissions permissionsOf(const core::Principal& actor, const core::Order& order) const;

  OrderService& service_;
  ServerOrders& server_;
  CardOrders& cards_;
  RegistryService& registry_service_;
  storage::OrderRepository& store_;
  storage::RegistryRepository& registry_;
  const OrderSignatureVerifier& signatures_;
};

/// The access subject of an order: its organisation, and its requester as owner.
policy::Subject subjectOf(const core::Order& order);

}  // namespace ra
