#include "auth/authorization.hpp"

namespace auth {

namespace {
const core::Error kNotFound = core::makeError(core::ErrorKind::not_found, "error.not_found");
const core::Error kForbidden = core::makeError(core::ErrorKind::forbidden, "error.forbidden");
}  // namespace

core::Result<void> authorize(const core::Principal& principal, Action action,
                             std::optional<core::OrganisationId> organisation) {
  switch (action) {
    case Action::view_organisation:
      if (principal.person.servicedesk) return {};
      if (organisation && principal.mayActFor(*organisation)) return {};
      return kNotFound;
    case Action::act_for_organisation:
      if (organisation && principal.mayActFor(*organisation)) return {};
      // Servicedesk officers see every organisation but never act in a customer's name.
      return principal.person.servicedesk ? kForbidden : kNotFound;
    case Action::use_servicedesk:
      if (principal.person.servicedesk) return {};
      return kForbidden;
    case Action::manage_own_certificates:
      if (principal.person.professional) return {};
      return kForbidden;
  }
  return kForbidden;
}

}  // namespace auth
