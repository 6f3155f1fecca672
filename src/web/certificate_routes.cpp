// Server certificates of an organisation (PRODUCT.md §5 "Inzage"): the overview with search,
// filters, sort and pages, the detail page with PEM download, and their JSON (API.md).

#include "core/time_format.hpp"
#include "web/certificate_export.hpp"
#include "web/certificate_views.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

/// Page links shown either side of the current page.
constexpr long long kPageWindow = 2;
/// Default and largest `limit` of the JSON list.
constexpr int kApiDefaultLimit = 100;
constexpr int kApiMaxLimit = 1000;

std::string detailHref(core::CertificateId id) {
  return "/servercertificaten/" + std::to_string(id);
}

// ----- the overview page -----

boost::json::object option(std::string value, std::string label, const std::string& chosen) {
  const bool selected = value == chosen;
  return {{"value", std::move(value)}, {"label", std::move(label)}, {"selected", selected}};
}

std::string queryOf(const RequestContext& context, std::string_view name) {
  const auto found = context.target.query.find(name);
  return found == context.target.query.end() ? std::string() : found->second;
}

boost::json::object selectModel(const RequestContext& context, std::string name,
                                std::string_view label_key, boost::json::array options) {
  return {{"id", "filter-" + name},
          {"name", name},
          {"label", context.texts().text(label_key)},
          {"options", std::move(options)}};
}

boost::json::object filterForm(const RequestContext& context) {
  const auto& t = context.texts();
  const auto status = queryOf(context, "status");
  boost::json::array statuses{option("", t.text("certificates.filter.all"), status)};
  for (const auto* code : {"valid", "expiring", "expired", "revoked"})
    statuses.push_back(option(code, t.text(std::string("certificates.status.") + code), status));
  const auto within = queryOf(context, "verloopt");
  boost::json::array expiring{option("", t.text("certificates.filter.any_time"), within)};
  for (const auto* days : {"30", "60", "90"})
    expiring.push_back(
        option(days, t.format("certificates.filter.within_days", {{"days", days}}), within));
  const auto sort = queryOf(context, "sortering");
  boost::json::array sorts;
  for (const auto* name : {"einddatum", "einddatum-aflopend", "naam", "naam-aflopend"})
    sorts.push_back(option(name, t.text(std::string("certificates.sort.") + name), sort));
  return {{"search",
           {{"id", "filter-zoek"},
            {"name", "zoek"},
            {"type", "search"},
            {"label", t.text("certificates.filter.search")},
            {"description", t.text("certificates.filter.search_help")},
            {"description_id", "filter-zoek-uitleg"},
            {"describedby", "filter-zoek-uitleg"},
            {"value", queryOf(context, "zoek")}}},
          {"selects",
           {selectModel(context, "status", "certificates.filter.status", std::move(statuses)),
            selectModel(context, "verloopt", "certificates.filter.expiring", std::move(expiring)),
            selectModel(context, "sortering", "certificates.filter.sort", std::move(sorts))}}};
}

// Links to pages 1, current ± kPageWindow and the last page, with gaps marked.
boost::json::object pagination(const RequestContext& context, long long current, long long pages,
                               const std::string& base) {
  const auto& t = context.texts();
  const std::string filters = filterQueryString(context);
  const auto href = [&](long long number) {
    return base + (filters.empty() ? "?" : filters + "&") + "pagina=" + std::to_string(number);
  };
  boost::json::array links;
  long long previous = 0;
  for (long long number = 1; number <= pages; ++number) {
    if (number != 1 && number != pages && std::abs(number - current) > kPageWindow) continue;
    if (previous && number > previous + 1) links.push_back(boost::json::object{{"gap", true}});
    links.push_back(
        {{"href", href(number)},
         {"number", number},
         {"current", number == current},
         {"label", t.format("certificates.paging.page", {{"page", std::to_string(number)}})}});
    previous = number;
  }
  boost::json::object model{{"label", t.text("certificates.paging.label")},
                            {"links", std::move(links)}};
  if (current > 1) model["previous"] = href(current - 1);
  if (current < pages) model["next"] = href(current + 1);
  return model;
}

