#pragma once
// Orders (PRODUCT.md §4, §8). An order's status changes only through transition(), which moves
// it from the status the caller saw, in one transaction with its audit record: of two requests
// that both saw "in_processing", one approves and the other gets a conflict, so no step is
// skipped, repeated or done twice concurrently.

#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/order.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace storage {

/// What a transition changes besides the status.
struct OrderChanges {
  std::optional<std::string> reason;               ///< why it was rejected
  std::optional<core::CertificateId> certificate;  ///< the issued certificate
  std::optional<core::OrderEvidence> evidence;     ///< the signature that submitted it
  std::optional<core::CardId> produced_card;       ///< the card made in production
};

/// The names a step must find covered by current domain validations (ADR 0025).
struct DomainCheck {
  std::chrono::days validity{397};  ///< a validation older than this has expired
  /// The names of `order` that no domain of `domains` (its organisation's current validations)
  /// covers.
  std::function<std::vector<std::string>(const core::Order& order,
                                         const std::vector<std::string>& domains)>
      uncovered;
};

/// A step taken after a DomainCheck: the order as changed, and the names that lacked a current
/// validation (then the order went on hold instead).
struct CheckedStep {
  core::Order order;
  std::vector<std::string> uncovered;
};

/// Which orders a queue shows.
struct OrderQueueFilter {
  std::optional<core::OrderStatus> status;
  std::optional<core::OrganisationId> organisation;
};

/// Reads and changes orders.
class OrderRepository {
 public:
  /// Most orders one list returns.
  static constexpr int kMaxListRows = 1000;

  /// Orders in `database`; `clock` stamps changes and audit records.
  OrderRepository(Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  /// Stores `order` as a draft ("order.create"); its id, status, certificate, reason, evidence,
  /// version and times are set here. Returns the new order; not_found "order.unknown_reference"
  /// for an unknown organisation, person or certificate, conflict for a nonce already used.
  core::Result<core::Order> createDraft(const core::Order& order, const audit::Actor& actor);
  /// One order; nullopt if unknown.
  core::Result<std::optional<core::Order>> find(core::OrderId order);
  /// An organisation's orders, newest first, at most `limit` (≤ kMaxListRows).
  core::Result<std::vector<core::Order>> listForOrganisation(core::OrganisationId organisation,
                                                             int limit);
  /// A person's own orders without an organisation (a professional holder's cards), newest
  /// first, at most `limit`.
  core::Result<std::vector<core::Order>> listForHolder(core::PersonId person, int limit);
  /// When the order reached each status so far, in order.
  core::Result<std::vector<core::OrderStep>> steps(core::OrderId order);
  /// The Servicedesk queue: orders matching `filter`, oldest first, at most `limit`.
  core::Result<std::vector<core::Order>> queue(const OrderQueueFilter& filter, int limit);

  /// Moves the order from `expected_from` to `to` with `changes`, raising its version, and
  /// appends "order.<to>" in the same transaction. not_found "order.not_found" for an unknown
  /// order; conflict "order.transition_not_allowed" when the state machine has no such step for
  /// its type; conflict "order.status_changed" when it is no longer in `expected_from`.
  /// Returns the order as changed.
  core::Result<core::Order> transition(core::OrderId order, core::OrderStatus expected_from,
                                       core::OrderStatus to, const OrderChanges& changes,
                                       const audit::Actor& actor);
  /// transition() to `to` if every name of the order is covered by a validation of its
  /// organisation younger than `check.validity`, read in the same transaction; else to on_hold,
  /// with the uncovered names in the audit record and the result.
  core::Result<CheckedStep> transitionIfValidated(core::OrderId order,
                                                  core::OrderStatus expected_from,
                                                  core::OrderStatus to, const DomainCheck& check,
                                                  const audit::Actor& actor);
  /// Records the person the Servicedesk identified as the certificate manager an order proposed
  /// ("order.manager_identified"); conflict "order.no_proposed_manager" if it proposed none or
  /// one is already recorded.
  /// Registers the new holder of a card order and records them in the order's details, in one
  /// transaction ("person.create"): a production that fails and is retried finds this holder
  /// instead of registering another. Returns the holder already recorded, if any, without a
  /// change; not_found for an unknown order or one without card details.
  core::Result<core::PersonId> registerCardHolder(core::OrderId order, const core::Person& holder,
                                                  const audit::Actor& actor);
  core::Result<core::Order> assignManager(core::OrderId order, core::PersonId manager,
                                          const audit::Actor& actor);

 private:
  Database& database_;
  const core::Clock& clock_;
};

}  // namespace storage
