#pragma once
// Shared by the Servicedesk route files (servicedesk_*routes.cpp, PRODUCT.md §7): the registry
// use cases, and small helpers every back-office page uses. Every back-office route has access
// Access::servicedesk, which Portal enforces.

#include "core/error.hpp"
#include "ra/registry_service.hpp"
#include "web/context.hpp"
#include "web/form_view.hpp"
#include "web/portal.hpp"
#include "web/router.hpp"
#include "web/routes.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace web::servicedesk {

/// A back-office handler: gets the request and the registry use cases.
using Handler = std::function<http::Response(RequestContext&, ra::RegistryService&)>;

/// A route handler of the back office over its registry use cases.
ServiceHandler registryHandler(Handler handler);
/// Adds a back-office page (Access::servicedesk, HTML) whose handler gets the registry.
void addPage(Router& router, PortalServices& services, boost::beast::http::verb method,
             std::string pattern, Handler handler);

/// Redirects (303) to `path` with a confirmation to show there (see pageModel), e.g. "opgeslagen".
http::Response redirectWithNotice(RequestContext& context, const std::string& path,
                                  std::string_view notice);
/// What every back-office page model holds: csrf_token, and the confirmation ("notice") of the
/// change that redirected here.
boost::json::object pageModel(const RequestContext& context);

/// "Ja" / "Nee".
std::string yesNo(const Catalogue& texts, bool value);
/// The label of a role ("Contactpersoon").
std::string roleName(const Catalogue& texts, core::Role role);
/// The choices of a role select, with the message keys of their labels.
const std::vector<SelectOption>& roleOptions();

/// The choices of a domain validation method select (policy::kDomainValidationMethods).
const std::vector<SelectOption>& validationMethodOptions();

/// The fields of a form, grouped as on the page.
struct Fieldset {
  std::string legend_key;  ///< message key of the legend
  std::vector<FieldSpec> fields;
};
/// The person form (given_name, surname, email, phone); names are those of policy::checkPerson.
const std::vector<Fieldset>& personFieldsets();
/// The person a submitted person form describes.
core::Person personFromForm(const RequestContext& context);
/// Models of `fieldsets` with the `values` entered (or stored): [{legend, fields: [...]}].
boost::json::array fieldsetModels(FormView& form, const std::vector<Fieldset>& fieldsets,
                                  const Fields& values);

/// What a search page lists.
struct SearchPage {
  std::string title_key;                 ///< message key of the heading
  std::string action;                    ///< where the search form goes (GET)
  std::string label_key;                 ///< label of the search field
  std::string description_key;           ///< hint of the search field
  std::string new_href;                  ///< page to register a new one
  std::string new_label_key;             ///< text of that link
  std::vector<std::string> column_keys;  ///< headers of the columns after the name
  boost::json::array rows;               ///< [{name, href, cells: [text…]}]
};
/// The search text of a search page (?q=…).
std::string searchText(const RequestContext& context);
/// A search page: the search form and the results.
http::Response searchPage(RequestContext& context, SearchPage results);

/// Shows the form again with the problems of `error` when it has field problems (status by kind),
/// otherwise the error page. `render` draws the form page with the given errors and status.
http::Response formFailure(RequestContext& context, const core::Error& error,
                           const std::function<http::Response(const std::vector<core::FieldError>&,
                                                              boost::beast::http::status)>& render);

/// Organisation pages under /servicedesk/organisaties (servicedesk_organisation_routes.cpp).
void addOrganisationRoutes(Router& router, PortalServices& services);
/// Person pages under /servicedesk/personen (servicedesk_person_routes.cpp).
void addPersonRoutes(Router& router, PortalServices& services);
/// The order queue and order pages under /servicedesk/bestellingen, and the key blocklist
/// (servicedesk_order_routes.cpp).
void addOrderRoutes(Router& router, PortalServices& services);

}  // namespace web::servicedesk