std::string renewHref(core::CertificateId id) {
  return detailHref(id) + "/vernieuwen";
}

boost::json::object overviewRow(const Catalogue& t, const core::IssuedCertificate& c,
                                core::TimePoint now, bool may_order) {
  const auto status = core::statusAt(c.not_after, c.revoked_at, now);
  // Renewal is offered where it is due: expiring or expired, never revoked (PRODUCT.md §5 "Renew").
  const bool renewable = may_order && (status == core::CertificateStatus::expiring ||
                                       status == core::CertificateStatus::expired);
  std::string names;
  for (const auto& name : c.dns_names)
    if (name != c.common_name) names += (names.empty() ? "" : ", ") + name;
  return {{"href", detailHref(c.id)},
          {"common_name", c.common_name},
          {"other_names", names},
          {"serial", colonHex(c.serial_hex)},
          {"not_after", core::toDutchDate(c.not_after)},
          {"status", statusModel(t, status)},
          {"days_left", daysLeftText(t, c, now)},
          {"renew_href", renewable ? renewHref(c.id) : ""},
          {"renew_label", t.format("certificates.renew_label", {{"name", c.common_name}})}};
}

http::Reply overviewPage(RequestContext& context, PortalServices& services) {
  const auto& t = context.texts();
  const auto now = services.clock.now();
  const auto query = overviewQuery(context, idParameter(context), now);
  auto overview = services.queries.certificates(*context.principal, query);
  if (!overview) return failure(context, overview.error(), false);
  const core::Organisation* owner = &overview->owner.organisation;
  const storage::CertificatePage* found = &overview->page;
  const std::string base = "/organisaties/" + std::to_string(owner->id) + "/servercertificaten";
  const long long pages = std::max<long long>(1, (found->total + query.limit - 1) / query.limit);
  const long long current = query.offset / query.limit + 1;
  const bool may_order = overview->owner.may_order;
  boost::json::array rows;
  for (const auto& certificate : found->items)
    rows.push_back(overviewRow(t, certificate, now, may_order));
  const std::string filters = filterQueryString(context);
  const std::string downloads =
      "/organisations/" + std::to_string(owner->id) + "/server-certificates";
  const std::string separator = (filters.empty() ? "?" : filters + "&") + "scheiding=puntkomma";
  const bool has_rows = !rows.empty();
  boost::json::object model{
      {"heading", t.text("certificates.overview.title")},
      {"organisation", owner->name},
      {"action", base},
      {"form", filterForm(context)},
      {"summary", t.format(found->total == 1 ? "certificates.overview.found_one"
                                             : "certificates.overview.found_many",
                           {{"count", std::to_string(found->total)}})},
      {"caption", t.format("certificates.overview.caption", {{"organisation", owner->name},
                                                             {"page", std::to_string(current)},
                                                             {"pages", std::to_string(pages)}})},
      {"has_rows", has_rows},
      {"rows", std::move(rows)},
      {"empty", has_rows ? std::string() : t.text("certificates.overview.none")},
      {"pagination", pages > 1 ? boost::json::value(pagination(context, current, pages, base))
                               : boost::json::value(nullptr)},
      {"csv_href", downloads + ".csv" + filters},
      {"csv_semicolon_href", downloads + ".csv" + separator},
      {"xlsx_href", downloads + ".xlsx" + filters},
      {"order_href", may_order ? base + "/bestellen" : ""}};
  return page(context, bhttp::status::ok, "certificates_overview",
              t.format("organisation.page.title_format",
                       {{"page", t.text("certificates.overview.title")}, {"subject", owner->name}}),
              std::move(model));
}

// ----- one certificate -----

boost::json::object fact(const Catalogue& t, std::string_view key, std::vector<std::string> lines,
                         bool code = false) {
  std::erase(lines, "");
  if (lines.empty()) lines.push_back(t.text("certificates.detail.none"));
  boost::json::array values;
  for (auto& line : lines) values.push_back(boost::json::object{{"text", std::move(line)}});
  return {{"label", t.text(std::string("certificates.detail.") + std::string(key))},
          {"lines", std::move(values)},
          {"code", code}};
}

