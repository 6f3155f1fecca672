// The dashboard "/" for customers and professionals, and the Servicedesk landing page.

#include "auth/authorization.hpp"
#include "web/context.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

#include <map>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

http::Response dashboard(RequestContext& context) {
  const auto& principal = *context.principal;
  if (principal.person.servicedesk) return redirect(context, "/servicedesk");
  const auto& t = context.texts();

  // Roles per organisation the person may use the portal for, e.g. "Contactpersoon".
  std::map<core::OrganisationId, std::string> roles;
  for (const auto& membership : principal.memberships) {
    auto& text = roles[membership.organisation_id];
    if (!text.empty()) text += ", ";
    text += t.text("role." + std::string(core::toString(membership.role)));
  }
  boost::json::array organisations;
  for (const auto& membership : principal.portalOrganisations())
    organisations.push_back({{"id", membership.organisation_id},
                             {"name", membership.organisation_name},
                             {"roles", roles[membership.organisation_id]}});

  const bool professional = principal.person.professional;
  boost::json::object model{
      {"heading", t.format("dashboard.title", {{"name", principal.person.displayName()}})},
      {"has_organisations", !organisations.empty()},
      {"organisations", organisations},
      {"professional", professional},
      {"professional_intro",
       t.format("dashboard.professional_intro", {{"profession", principal.person.profession}})},
      {"no_organisations", organisations.empty() && !professional},
  };
  return page(context, bhttp::status::ok, "dashboard", t.text("layout.nav_dashboard"),
              std::move(model));
}

http::Response servicedeskHome(RequestContext& context) {
  if (auto allowed = auth::authorize(*context.principal, auth::Action::use_servicedesk); !allowed)
    return failure(context, allowed.error(), false);
  const auto& t = context.texts();
  return page(context, bhttp::status::ok, "servicedesk_home", t.text("servicedesk.title"),
              {{"intro", t.format("servicedesk.intro",
                                  {{"name", context.principal->person.displayName()}})}});
}

}  // namespace

void addDashboardRoutes(Router& router, PortalServices&) {
  router.add({bhttp::verb::get, "/", Access::logged_in, Format::html, dashboard});
  router.add({bhttp::verb::get, "/servicedesk", Access::logged_in, Format::html, servicedeskHome});
}

}  // namespace web
