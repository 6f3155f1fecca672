#include "web/portal.hpp"

#include "auth/session_manager.hpp"
#include "core/time_format.hpp"
#include "policy/access_rules.hpp"
#include "web/context.hpp"
#include "web/routes.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

bool isStateChange(bhttp::verb method) {
  return method != bhttp::verb::get && method != bhttp::verb::head &&
         method != bhttp::verb::options;
}

// Where a request came from, as the login audit counts it (ADR 0022).
auth::RefusalSource sourceOf(const http::Connection& connection) {
  return {.connection = connection.id, .address = connection.remote_address};
}

}  // namespace

std::string sessionCookie(const std::string& token, std::chrono::seconds max_age) {
  return std::string(kSessionCookie) + "=" + token +
         "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count());
}

void addRoute(Router& router, PortalServices& services, Route route, ServiceHandler handler) {
  route.handler = [&services, handler = std::move(handler)](RequestContext& context) {
    return handler(context, services);
  };
  router.add(std::move(route));
}

Portal::Portal(PortalSettings settings, PortalServices services)
    : settings_(std::move(settings)), services_(services) {
  addGeneralRoutes(router_, settings_, services_);
  addDashboardRoutes(router_, services_);
  addApiRoutes(router_, services_);
  addServicedeskRoutes(router_, services_);
  addOrganisationRoutes(router_, services_);
  addCertificateRoutes(router_, services_);
  addCrlRoutes(router_, services_);
  addOrderRoutes(router_, services_);
  addOrderApiRoutes(router_, services_);
  addCardOrderRoutes(router_, services_);
  addMobileRoutes(router_, settings_, services_);
}

http::Reply Portal::handle(const http::Request& request, const http::Connection& connection,
                           http::RequestLog& log) {
  auto target = parseTarget(request.target());
  RequestContext context{.request = request,
                         .connection = connection,
                         .log = log,
                         .target = target.value_or(Target{"/", {}})};
  if (auto language = cookie(request, kLanguageCookie)) context.language = parseLanguage(*language);
  const bool api = context.target.path.starts_with("/api/");
  if (!target)
    return failure(context, core::makeError(core::ErrorKind::invalid, "error.bad_request"), api);

  const auto match = router_.match(request.method(), context.target.path);
  if (!match.route) {
    if (match.wrong_method) {
      auto response =
          failure(context, core::makeError(core::ErrorKind::invalid, "error.method"), api);
      response.result(bhttp::status::method_not_allowed);
      return response;
    }
    return failure(context, core::makeError(core::ErrorKind::not_found, "error.not_found"), api);
  }
  context.parameters = match.parameters;
  log.route = match.route->pattern;  // the metrics' label: the pattern, never the raw path
  return dispatch(context, match);
}

http::Reply Portal::dispatch(RequestContext& context, const RouteMatch& match) {
  const Route& route = *match.route;
  const bool as_json = route.format == Format::json;
  try {
    if (route.access != Access::anyone) {
      if (auto refused = logIn(context, route)) return std::move(*refused);
      if (route.access == Access::servicedesk) {
        if (auto allowed = policy::permit(*context.principal, policy::Action::work_in_servicedesk);
            !allowed)
          return failure(context, allowed.error(), as_json);
      }
    }
    if (isStateChange(context.request.method())) {
      if (auto refused = guardStateChange(context, route)) return std::move(*refused);
    }
    return route.handler(context);
  } catch (const std::exception& e) {
    spdlog::error("handler failed: path={} error={}", context.target.path, e.what());
    return failure(context, core::makeError(core::ErrorKind::internal, "error.internal"), as_json);
  }
}

std::optional<http::Response> Portal::logIn(RequestContext& context, const Route& route) {
  const bool as_json = route.format == Format::json;
  auto identification = services_.login.identify(context.connection.peer);
  if (!identification) return failure(context, identification.error(), as_json);
  if (!identification->principal && identification->refusal == auth::LoginRefusal::no_certificate) {
    // No certificate on the connection: a session started by a mobile login (ADR 0008) carries
    // the identity; every authorisation rule applies to it unchanged.
    if (auto resumed = mobileSession(context, as_json)) return std::move(*resumed);
    if (context.principal) return std::nullopt;
  }
  if (!identification->principal) return refusal(context, route, *identification);

  const auto& principal = *identification->principal;
  context.log.person = std::to_string(principal.person.id);
  if (auto audited = services_.login.audit(*identification, context.connection.peer,
                                           sourceOf(context.connection));
      !audited)
    return failure(context, audited.error(), as_json);
  const auto token = cookie(context.request, kSessionCookie).value_or("");
  auto session = services_.sessions.resume(token, principal.person.id,
                                           identification->certificate_fingerprint);
  if (!session) return failure(context, session.error(), as_json);
  if (*session) {
    context.session = std::move(**session);
  } else if (route.format == Format::html && !isStateChange(context.request.method())) {
    // A page view may carry forms, whose CSRF token needs a session: a signed one, so that a
    // read writes nothing (ADR 0015). API clients get none.
    context.session =
        services_.sessions.begin(principal.person.id, identification->certificate_fingerprint);
  }
  if (context.session && !context.session->token.empty())
    context.set_cookies.push_back(
        sessionCookie(context.session->token, services_.sessions.policy().absolute_timeout));
  context.principal = std::move(identification->principal);
  return std::nullopt;
}

