// The dashboard "/" for customers and professionals.

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
  // Each organisation links to its pages and, unless the person works for it already, offers
  // to work for it (partials/organisation_choose_form).
  const auto chosen = context.chosenOrganisation();
  boost::json::array organisations;
  for (const auto& membership : principal.portalOrganisations()) {
    const auto id = membership.organisation_id;
    organisations.push_back(
        {{"organisation_id", id},
         {"name", membership.organisation_name},
         {"roles", roles[id]},
         {"href", "/organisaties/" + std::to_string(id)},
         {"chosen", chosen && chosen->organisation_id == id},
         {"choose_label", t.format("organisation.choose.button",
                                   {{"organisation", membership.organisation_name}})}});
  }

  const bool professional = principal.person.professional;
  boost::json::object model{
      {"heading", t.format("dashboard.title", {{"name", principal.person.displayName()}})},
      {"has_organisations", !organisations.empty()},
      {"organisations", organisations},
      {"professional", professional},
      {"professional_intro",
       t.format("dashboard.professional_intro", {{"profession", principal.person.profession}})},
      {"no_organisations", organisations.empty() && !professional},
      {"csrf_token", context.session->record.csrf_token},
  };
  return page(context, bhttp::status::ok, "dashboard", t.text("layout.nav_dashboard"),
              std::move(model));
}

}  // namespace

void addDashboardRoutes(Router& router, PortalServices&) {
  router.add({bhttp::verb::get, "/", Access::logged_in, Format::html, dashboard});
}

}  // namespace web
