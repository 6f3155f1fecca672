#pragma once
// The route table, grouped by area; each group lives in its own source file.

#include "web/portal.hpp"
#include "web/router.hpp"

#include <boost/json/array.hpp>

#include <functional>

namespace web {

/// A route handler of a route group: the decoded request and the portal's use cases.
using ServiceHandler = std::function<http::Reply(RequestContext&, PortalServices&)>;
/// Adds `route` (method, pattern, access guard, format) with a handler that gets the services:
/// the one way every group registers its routes.
void addRoute(Router& router, PortalServices& services, Route route, ServiceHandler handler);

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
/// The order links the card pages offer for `card`, as `may` allows: renew it, add a mobile
/// certificate: [{href, label, aria_label}] (card_order_routes.cpp).
boost::json::array cardOrderLinks(const RequestContext& context, const core::Card& card,
                                  const ra::CardPermissions& may);
/// The order calls of the JSON API (order_api_routes.cpp).
void addOrderApiRoutes(Router& router, PortalServices& services);

/// Mobile login, signing and enrolment (ADR 0008, docs/mobile-protocol.md): the browser's request
/// pages and the app's API (mobile_routes.cpp).
void addMobileRoutes(Router& router, const PortalSettings& settings, PortalServices& services);

/// GET /crl/<ca>.crl: the issuing CAs' current CRLs, public (crl_routes.cpp).
void addCrlRoutes(Router& router, PortalServices& services);

}  // namespace web
