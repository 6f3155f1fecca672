#pragma once
// The one place that decides who may do what (PRODUCT.md §2). Handlers and API calls ask here;
// nothing else compares roles.

#include "core/error.hpp"
#include "core/registry.hpp"

#include <optional>

namespace auth {

/// Things a logged-in person may try to do.
enum class Action {
  view_organisation,        ///< see an organisation's data, certificates and cards
  act_for_organisation,     ///< order, renew or sign for an organisation (BV/CP only)
  use_servicedesk,          ///< back-office pages and calls
  manage_own_certificates,  ///< a professional holder's own cards
};

/// Allows or refuses `action` (on `organisation`, where it applies). Refusals on objects are
/// not_found, so that nobody learns that another organisation's id exists; refusals of whole
/// areas are forbidden.
core::Result<void> authorize(const core::Principal& principal, Action action,
                             std::optional<core::OrganisationId> organisation = std::nullopt);

}  // namespace auth
