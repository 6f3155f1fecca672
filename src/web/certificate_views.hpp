#pragma once
// Shared by the certificate and card routes: the query parameters of the overview, and how
// statuses and dates are shown.

#include "core/certificate.hpp"
#include "storage/certificate_inventory.hpp"
#include "web/context.hpp"
#include "web/portal.hpp"
#include "web/router.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace web {

/// The overview query from the page's and downloads' parameters (zoek, status, verloopt,
/// sortering, pagina), judged at `now`; unknown values are ignored.
storage::CertificateQuery overviewQuery(const RequestContext& context,
                                        core::OrganisationId organisation, core::TimePoint now);
/// The page's filter parameters (without pagina) as a query string, "" if none ("?a=b&…").
std::string filterQueryString(const RequestContext& context);

/// {"status": code, "label": text, "class": css} of a status, shown as text (not colour only).
boost::json::object statusModel(const Catalogue& t, core::CertificateStatus status);
/// "nog 12 dagen", "verlopen", "ingetrokken": days left as people read it.
std::string daysLeftText(const Catalogue& t, const core::IssuedCertificate& certificate,
                         core::TimePoint now);
/// {"id","name"} of a linked person, or null.
boost::json::value personJson(const std::optional<core::PersonId>& id, const std::string& name);

}  // namespace web
