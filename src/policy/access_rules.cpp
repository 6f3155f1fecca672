#include "policy/access_rules.hpp"

#include <array>
#include <cassert>

namespace policy {

namespace {

bool isServicedesk(const core::Principal& actor, const Subject&) {
  return actor.person.servicedesk;
}

bool isProfessional(const core::Principal& actor, const Subject&) {
  return actor.person.professional;
}

bool isOwner(const core::Principal& actor, const Subject& subject) {
  return subject.owner == actor.person.id;
}

/// An organisation's things: its BV/CP with access; one's own things: oneself.
bool actsFor(const core::Principal& actor, const Subject& subject) {
  return subject.organisation ? actor.mayActFor(*subject.organisation) : isOwner(actor, subject);
}

bool actsForOrganisation(const core::Principal& actor, const Subject& subject) {
  return subject.organisation && actor.mayActFor(*subject.organisation);
}

bool ownsOwnCard(const core::Principal& actor, const Subject& subject) {
  return !subject.organisation && isOwner(actor, subject);
}

/// The requester, and for an organisation's order only while they still act for it (BV/CP with
/// access): whoever lost that role or access signs nothing in its name, on any path.
bool requesterActingFor(const core::Principal& actor, const Subject& subject) {
  return isOwner(actor, subject) && actsFor(actor, subject);
}

bool decidesForOthers(const core::Principal& actor, const Subject& subject) {
  return actor.person.servicedesk && !isOwner(actor, subject);
}

// PRODUCT.md §2 (roles), §3 (access), §4 (signing), §7 (four eyes).
constexpr std::array kRules{
    AccessRule{Action::view_organisation, "view_organisation",
               "the Servicedesk; a BV or CP with portal access of the organisation", sees,
               "error.forbidden"},
    AccessRule{Action::order_for_organisation, "order_for_organisation",
               "a BV or CP with portal access of the organisation (never the Servicedesk in a "
               "customer's name)",
               actsForOrganisation, "error.forbidden"},
    AccessRule{Action::view_own_certificates, "view_own_certificates", "a professional holder",
               isProfessional, "error.forbidden"},
    AccessRule{Action::order_own_card, "order_own_card", "the holder of the card", ownsOwnCard,
               "error.forbidden"},
    AccessRule{Action::view_order, "view_order",
               "an organisation's order: as view_organisation; an own order: its requester; the "
               "Servicedesk",
               sees, "error.forbidden"},
    AccessRule{Action::sign_order, "sign_order",
               "its requester (the document names them); for an organisation's order only while "
               "they are a BV or CP with portal access of it",
               requesterActingFor, "order.not_requester"},
    AccessRule{Action::cancel_order, "cancel_order",
               "an organisation's order: a BV or CP with access of it; an own order: its requester",
               actsFor, "error.forbidden"},
    AccessRule{Action::make_activation_code, "make_activation_code",
               "its requester (the holder of the mobile certificate)", isOwner,
               "order.not_requester"},
    AccessRule{Action::work_in_servicedesk, "work_in_servicedesk", "a Servicedesk officer",
               isServicedesk, "error.forbidden"},
    AccessRule{Action::approve_order, "approve_order",
               "a Servicedesk officer who did not request the order", decidesForOthers,
               "order.own_approval"},
};

}  // namespace

std::span<const AccessRule> accessRules() {
  return kRules;
}

const AccessRule& ruleOf(Action action) {
  const auto& rule = kRules[static_cast<std::size_t>(action)];
  assert(rule.action == action);
  return rule;
}

bool sees(const core::Principal& actor, const Subject& subject) {
  return actor.person.servicedesk || actsFor(actor, subject);
}

core::Result<void> permit(const core::Principal& actor, Action action, const Subject& subject) {
  const AccessRule& rule = ruleOf(action);
  if (rule.allows(actor, subject)) return {};
  const bool on_object = subject.organisation || subject.owner;
  if (on_object && !sees(actor, subject))
    return core::makeError(core::ErrorKind::not_found, "error.not_found");
  return core::makeError(core::ErrorKind::forbidden, std::string(rule.refusal));
}

bool permits(const core::Principal& actor, Action action, const Subject& subject) {
  return ruleOf(action).allows(actor, subject);
}

}  // namespace policy