http::Reply detailPage(RequestContext& context, PortalServices& services) {
  auto view = services.queries.certificate(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), false);
  const auto& t = context.texts();
  const auto& c = view->certificate;
  const auto now = services.clock.now();
  const auto status = core::statusAt(c.not_after, c.revoked_at, now);
  std::vector<std::string> status_lines{
      t.text("certificates.status." + std::string(core::toString(status))),
      daysLeftText(t, c, now)};
  if (c.revoked_at)
    status_lines.push_back(
        t.format("certificates.detail.revoked_on",
                 {{"date", core::toDutchDate(*c.revoked_at)}, {"reason", c.revocation_reason}}));
  const auto organisation = std::to_string(c.organisation.value_or(0));
  boost::json::array facts{fact(t, "status", status_lines),
                           fact(t, "subject", {c.subject_dn}),
                           fact(t, "sans", c.dns_names),
                           fact(t, "serial", {colonHex(c.serial_hex)}, true),
                           fact(t, "validity",
                                {t.format("certificates.detail.from_until",
                                          {{"from", core::toDutchDate(c.not_before)},
                                           {"until", core::toDutchDate(c.not_after)}})}),
                           fact(t, "issuer", {c.issuer_dn}),
                           fact(t, "key", {c.key_description}),
                           fact(t, "fingerprint", {colonHex(c.sha256_fingerprint)}, true),
                           fact(t, "policies", c.policy_oids, true),
                           fact(t, "product", {c.product}),
                           fact(t, "manager", {c.manager_name}),
                           fact(t, "requested_by", {c.requested_by_name})};
  boost::json::object model{{"heading", c.common_name},
                            {"facts", std::move(facts)},
                            {"pem_href", detailHref(c.id) + ".pem"},
                            {"chain_href", detailHref(c.id) + "/keten.pem"},
                            {"back_href", "/organisaties/" + organisation + "/servercertificaten"},
                            {"renew_href", view->may_renew ? renewHref(c.id) : ""}};
  return page(context, bhttp::status::ok, "certificates_detail",
              t.format("organisation.page.title_format",
                       {{"page", t.text("certificates.detail.title")}, {"subject", c.common_name}}),
              std::move(model));
}

http::Reply pemAttachment(RequestContext& context, const std::string& file_name, std::string pem) {
  http::Response response{bhttp::status::ok, context.request.version()};
  response.set(bhttp::field::content_type, "application/x-pem-file");
  response.set(bhttp::field::content_disposition, "attachment; filename=\"" + file_name + "\"");
  response.body() = std::move(pem);
  return response;
}

// GET /servercertificaten/{file}: "<id>.pem", the certificate itself.
http::Reply pemDownload(RequestContext& context, PortalServices& services) {
  const std::string file = context.parameters.at("file");
  const auto id = file.ends_with(".pem") ? parseId(file.substr(0, file.size() - 4)) : std::nullopt;
  if (!id)
    return failure(context, core::makeError(core::ErrorKind::not_found, "error.not_found"), false);
  auto view = services.queries.certificate(*context.principal, *id);
  if (!view) return failure(context, view.error(), false);
  return pemAttachment(context, "servercertificaat-" + std::to_string(*id) + ".pem",
                       view->certificate.pem);
}

// GET /servercertificaten/{id}/keten.pem: the certificate followed by its issuing CA, the
// intermediate and the root, so that anyone can verify it or install the chain on a server.
http::Reply chainDownload(RequestContext& context, PortalServices& services) {
  const auto id = idParameter(context);
  auto view = services.queries.certificate(*context.principal, id);
  if (!view) return failure(context, view.error(), false);
  const core::IssuedCertificate* certificate = &view->certificate;
  auto chain = services.chains.pem(certificate->issuing_ca);
  if (!chain) return failure(context, chain.error(), false);
  if (!*chain)
    return failure(context, core::makeError(core::ErrorKind::not_found, "error.not_found"), false);
  std::string pem = certificate->pem;
  if (!pem.ends_with('\n')) pem += '\n';
  return pemAttachment(context, "servercertificaat-" + std::to_string(id) + "-keten.pem",
                       pem + **chain);
}

