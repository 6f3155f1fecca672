#pragma once
// Ordering and renewing server certificates end to end (PRODUCT.md §5 "Servercertificaten", §8;
// ADR 0006): from an uploaded CSR to a draft order with its planned validity, and from the
// Servicedesk's approval to the certificate the CA issues, exactly once per order. The steps of
// the state machine itself are OrderService's; this class adds what server orders need around
// them: the CSR rules, the validity arithmetic, the certificate manager and the CA.

#include "ca/certificate_authority.hpp"
#include "core/error.hpp"
#include "core/order.hpp"
#include "core/registry.hpp"
#include "policy/validity.hpp"
#include "ra/order_service.hpp"
#include "storage/certificate_inventory.hpp"
#include "storage/certificate_store.hpp"
#include "storage/registry_repository.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ra {

/// The product ordered when an order names none.
inline constexpr char kDefaultServerProduct[] = "server-private";

/// What a customer filled in to order or renew a server certificate.
struct ServerOrderForm {
  core::OrderType type = core::OrderType::server_new;
  /// server_new: the organisation ordering (a renewal is for its certificate's organisation).
  core::OrganisationId organisation = 0;
  std::optional<core::CertificateId> renewal_of;          ///< server_renew
  std::string csr;                                        ///< PEM or DER bytes, as uploaded
  std::optional<core::PersonId> manager;                  ///< an existing certificate manager
  std::optional<core::ProposedManager> proposed_manager;  ///< or a new one
  std::string product;                                    ///< "" for kDefaultServerProduct
  /// The identity of the certificate the actor is logged in with: the order document names it,
  /// and its signer must be this person.
  core::CertificateIdentity login_identity;
  /// SHA-256 (hex) of the key of that certificate; "" if none. A personal key must never end up
  /// on a server.
  std::string login_key_sha256;
};

/// The validity an order will get, as the review page shows it before signing.
struct ValidityPlan {
  policy::Validity validity;
  std::optional<core::TimePoint> replaced_end;  ///< renewal: the end of the certificate replaced
};

/// What the pages show about a server order beyond the order itself.
struct ServerOrderDetails {
  ValidityPlan plan;
  std::vector<std::string> unvalidated_names;  ///< SANs outside the validated domains
};

/// Server certificate orders.
class ServerOrders {
 public:
  ServerOrders(OrderService& orders, storage::OrderRepository& order_store,
               storage::RegistryRepository& registry, storage::CertificateInventory& inventory,
               storage::CertificateStore& certificates, ca::CertificateAuthority& authority,
               const core::Clock& clock)
      : orders_(orders),
        order_store_(order_store),
        registry_(registry),
        inventory_(inventory),
        certificates_(certificates),
        authority_(authority),
        clock_(clock) {}

  /// Checks the form (who may order: policy order_for_organisation; the CSR rules with the CA's
  /// key check, ca::KeyCheck; renewal key,
  /// manager, product, validity) and creates the draft. Field problems are invalid with fields
  /// "csr", "manager", "manager_name", "manager_email", "manager_phone", "product"; an
  /// organisation or certificate the actor may not see is not_found.
  core::Result<core::Order> create(const core::Principal& actor, const ServerOrderForm& form);
  /// A server certificate the actor may renew: not_found for one they may not see, forbidden
  /// for one they may only see, invalid on "certificate_id" when it is revoked.
  core::Result<core::IssuedCertificate> renewable(const core::Principal& actor,
                                                  core::CertificateId certificate);
  /// The planned validity and the names still to be validated of a server order.
  core::Result<ServerOrderDetails> detailsOf(const core::Order& order);

  // Steps of ra::Orders, on an order it loaded and authorised.

  /// Approves: takes a submitted (or on-hold, once validated) order into processing if needed,
  /// approves it and has the CA issue its certificate; an approved order whose issuance failed
  /// is issued again (once per order, ADR 0006). conflict "order.manager_not_identified" while a
  /// proposed manager is not identified.
  core::Result<core::Order> approve(const core::Principal& actor, core::Order order);
  /// Registers the manager an order proposed with an inactive manager role (listed once the
  /// certificate is issued) and records them in the order. Fields as policy::checkPerson.
  core::Result<core::Order> identifyManager(const core::Principal& actor, const core::Order& order,
                                            const core::Person& manager);

 private:
  core::Result<policy::ValidityLimits> limitsOf(const std::string& product) const;
  core::Result<ValidityPlan> planOf(const core::Order& order);
  core::Result<core::Order> issue(const core::Principal& actor, const core::Order& order);

  OrderService& orders_;
  storage::OrderRepository& order_store_;
  storage::RegistryRepository& registry_;
  storage::CertificateInventory& inventory_;
  storage::CertificateStore& certificates_;
  ca::CertificateAuthority& authority_;
  const core::Clock& clock_;
};

}  // namespace ra
