// The Servicedesk back office (PRODUCT.md §7), Servicedesk officers only: the landing page, the
// audit log, and what the organisation and person pages share (web/servicedesk.hpp).

#include "core/time_format.hpp"
#include "policy/registry_rules.hpp"
#include "web/context.hpp"
#include "web/routes.hpp"
#include "web/servicedesk.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iterator>

namespace web {

namespace bhttp = boost::beast::http;

namespace servicedesk {

namespace {

// Confirmations a redirect may ask for (?melding=…); anything else is ignored.
constexpr std::string_view kNotices[] = {
    "geregistreerd",
    "opgeslagen",
    "portaal-aan",
    "portaal-uit",
    "domein-toegevoegd",
    "domein-verwijderd",
    "rol-toegevoegd",
    "rol-verwijderd",
    "certificaat-toegevoegd",
    "certificaat-verwijderd",
    "toegang-verleend",
    "toegang-ingetrokken",
    "goedgekeurd",
    "goedgekeurd-pas",
    "afgewezen",
    "beheerder-geidentificeerd",
    "domein-gevalideerd",
    "sleutel-geblokkeerd",
    "sleutel-vrijgegeven",
    "verzonden",
    "geactiveerd",
};

}  // namespace

ServiceHandler registryHandler(Handler handler) {
  return [handler = std::move(handler)](RequestContext& context, PortalServices& services) {
    return handler(context, services.registry);
  };
}

void addPage(Router& router, PortalServices& services, bhttp::verb method, std::string pattern,
             Handler handler) {
  addRoute(router, services, {method, std::move(pattern), Access::servicedesk, Format::html},
           registryHandler(std::move(handler)));
}

http::Response redirectWithNotice(RequestContext& context, const std::string& path,
                                  std::string_view notice) {
  return redirect(context, path + "?melding=" + std::string(notice));
}

boost::json::object pageModel(const RequestContext& context) {
  std::string notice;
  if (const auto found = context.target.query.find("melding");
      found != context.target.query.end() &&
      std::find(std::begin(kNotices), std::end(kNotices), found->second) != std::end(kNotices))
    notice = context.texts().text("servicedesk.notice." + found->second);
  return {{"csrf_token", context.session ? context.session->record.csrf_token : ""},
          {"notice", notice}};
}

std::string yesNo(const Catalogue& texts, bool value) {
  return texts.text(value ? "servicedesk.yes" : "servicedesk.no");
}

std::string roleName(const Catalogue& texts, core::Role role) {
  return texts.text("role." + std::string(core::toString(role)));
}

const std::vector<SelectOption>& roleOptions() {
  static const std::vector<SelectOption> options{
      {"representative", "role.representative"},
      {"contact", "role.contact"},
      {"manager", "role.manager"},
  };
  return options;
}

const std::vector<SelectOption>& validationMethodOptions() {
  static const std::vector<SelectOption> options = [] {
    std::vector<SelectOption> listed;
    for (const auto method : policy::kDomainValidationMethods)
      listed.emplace_back(std::string(method), "domain_validation.method." + std::string(method));
    return listed;
  }();
  return options;
}

boost::json::array fieldsetModels(FormView& form, const std::vector<Fieldset>& fieldsets,
                                  const Fields& values) {
  boost::json::array models;
  for (const auto& fieldset : fieldsets) {
    boost::json::array fields;
    for (const auto& spec : fieldset.fields) {
      const auto value = values.find(spec.name);
      fields.push_back(form.field(spec, value == values.end() ? "" : value->second));
    }
    models.push_back(
        {{"legend", form.texts().text(fieldset.legend_key)}, {"fields", std::move(fields)}});
  }
  return models;
}

http::Response formFailure(RequestContext& context, const core::Error& error,
                           const std::function<http::Response(const std::vector<core::FieldError>&,
                                                              bhttp::status)>& render) {
  if (error.fields.empty()) return failure(context, error, false);
  return render(error.fields, statusOf(error.kind));
}

std::string searchText(const RequestContext& context) {
  const auto found = context.target.query.find("q");
  return found == context.target.query.end() ? std::string() : found->second;
}

http::Response searchPage(RequestContext& context, SearchPage results) {
  const auto& t = context.texts();
  const auto query = searchText(context);
  FormView form(t, "zoek");
  boost::json::array columns;
  for (const auto& key : results.column_keys) columns.push_back(boost::json::string(t.text(key)));
  const auto count = results.rows.size();
  auto model = pageModel(context);
  model["heading"] = t.text(results.title_key);
  model["action"] = results.action;
  model["search"] = form.field({"q", results.label_key, results.description_key, "search"}, query);
  model["new_href"] = results.new_href;
  model["new_label"] = t.text(results.new_label_key);
  model["name_column"] = t.text("servicedesk.search.name");
  model["columns"] = std::move(columns);
  model["rows"] = std::move(results.rows);
  model["has_rows"] = count > 0;
  model["result_count"] = t.format("servicedesk.search.count", {{"count", std::to_string(count)}});
  return page(context, bhttp::status::ok, "servicedesk_search", t.text(results.title_key),
              std::move(model));
}

namespace {

http::Response home(RequestContext& context, ra::RegistryService&) {
  const auto& t = context.texts();
  FormView organisations(t, "zoek-organisaties");
  FormView persons(t, "zoek-personen");
  auto model = pageModel(context);
  model["intro"] =
      t.format("servicedesk.intro", {{"name", context.principal->person.displayName()}});
  model["organisation_search"] =
      organisations.field({"q", "servicedesk.organisations.search_label",
                           "servicedesk.organisations.search_description", "search"},
                          "");
  model["person_search"] = persons.field(
      {"q", "servicedesk.persons.search_label", "servicedesk.persons.search_description", "search"},
      "");
  return page(context, bhttp::status::ok, "servicedesk_home", t.text("servicedesk.title"),
              std::move(model));
}

/// "27-11-2026 13:21:04 UTC": audit times to the second, in the zone they are recorded in.
std::string auditTime(core::TimePoint at) {
  return core::toDutchDate(at) + " " + core::toIso8601(at).substr(11, 8) + " UTC";
}

/// The page of an audit id ("person:7"); "" for ids that have none (system actors).
std::string auditLink(const std::string& id) {
  using Page = std::pair<std::string_view, std::string_view>;
  for (const auto& [kind, path] : {Page{"person:", "/servicedesk/personen/"},
                                   Page{"organisation:", "/servicedesk/organisaties/"}})
    if (id.starts_with(kind)) return std::string(path) + id.substr(kind.size());
  return {};
}

boost::json::object auditParty(const ra::AuditPage& page, const std::string& id) {
  const auto name = page.names.find(id);
  return {{"text", name == page.names.end() ? id : name->second},
          {"href", name == page.names.end() ? "" : auditLink(id)}};
}

http::Response auditLog(RequestContext& context, ra::RegistryService& registry) {
  const auto& t = context.texts();
  ra::AuditFilter filter;
  // Filters are ids; a malformed one names nothing that exists.
  const auto& query = context.target.query;
  for (const auto& [name, target] :
       {std::pair{"organisatie", &filter.organisation}, std::pair{"persoon", &filter.person}}) {
    if (!query.contains(name)) continue;
    *target = idQuery(context, name);
    if (!*target)
      return failure(context, core::makeError(core::ErrorKind::not_found, "error.not_found"),
                     false);
  }
  if (query.contains("na")) filter.after_sequence = idQuery(context, "na").value_or(0);
  auto log = registry.auditLog(*context.principal, filter);
  if (!log) return failure(context, log.error(), false);

  boost::json::array records;
  for (const auto& record : log->records)
    records.push_back({{"sequence", record.sequence},
                       {"at", auditTime(record.event.at)},
                       {"actor", auditParty(*log, record.event.actor)},
                       {"action", record.event.action},
                       {"object", auditParty(*log, record.event.object)},
                       {"details", record.event.details == "{}" ? "" : record.event.details}});

  std::string filter_query;
  std::string back;
  if (filter.organisation) {
    filter_query = "organisatie=" + std::to_string(*filter.organisation) + "&";
    back = "/servicedesk/organisaties/" + std::to_string(*filter.organisation);
  } else if (filter.person) {
    filter_query = "persoon=" + std::to_string(*filter.person) + "&";
    back = "/servicedesk/personen/" + std::to_string(*filter.person);
  }
  const auto heading = log->subject.empty()
                           ? t.text("servicedesk.audit.title")
                           : t.format("servicedesk.audit.title_of", {{"subject", log->subject}});
  auto model = pageModel(context);
  model["heading"] = heading;
  model["records"] = std::move(records);
  model["has_records"] = !log->records.empty();
  model["back"] = back;
  model["back_label"] = t.format("servicedesk.audit.back", {{"subject", log->subject}});
  model["next"] = log->next_after ? "/servicedesk/audit?" + filter_query +
                                        "na=" + std::to_string(*log->next_after)
                                  : "";
  return page(context, bhttp::status::ok, "servicedesk_audit", heading, std::move(model));
}

/// Validations that expire within 30 days or have expired (ADR 0025), the first to expire first.
http::Response expiringValidations(RequestContext& context, ra::RegistryService& registry) {
  const auto& t = context.texts();
  auto listed = registry.expiringValidations(*context.principal);
  if (!listed) return failure(context, listed.error(), false);
  boost::json::array rows;
  for (const auto& [validation, expires_at, expired] : *listed)
    rows.push_back(
        {{"organisation", validation.organisation_name},
         {"organisation_href",
          "/servicedesk/organisaties/" + std::to_string(validation.organisation) + "#domeinen"},
         {"domain", validation.domain},
         {"method", t.text("domain_validation.method." + validation.method)},
         {"validated_by",
          validation.validated_by.empty() ? t.text("servicedesk.none") : validation.validated_by},
         {"validated_at", core::toDutchDate(validation.validated_at)},
         {"expires_at", core::toDutchDate(expires_at)},
         {"state", t.text(expired ? "domain_validation.expired" : "domain_validation.expiring")}});
  auto model = pageModel(context);
  model["has_rows"] = !rows.empty();
  model["rows"] = std::move(rows);
  return page(context, bhttp::status::ok, "servicedesk_domain_validations",
              t.text("domain_validation.title"), std::move(model));
}

}  // namespace

}  // namespace servicedesk

void addServicedeskRoutes(Router& router, PortalServices& services) {
  addRoute(router, services, {bhttp::verb::get, "/servicedesk", Access::servicedesk, Format::html},
           servicedesk::registryHandler(servicedesk::home));
  addRoute(router, services,
           {bhttp::verb::get, "/servicedesk/audit", Access::servicedesk, Format::html},
           servicedesk::registryHandler(servicedesk::auditLog));
  servicedesk::addPage(router, services, bhttp::verb::get, "/servicedesk/domeinvalidaties",
                       servicedesk::expiringValidations);
  servicedesk::addOrganisationRoutes(router, services);
  servicedesk::addPersonRoutes(router, services);
  servicedesk::addOrderRoutes(router, services);
}

}  // namespace web