std::optional<http::Response> Portal::mobileSession(RequestContext& context, bool as_json) {
  const auto token = cookie(context.request, kSessionCookie).value_or("");
  auto session = services_.sessions.resumeMobile(token);
  if (!session) return failure(context, session.error(), as_json);
  if (!*session) return std::nullopt;
  auto principal = services_.login.sessionPrincipal((*session)->record.person);
  if (!principal) return failure(context, principal.error(), as_json);
  if (!*principal) return std::nullopt;
  context.log.person = std::to_string((*principal)->person.id);
  context.session = std::move(**session);
  context.principal = std::move(**principal);
  return std::nullopt;
}

http::Response Portal::refusal(RequestContext& context, const Route& route,
                               const auth::Identification& identification) {
  const auto reason = identification.refusal;
  const bool no_certificate = reason == auth::LoginRefusal::no_certificate;
  const auto status = no_certificate ? bhttp::status::unauthorized : bhttp::status::forbidden;
  if (!no_certificate) {
    // The page is the same whether or not this refusal is recorded one by one.
    if (auto recorded = services_.login.audit(identification, context.connection.peer,
                                              sourceOf(context.connection));
        !recorded)
      spdlog::error("audit of refused login failed: {}", recorded.error().message);
  }
  spdlog::info("login refused: conn={} reason={} detail={}", context.connection.id,
               auth::toString(reason), context.connection.peer.detail);
  const auto& t = context.texts();
  const std::string key =
      no_certificate ? "login" : "refused." + std::string(auth::toString(reason));
  if (route.format == Format::json)
    return problem(context, status, auth::toString(reason), t.text(key + ".title"),
                   no_certificate ? t.text("login.intro") : t.text(key + ".body"));
  if (no_certificate)
    return page(context, status, "login_required", t.text("login.title"),
                {{"demo", settings_.demo}});
  boost::json::object model{{"heading", t.text(key + ".title")},
                            {"body", t.text(key + ".body")},
                            {"action", t.text(key + ".action")},
                            {"alert_type", "error"}};
  // Only the person's own certificate is described; nothing about any registered person.
  if (const auto& certificate = context.connection.peer.certificate) {
    model["certificate"] = boost::json::object{
        {"subject", certificate->subjectAttribute("CN").value_or(certificate->subjectDn())},
        {"issuer", certificate->issuerDn()},
        {"not_after", core::toDutchDate(certificate->notAfter())}};
  }
  auto response = page(context, status, "login_refused", t.text(key + ".title"), std::move(model));
  return response;
}

std::optional<http::Response> Portal::guardStateChange(RequestContext& context,
                                                       const Route& route) {
  const bool as_json = route.format == Format::json;
  const auto forbidden = [&] {
    return failure(context, core::makeError(core::ErrorKind::forbidden, "error.csrf"), as_json);
  };
  // Cross-origin requests never change anything (Origin, or Fetch Metadata where Origin is absent).
  const auto origin = context.request[bhttp::field::origin];
  const auto fetch_site = context.request["Sec-Fetch-Site"];
  if (!fetch_site.empty() && fetch_site != "same-origin" && fetch_site != "none")
    return forbidden();
  // "Origin: null" comes from privacy settings and sandboxed frames; it is trusted only when the
  // browser itself vouches that the request is same-origin.
  const bool opaque_same_origin = origin == "null" && fetch_site == "same-origin";
  if (!origin.empty() && origin != settings_.origin && !opaque_same_origin) return forbidden();

  const auto media_type = mediaType(context.request);
  if (as_json) {
    // A cross-site page cannot send these types without a CORS preflight, which we never grant.
    if (media_type != "application/json" && media_type != "application/pkcs7-signature") {
      auto response =
          failure(context, core::makeError(core::ErrorKind::invalid, "error.bad_request"), true);
      response.result(bhttp::status::unsupported_media_type);
      return response;
    }
    return std::nullopt;
  }
  if (media_type == "multipart/form-data") {
    // File uploads (certificates, CSRs, signatures); the body limit of the transport applies.
    auto multipart =
        parseMultipart(context.request[bhttp::field::content_type], context.request.body());
    if (multipart) {
      context.form = std::move(multipart->fields);
      context.files = std::move(multipart->files);
    }
  } else if (media_type == "application/x-www-form-urlencoded") {
    context.form = parseForm(context.request.body());
  } else {
    return failure(context, core::makeError(core::ErrorKind::invalid, "error.bad_request"), false);
  }
  if (!context.form)
    return failure(context, core::makeError(core::ErrorKind::invalid, "error.bad_request"), false);
  // Forms of visitors without a session (starting a mobile login) have no synchroniser token:
  // the browser itself must vouch that the page was ours.
  if (route.access == Access::anyone) {
    if (origin != settings_.origin && fetch_site != "same-origin") return forbidden();
    return std::nullopt;
  }
  // Synchroniser token: only a page we rendered for this session knows it.
  const auto token = context.form->find("csrf_token");
  if (!context.session || token == context.form->end() ||
      !auth::secretsEqual(token->second, context.session->record.csrf_token))
    return forbidden();
  // The first state change keeps a session begun by a page view (ADR 0015).
  if (auto kept = services_.sessions.keep(*context.session); !kept)
    return failure(context, kept.error(), false);
  return std::nullopt;
}

}  // namespace web