// ----- JSON -----

boost::json::object certificateJson(const core::IssuedCertificate& c, core::TimePoint now) {
  return {{"id", c.id},
          {"common_name", c.common_name},
          {"sans", boost::json::array(c.dns_names.begin(), c.dns_names.end())},
          {"serial", colonHex(c.serial_hex)},
          {"not_before", core::toIso8601(c.not_before)},
          {"not_after", core::toIso8601(c.not_after)},
          {"status", core::toString(core::statusAt(c.not_after, c.revoked_at, now))},
          {"manager", personJson(c.manager, c.manager_name)},
          {"requested_by", personJson(c.requested_by, c.requested_by_name)}};
}

// An integer query parameter within [low, high]; `fallback` when absent, nullopt when invalid.
std::optional<int> boundedQuery(const RequestContext& context, std::string_view name, int fallback,
                                int low, int high) {
  const auto text = queryOf(context, name);
  if (text.empty()) return fallback;
  if (text == "0" && low == 0) return 0;
  const auto value = parseId(text);
  if (!value || *value < low || *value > high) return std::nullopt;
  return int(*value);
}

http::Reply listJson(RequestContext& context, PortalServices& services) {
  const auto now = services.clock.now();
  auto query = overviewQuery(context, idParameter(context), now);
  const auto offset = boundedQuery(context, "offset", 0, 0, 1'000'000'000);
  const auto limit = boundedQuery(context, "limit", kApiDefaultLimit, 1, kApiMaxLimit);
  if (!offset || !limit)
    return failure(context,
                   core::makeError(core::ErrorKind::invalid, "error.bad_request",
                                   {{offset ? "limit" : "offset", "certificates.api.range"}}),
                   true);
  query.offset = *offset;
  query.limit = *limit;
  auto overview = services.queries.certificates(*context.principal, query);
  if (!overview) return failure(context, overview.error(), true);
  const storage::CertificatePage* found = &overview->page;
  boost::json::array items;
  for (const auto& certificate : found->items) items.push_back(certificateJson(certificate, now));
  return json(context, bhttp::status::ok,
              boost::json::object{{"items", std::move(items)},
                                  {"total", found->total},
                                  {"offset", query.offset},
                                  {"limit", query.limit}});
}

http::Reply detailJson(RequestContext& context, PortalServices& services) {
  auto view = services.queries.certificate(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), true);
  const auto& c = view->certificate;
  auto body = certificateJson(c, services.clock.now());
  body["subject"] = c.subject_dn;
  body["issuer"] = c.issuer_dn;
  body["key"] = c.key_description;
  body["sha256_fingerprint"] = colonHex(c.sha256_fingerprint);
  body["policies"] = boost::json::array(c.policy_oids.begin(), c.policy_oids.end());
  body["product"] = c.product;
  body["revoked_at"] = c.revoked_at ? boost::json::value(core::toIso8601(*c.revoked_at)) : nullptr;
  body["pem"] = c.pem;
  return json(context, bhttp::status::ok, body);
}

}  // namespace

void addCertificateRoutes(Router& router, PortalServices& services) {
  addRoute(
      router, services,
      {bhttp::verb::get, "/organisaties/{id}/servercertificaten", Access::logged_in, Format::html},
      overviewPage);
  addRoute(router, services,
           {bhttp::verb::get, "/servercertificaten/{id}", Access::logged_in, Format::html},
           detailPage);
  addRoute(router, services,
           {bhttp::verb::get, "/servercertificaten/{file}", Access::logged_in, Format::html},
           pemDownload);
  addRoute(
      router, services,
      {bhttp::verb::get, "/servercertificaten/{id}/keten.pem", Access::logged_in, Format::html},
      chainDownload);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/organisations/{id}/server-certificates", Access::logged_in,
            Format::json},
           listJson);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/server-certificates/{id}", Access::logged_in, Format::json},
           detailJson);
  addCertificateDownloadRoutes(router, services);
  addCardRoutes(router, services);
}

}  // namespace web
