// JSON API under /api/v1 (API.md).

#include "web/context.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

http::Response me(RequestContext& context) {
  const auto& principal = *context.principal;
  boost::json::array roles;
  for (const auto& membership : principal.memberships)
    roles.push_back({{"organisation_id", membership.organisation_id},
                     {"organisation_name", membership.organisation_name},
                     {"role", core::toString(membership.role)}});
  return json(
      context, bhttp::status::ok,
      boost::json::object{
          {"person", {{"id", principal.person.id}, {"name", principal.person.displayName()}}},
          {"roles", roles},
          {"professional", principal.person.professional},
          {"servicedesk", principal.person.servicedesk},
      });
}

}  // namespace

void addApiRoutes(Router& router, PortalServices&) {
  router.add({bhttp::verb::get, "/api/v1/me", Access::logged_in, Format::json, me});
}

}  // namespace web
