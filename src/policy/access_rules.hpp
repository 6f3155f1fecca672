#pragma once
// Who may do what (PRODUCT.md §2, §3, §7): the one table of access rules. The use cases in ra
// and auth ask here before they read or change anything; adapters never compare roles.

#include "core/error.hpp"
#include "core/registry.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace policy {

/// Things a logged-in person may try to do.
enum class Action {
  view_organisation,       ///< an organisation's data, persons, certificates, cards, orders
  order_for_organisation,  ///< order or renew certificates and cards for an organisation
  view_own_certificates,   ///< a professional holder's own cards and registration data
  order_own_card,          ///< renew one's own professional card, add a mobile certificate
  view_order,              ///< an order's page, facts and document
  sign_order,              ///< sign (submit) a draft order
  cancel_order,            ///< withdraw an order that is not yet in processing
  make_activation_code,    ///< a mobile certificate order's activation code
  work_in_servicedesk,     ///< back office: registry, queue, production steps, audit log
  approve_order,           ///< approve an order (four eyes)
};

/// The object an action is on, as far as access depends on it.
struct Subject {
  /// The organisation it belongs to; none for a professional holder's own cards and orders.
  std::optional<core::OrganisationId> organisation;
  /// The person it is personal to: an order's requester, a card's holder.
  std::optional<core::PersonId> owner;
};

/// One row of the table.
struct AccessRule {
  Action action;
  std::string_view name;  ///< the action as code and tests name it, e.g. "cancel_order"
  std::string_view who;   ///< who may, in the words of PRODUCT.md
  /// True if `actor` may do the action on `subject`.
  bool (*allows)(const core::Principal& actor, const Subject& subject);
  /// Message of the refusal of someone who may see the subject (or use the area) but not do this.
  std::string_view refusal;
};

/// Every rule, one per action, in the order of Action.
std::span<const AccessRule> accessRules();
/// The rule of `action`.
const AccessRule& ruleOf(Action action);

/// True if `actor` may see `subject` at all: the Servicedesk everything; BV/CP with access their
/// organisation's; anyone their own.
bool sees(const core::Principal& actor, const Subject& subject);

/// Allows `action`, or refuses it: not_found "error.not_found" when the actor may not even see
/// the subject (so nobody learns that another organisation's id exists), forbidden with the
/// rule's message otherwise. Actions on an area (no organisation, no owner) refuse forbidden.
core::Result<void> permit(const core::Principal& actor, Action action, const Subject& subject = {});
/// permit() as a yes/no, for which buttons a page offers.
bool permits(const core::Principal& actor, Action action, const Subject& subject = {});

}  // namespace policy
