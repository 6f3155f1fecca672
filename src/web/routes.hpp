#pragma once
// The route table, grouped by area; each group lives in its own source file.

#include "web/portal.hpp"
#include "web/router.hpp"

#include <boost/json/array.hpp>

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
/// An organisation's server certificates and cards, their downloads and JSON
/// (certificate_routes.cpp, certificate_downloads.cpp, card_routes.cpp).
void addCertificateRoutes(Router& router, PortalServices& services);
/// The .csv and .xlsx downloads of the server certificate overview (certificate_downloads.cpp).
void addCertificateDownloadRoutes(Router& router, PortalServices& services);
/// Cards (passen) of an organisation and of a professional holder (card_routes.cpp).
void addCardRoutes(Router& router, PortalServices& services);

/// Ordering server certificates: the customer's forms, review, signing and order list, and the
/// order calls of the JSON API (order_routes.cpp, order_api_routes.cpp).
void addOrderRoutes(Router& router, PortalServices& services);
/// Ordering cards: new personal and group cards of an organisation, renewals, a professional
/// holder's mobile certificate and their own overview /mijn-certificaten (card_order_routes.cpp).
void addCardOrderRoutes(Router& router, PortalServices& services);
/// The order links the card pages offer this person for `card`: renew it (a card of an
/// organisation they act for, or their own professional card; never a revoked or mobile one) and
/// add a mobile certificate (their own professional card, not expired at `now`):
/// [{href, label, aria_label}] (card_order_routes.cpp).
boost::json::array cardOrderLinks(const RequestContext& context, PortalServices& services,
                                  const core::Card& card);
/// The order calls of the JSON API (order_api_routes.cpp).
void addOrderApiRoutes(Router& router, PortalServices& services);

/// Mobile login, signing and enrolment (issue 7, docs/mobile-protocol.md): the browser's request
/// pages and the app's API (mobile_routes.cpp).
void addMobileRoutes(Router& router, const PortalSettings& settings, PortalServices& services);

/// GET /crl/<ca>.crl: the issuing CAs' current CRLs, public (crl_routes.cpp).
void addCrlRoutes(Router& router, PortalServices& services);

}  // namespace web
