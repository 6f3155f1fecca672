#pragma once
// The route table, grouped by area; each group lives in its own source file.

#include "web/portal.hpp"
#include "web/router.hpp"

namespace web {

/// /healthz, the language switch and logout.
void addGeneralRoutes(Router& router, const PortalSettings& settings, PortalServices& services);
/// The dashboard "/" and the Servicedesk landing page.
void addDashboardRoutes(Router& router, PortalServices& services);
/// JSON API: /api/v1/me.
void addApiRoutes(Router& router, PortalServices& services);
/// Servicedesk back office under /servicedesk/… (servicedesk_routes.cpp).
void addServicedeskRoutes(Router& router, PortalServices& services);
/// Customer pages of an organisation and a professional holder's own data, and their JSON
/// (organisation_routes.cpp).
void addOrganisationRoutes(Router& router, PortalServices& services);

}  // namespace web
