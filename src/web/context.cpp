#include "web/context.hpp"

#include <boost/json.hpp>

namespace web {

namespace bhttp = boost::beast::http;

std::int64_t idParameter(const RequestContext& context) {
  return parseId(context.parameters.at("id")).value();
}

std::string formValue(const RequestContext& context, std::string_view name) {
  if (!context.form) return {};
  const auto found = context.form->find(name);
  return found == context.form->end() ? std::string() : found->second;
}

std::string uploadOrText(const RequestContext& context, std::string_view file_field,
                         std::string_view text_field) {
  const auto file = context.files.find(file_field);
  if (file != context.files.end() && !file->second.content.empty()) return file->second.content;
  return formValue(context, text_field);
}

std::optional<std::int64_t> idField(const RequestContext& context, std::string_view name) {
  return parseId(formValue(context, name));
}

std::optional<std::int64_t> idQuery(const RequestContext& context, std::string_view name) {
  const auto found = context.target.query.find(name);
  if (found == context.target.query.end()) return std::nullopt;
  return parseId(found->second);
}

PageChrome RequestContext::chrome(std::string title) const {
  PageChrome chrome;
  chrome.language = language;
  chrome.title = std::move(title);
  chrome.path = target.path;
  if (principal) {
    chrome.person_name = principal->person.displayName();
    const auto chosen = chosenOrganisation();
    if (chosen) chrome.organisation_name = chosen->organisation_name;
    const auto& t = texts();
    const auto item = [&](std::string href, std::string_view key) {
      const bool current = target.path == href || target.path.starts_with(href + "/");
      chrome.navigation.push_back({std::move(href), t.text(key), current});
    };
    chrome.navigation.push_back({"/", t.text("layout.nav_dashboard"), target.path == "/"});
    if (chosen) {
      const auto base = "/organisaties/" + std::to_string(chosen->organisation_id);
      // Exact match: the certificate and card pages below it have their own items.
      chrome.navigation.push_back({base, t.text("organisation.page.navigation"),
                                   target.path == base || target.path == base + "/facturatie" ||
                                       target.path == base + "/personen"});
      item(base + "/servercertificaten", "certificates.navigation.certificates");
      item(base + "/passen", "certificates.navigation.cards");
      item(base + "/bestellingen", "orders.navigation");
    }
    if (principal->person.professional) {
      item("/mijn-certificaten", "card_orders.own.navigation");
      item("/mijn-gegevens", "professional.page.navigation");
    }
    if (principal->person.servicedesk) {
      const std::string queue = "/servicedesk/bestellingen";
      const bool in_queue = target.path == queue || target.path.starts_with(queue + "/");
      chrome.navigation.push_back({"/servicedesk", t.text("layout.nav_servicedesk"),
                                   target.path.starts_with("/servicedesk") && !in_queue});
      chrome.navigation.push_back({queue, t.text("orders.queue.navigation"), in_queue});
    }
  }
  if (session) chrome.csrf_token = session->record.csrf_token;
  return chrome;
}

std::optional<core::Membership> RequestContext::chosenOrganisation() const {
  if (!principal) return std::nullopt;
  const auto organisations = principal->portalOrganisations();
  if (session && session->record.organisation)
    for (const auto& m : organisations)
      if (m.organisation_id == *session->record.organisation) return m;
  if (organisations.size() == 1) return organisations.front();
  return std::nullopt;
}

namespace {

http::Response respond(RequestContext& context, bhttp::status status, std::string content_type,
                       std::string body) {
  http::Response response{status, context.request.version()};
  response.set(bhttp::field::content_type, std::move(content_type));
  for (const auto& cookie : context.set_cookies) response.insert(bhttp::field::set_cookie, cookie);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace

http::Response page(RequestContext& context, bhttp::status status, std::string_view template_name,
                    std::string title, boost::json::object model) {
  auto html = renderPage(template_name, std::move(model), context.chrome(std::move(title)));
  return respond(context, status, "text/html; charset=utf-8", std::move(html));
}

http::Response json(RequestContext& context, bhttp::status status, const boost::json::value& body) {
  return respond(context, status, "application/json", boost::json::serialize(body));
}

http::Response redirect(RequestContext& context, std::string location) {
  auto response = respond(context, bhttp::status::see_other, "text/plain; charset=utf-8", "");
  response.set(bhttp::field::location, std::move(location));
  return response;
}

bhttp::status statusOf(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::invalid:
      return bhttp::status::bad_request;
    case core::ErrorKind::unauthenticated:
      return bhttp::status::unauthorized;
    case core::ErrorKind::forbidden:
      return bhttp::status::forbidden;
    case core::ErrorKind::not_found:
      return bhttp::status::not_found;
    case core::ErrorKind::conflict:
      return bhttp::status::conflict;
    case core::ErrorKind::too_large:
      return bhttp::status::payload_too_large;
    case core::ErrorKind::gone:
      return bhttp::status::gone;
    case core::ErrorKind::rate_limited:
      return bhttp::status::too_many_requests;
    case core::ErrorKind::unavailable:
      return bhttp::status::service_unavailable;
    case core::ErrorKind::internal:
      return bhttp::status::internal_server_error;
  }
  return bhttp::status::internal_server_error;
}

namespace {

// Message keys of the generic error pages; specific messages (form errors) come with the Error.
std::string errorKey(const core::Error& error) {
  if (error.message.starts_with("error.")) return error.message;
  switch (error.kind) {
    case core::ErrorKind::not_found:
      return "error.not_found";
    case core::ErrorKind::forbidden:
      return "error.forbidden";
    case core::ErrorKind::invalid:
    case core::ErrorKind::too_large:
      return "error.bad_request";
    case core::ErrorKind::unavailable:
      return "error.unavailable";
    case core::ErrorKind::conflict:
    case core::ErrorKind::gone:
      return "error.conflict";
    case core::ErrorKind::rate_limited:
      return "error.rate_limited";
    default:
      return "error.internal";
  }
}

}  // namespace

http::Response problem(RequestContext& context, bhttp::status status, std::string_view type,
                       std::string title, std::string detail,
                       const std::vector<core::FieldError>& fields) {
  boost::json::object body{
      {"type", "about:blank#" + std::string(type)},
      {"title", std::move(title)},
      {"status", static_cast<int>(status)},
      {"detail", std::move(detail)},
  };
  if (!fields.empty()) {
    boost::json::array errors;
    for (const auto& field : fields)
      errors.push_back(
          {{"field", field.field},
           {"message", context.texts().format(field.message, {{"label", field.field}})}});
    body["errors"] = std::move(errors);
  }
  return respond(context, status, "application/problem+json", boost::json::serialize(body));
}

http::Response failure(RequestContext& context, const core::Error& error, bool as_json) {
  const auto status = statusOf(error.kind);
  const auto key = errorKey(error);
  const auto& t = context.texts();
  // A refusal with its own text ("order.own_approval") says exactly what went wrong; a "{field}"
  // in it names the value of that field ("order.domains_not_validated": the names).
  std::string specific = t.text(error.message);
  for (const auto& field : error.fields) {
    const std::string placeholder = "{" + field.field + "}";
    if (const auto at = specific.find(placeholder); at != std::string::npos)
      specific.replace(at, placeholder.size(), field.message);
  }
  const std::string body = specific != error.message ? specific : t.text(key + ".body");
  if (as_json)
    return problem(context, status, core::toString(error.kind), t.text(key + ".title"), body,
                   error.fields);
  return page(context, status, "error", t.text(key + ".title"),
              {{"heading", t.text(key + ".title")},
               {"body", body},
               {"show_back", context.principal.has_value()}});
}

}  // namespace web
