#pragma once
// The order use cases (PRODUCT.md §4, §5, §7, §8): create a server certificate order, give the
// document to sign, submit it with the verified signature, and the Servicedesk's steps through
// the one state machine (core::transitions). Each step is one guarded transition in storage,
// written with its audit record: an order that moved meanwhile gives a conflict, never a second
// step. Who may take a step is decided by the entry points (ra::Orders, ServerOrders::create,
// CardOrders::create) with policy::permit before they call these.

#include "audit/audit_record.hpp"
#include "core/error.hpp"
#include "core/order.hpp"
#include "core/random.hpp"
#include "core/registry.hpp"
#include "policy/registry_rules.hpp"
#include "storage/order_repository.hpp"
#include "storage/registry_repository.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ra {

/// A server certificate order as the form decoded it, after the CSR checks and the validity
/// arithmetic (policy) passed.
struct ServerOrderRequest {
  core::OrderType type = core::OrderType::server_new;  ///< server_new or server_renew
  core::OrganisationId organisation = 0;
  core::CertificateIdentity requester_identity;   ///< the certificate the requester logged in with
  std::optional<core::CertificateId> renewal_of;  ///< server_renew: the certificate it replaces
  std::string product;
  std::string csr_pem;
  std::string common_name;
  std::vector<std::string> dns_names;
  std::string key_description;
  std::string spki_sha256;
  std::optional<core::PersonId> manager;                  ///< an existing certificate manager
  std::optional<core::ProposedManager> proposed_manager;  ///< or a new one
  core::TimePoint not_before;
  core::TimePoint not_after;
};

/// The names of `dns_names` that no domain of `validated_domains` covers, in their order. A
/// domain covers a name equal to it or below it ("www.voorbeeld.nl" under "voorbeeld.nl");
/// DNS names compare case-insensitively (RFC 4343).
std::vector<std::string> unvalidatedNames(const std::vector<std::string>& dns_names,
                                          const std::vector<std::string>& validated_domains);

/// The names a server order's certificate carries: its common name and every SAN, once each.
std::vector<std::string> namesOf(const core::Order& order);

/// The conflict "order.domains_not_validated" naming `names` (field "names", comma-separated):
/// the names of an order that lack a current domain validation (ADR 0025).
core::Error domainsNotValidated(const std::vector<std::string>& names);

/// The order use cases.
class OrderService {
 public:
  /// Random bytes in an order's nonce.
  static constexpr std::size_t kNonceBytes = 16;
  /// Longest rejection reason, in bytes.
  static constexpr std::size_t kMaxReasonLength = 2000;

  /// Use cases over the given repositories; `origin` is the portal's origin, named in every
  /// order document; a domain validation counts for `domain_validation_validity` (ADR 0025).
  OrderService(storage::OrderRepository& orders, storage::RegistryRepository& registry,
               core::RandomSource& random, std::string origin,
               std::chrono::days domain_validation_validity =
                   std::chrono::days{policy::kMaxDomainValidationDays})
      : orders_(orders),
        registry_(registry),
        random_(random),
        origin_(std::move(origin)),
        validity_(domain_validation_validity) {}

  /// Creates a draft of any order for `actor` (as requester) with a fresh nonce; the caller
  /// checked its contents.
  core::Result<core::Order> createDraft(const core::Principal& actor, core::Order order);
  /// Creates a draft server certificate order for `actor` with a fresh nonce.
  core::Result<core::Order> createServerOrder(const core::Principal& actor,
                                              const ServerOrderRequest& request);
  /// One order; not_found "order.not_found" if unknown.
  core::Result<core::Order> order(core::OrderId order);
  /// The exact bytes to sign for an order (PRODUCT.md §4); once signed, the signed document.
  core::Result<std::string> documentOf(const core::Order& order);
  /// The names of a server order (common name and SANs) that no current (unexpired) validation
  /// of its organisation's domains covers.
  core::Result<std::vector<std::string>> unvalidatedNamesOf(const core::Order& order);

  // The steps of the state machine, on an order the caller loaded and authorised (ra::Orders).
  // Each is one guarded transition from the status read: an order that moved meanwhile gives a
  // conflict, never a second step.

  /// Submits a draft with the evidence of its verified signature: submitted, or on_hold when a
  /// name lies outside the organisation's validated domains (PRODUCT.md §8).
  core::Result<core::Order> submit(const core::Principal& actor, const core::Order& order,
                                   const core::OrderEvidence& evidence);
  /// Takes up a submitted order, or one on hold once every name has a current validation (else
  /// domainsNotValidated).
  core::Result<core::Order> startProcessing(const core::Principal& actor, const core::Order& order);
  /// Approves an order in processing. In the same transaction every name of the order (common
  /// name and SANs) must be covered by a current validation; else the order goes back on hold
  /// and the result is domainsNotValidated naming the names (ADR 0025).
  core::Result<core::Order> approve(const core::Principal& actor, const core::Order& order);
  /// Takes up a submitted order (or one on hold, as startProcessing) if needed and approves it.
  core::Result<core::Order> takeUpAndApprove(const core::Principal& actor, core::Order order);
  /// Rejects an undecided order; the reason is required (field "reason").
  core::Result<core::Order> reject(const core::Principal& actor, const core::Order& order,
                                   const std::string& reason);
  /// Withdraws an order that is not yet in processing.
  core::Result<core::Order> cancel(const core::Principal& actor, const core::Order& order);
  /// Records the certificate the CA issued for an approved order.
  core::Result<core::Order> markIssued(const audit::Actor& actor, const core::Order& order,
                                       core::CertificateId certificate);

 private:
  core::Result<core::Order> step(const core::Order& order, core::OrderStatus to,
                                 const storage::OrderChanges& changes, const audit::Actor& actor);

  storage::OrderRepository& orders_;
  storage::RegistryRepository& registry_;
  core::RandomSource& random_;
  std::string origin_;
  std::chrono::days validity_;
};

}  // namespace ra
