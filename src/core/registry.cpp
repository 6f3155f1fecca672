#include "core/registry.hpp"

#include <algorithm>

namespace core {

std::string_view toString(Role role) {
  switch (role) {
    case Role::representative:
      return "representative";
    case Role::contact:
      return "contact";
    case Role::manager:
      return "manager";
  }
  return "contact";
}

std::optional<Role> parseRole(std::string_view name) {
  for (Role r : {Role::representative, Role::contact, Role::manager})
    if (toString(r) == name) return r;
  return std::nullopt;
}

std::string Person::displayName() const {
  if (given_name.empty()) return surname;
  return given_name + " " + surname;
}

bool Principal::mayActFor(OrganisationId organisation) const {
  if (!person.portal_access) return false;
  return std::any_of(memberships.begin(), memberships.end(), [&](const Membership& m) {
    return m.organisation_id == organisation && m.organisation_portal_enabled &&
           (m.role == Role::representative || m.role == Role::contact);
  });
}

std::vector<Membership> Principal::portalOrganisations() const {
  std::vector<Membership> result;
  for (const auto& m : memberships) {
    const bool seen = std::any_of(result.begin(), result.end(), [&](const Membership& r) {
      return r.organisation_id == m.organisation_id;
    });
    if (!seen && mayActFor(m.organisation_id)) result.push_back(m);
  }
  std::sort(result.begin(), result.end(), [](const Membership& a, const Membership& b) {
    return a.organisation_name < b.organisation_name;
  });
  return result;
}

bool Principal::hasPortalAccess() const {
  return person.servicedesk || person.professional || !portalOrganisations().empty();
}

}  // namespace core
