// Mobile login and signing (ADR 0008, PRODUCT.md §3, §4; docs/mobile-protocol.md): the browser
// starts a request and waits on a page with a QR code; the app fetches the request and answers
// it; and enrolment of a mobile certificate with its activation code.

#include "core/encoding.hpp"
#include "core/time_format.hpp"
#include "pki/crypto.hpp"
#include "web/certificate_views.hpp"
#include "web/context.hpp"
#include "web/qr_code.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

/// Random bytes of the browser binding cookie.
constexpr std::size_t kBindingBytes = 32;
/// Lifetime of the binding cookie (it outlives many two-minute requests).
constexpr std::chrono::hours kBindingLifetime{8};
/// An app may retry an answer (a refused signature): answers get twice the request limit.
constexpr int kAnswersPerRequest = 2;

std::string requestPath(const std::string& id) {
  return "/mobiel/verzoeken/" + id;
}

/// The browser's binding secret: its cookie, or a new one that `context` will set.
std::string bindingSecret(RequestContext& context) {
  if (auto existing = cookie(context.request, kMobileCookie); existing && !existing->empty())
    return *existing;
  pki::SystemRandom random;
  const std::string secret = core::randomToken(random, kBindingBytes);
  context.set_cookies.push_back(std::string(kMobileCookie) + "=" + secret +
                                "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
                                std::to_string(std::chrono::seconds{kBindingLifetime}.count()));
  return secret;
}

std::string existingSecret(const RequestContext& context) {
  return cookie(context.request, kMobileCookie).value_or("");
}

/// A coarse description of a user agent for the app's confirmation ("Firefox op Linux"): which
/// browser family on which system, never the version or anything else the header carries.
std::string describeUserAgent(std::string_view agent) {
  const auto has = [&](std::string_view part) {
    return agent.find(part) != std::string_view::npos;
  };
  // Order matters: Edge and Opera also say Chrome, Chrome also says Safari, Android says Linux.
  std::string_view browser = "Onbekende browser";
  if (has("Firefox/") || has("FxiOS/"))
    browser = "Firefox";
  else if (has("Edg/") || has("EdgA/") || has("EdgiOS/"))
    browser = "Edge";
  else if (has("OPR/") || has("Opera"))
    browser = "Opera";
  else if (has("Chrome/") || has("CriOS/") || has("Chromium/"))
    browser = "Chrome";
  else if (has("Safari/"))
    browser = "Safari";
  else if (has("curl/"))
    browser = "curl";
  std::string_view system = "onbekend systeem";
  if (has("Windows"))
    system = "Windows";
  else if (has("iPhone") || has("iPad") || has("iPod"))
    system = "iOS";
  else if (has("Android"))
    system = "Android";
  else if (has("CrOS"))
    system = "ChromeOS";
  else if (has("Mac OS X") || has("Macintosh"))
    system = "macOS";
  else if (has("Linux") || has("X11"))
    system = "Linux";
  return std::string(browser) + " op " + std::string(system);
}

/// The protocol's problem types (docs/mobile-protocol.md) by message key.
std::string_view problemType(const core::Error& error) {
  const std::string& key = error.message;
  if (key == "mobile.unknown") return "unknown";
  if (key == "mobile.expired") return "expired";
  if (key == "mobile.used") return "used";
  if (key == "mobile.cancelled") return "cancelled";
  if (key == "mobile.not_mobile") return "not_mobile";
  if (key == "mobile.wrong_person") return "wrong_person";
  if (key == "mobile.not_allowed") return "not_allowed";
  if (key == "mobile.wrong_number") return "wrong_number";
  if (key == "mobile.number_missing") return "number_missing";
  if (key == "activation_code.invalid") return "invalid_code";
  if (error.kind == core::ErrorKind::rate_limited) return "rate_limited";
  return core::toString(error.kind);
}

http::Response appProblem(RequestContext& context, const core::Error& error) {
  const auto& t = context.texts();
  const std::string specific = t.text(error.message);
  return problem(context, statusOf(error.kind), problemType(error), t.text("mobile.problem_title"),
                 specific != error.message ? specific : t.text("error.bad_request.body"),
                 error.fields);
}

/// The status a browser's request is in, as its page and its status call say it.
std::string_view browserStatus(const auth::MobileRequestState& state) {
  if (state.expired) return "expired";
  switch (state.request.status) {
    case storage::MobileRequestStatus::pending:
      return "pending";
    case storage::MobileRequestStatus::completed:
      return "completed";
    case storage::MobileRequestStatus::consumed:
      return "used";
    case storage::MobileRequestStatus::cancelled:
      return "cancelled";
  }
  return "pending";
}

/// Why the request did not complete, for the browser: the last refused answer of a pending
/// request, or why the app cancelled it (a wrong number); "" if nothing is to be said.
std::string reasonText(const Catalogue& t, const auth::MobileRequestState& state) {
  const std::string_view status = browserStatus(state);
  if (state.request.refusal.empty()) return "";
  if (status == "pending")
    return t.format("mobile.page.refused", {{"reason", t.text(state.request.refusal)}});
  if (status == "cancelled") return t.text(state.request.refusal);
  return "";
}

std::string statusText(const Catalogue& t, const auth::MobileRequestState& state) {
  const std::string_view status = browserStatus(state);
  if (auto reason = reasonText(t, state); !reason.empty()) return reason;
  return t.text("mobile.status." + std::string(status));
}

// ----- the browser -----

http::Reply startPage(RequestContext& context, PortalServices&) {
  const auto& t = context.texts();
  return page(context, bhttp::status::ok, "mobile_start", t.text("mobile.start.title"),
              {{"action", "/mobiel/inloggen"}});
}

http::Reply startLogin(RequestContext& context, PortalServices& services) {
  auto request = services.mobile.startLogin(
      bindingSecret(context), context.connection.remote_address,
      describeUserAgent(std::string_view(context.request[bhttp::field::user_agent].data(),
                                         context.request[bhttp::field::user_agent].size())));
  if (!request) return failure(context, request.error(), false);
  return redirect(context, requestPath(request->id));
}

http::Reply startSigning(RequestContext& context, PortalServices& services) {
  auto request =
      services.mobile.startSigning(*context.principal, idParameter(context), bindingSecret(context),
                                   context.connection.remote_address);
  if (!request) return failure(context, request.error(), false);
  return redirect(context, requestPath(request->id));
}

http::Reply requestPage(RequestContext& context, PortalServices& services,
                        const PortalSettings& settings) {
  const std::string id = context.parameters.at("request");
  auto state = services.mobile.forBrowser(id, existingSecret(context));
  if (!state) return failure(context, state.error(), false);
  const auto& t = context.texts();
  const std::string url = settings.origin + "/m/" + id;
  const bool login = state->request.kind == storage::MobileRequestKind::login;
  const bool pending = browserStatus(*state) == "pending";
  boost::json::object texts{{"completed", t.text("mobile.status.completed")},
                            {"expired", t.text("mobile.status.expired")},
                            {"cancelled", t.text("mobile.status.cancelled")},
                            {"used", t.text("mobile.status.used")}};
  boost::json::object model{
      {"heading", t.text(login ? "mobile.page.login_title" : "mobile.page.sign_title")},
      {"intro", t.text(login ? "mobile.page.login_intro" : "mobile.page.sign_intro")},
      {"pending", pending},
      {"qr", pending ? qrCodeSvg(url, t.text("mobile.page.qr_label")) : ""},
      {"url", url},
      {"code", id},
      {"expires", core::toIso8601(state->request.expires_at)},
      {"status", statusText(t, *state)},
      {"status_url", requestPath(id) + "/status"},
      {"texts", boost::json::serialize(texts)},
      {"finish_action", requestPath(id) + "/afronden"},
      {"cancel_action", requestPath(id) + "/annuleren"},
      {"restart_href", login ? "/mobiel/inloggen" : ""}};
  // Number matching (ADR 0021): only this browser's page shows the number to pick in the app.
  if (login && pending && state->request.match_number)
    model["number"] = std::to_string(*state->request.match_number);
  auto response =
      page(context, bhttp::status::ok, "mobile_request",
           t.text(login ? "mobile.page.login_title" : "mobile.page.sign_title"), std::move(model));
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

http::Reply requestStatus(RequestContext& context, PortalServices& services) {
  const std::string id = context.parameters.at("request");
  auto state = services.mobile.forBrowser(id, existingSecret(context));
  if (!state) return failure(context, state.error(), true);
  if (auto polled = services.mobile.poll(id); !polled)
    return failure(context, polled.error(), true);
  boost::json::object body{{"status", browserStatus(*state)}};
  if (auto reason = reasonText(context.texts(), *state); !reason.empty()) body["reason"] = reason;
  auto response = json(context, bhttp::status::ok, body);
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

http::Reply finish(RequestContext& context, PortalServices& services) {
  const std::string id = context.parameters.at("request");
  const std::string secret = existingSecret(context);
  auto state = services.mobile.forBrowser(id, secret);
  if (!state) return failure(context, state.error(), false);
  if (state->request.kind == storage::MobileRequestKind::sign) {
    // The order was submitted when the app's answer was verified.
    if (state->request.status != storage::MobileRequestStatus::completed)
      return redirect(context, requestPath(id));
    return redirect(context, "/bestellingen/" + std::to_string(state->request.order.value_or(0)) +
                                 "?melding=ondertekend");
  }
  if (state->request.status != storage::MobileRequestStatus::completed)
    return redirect(context, requestPath(id));
  auto login = services.mobile.finishLogin(id, secret);
  if (!login) return failure(context, login.error(), false);
  auto session = services.sessions.start(login->first.person.id, login->second);
  if (!session) return failure(context, session.error(), false);
  context.set_cookies.push_back(
      sessionCookie(session->token, services.sessions.policy().absolute_timeout));
  return redirect(context, "/");
}

http::Reply cancel(RequestContext& context, PortalServices& services) {
  const std::string id = context.parameters.at("request");
  if (auto cancelled = services.mobile.cancel(id, existingSecret(context)); !cancelled)
    return failure(context, cancelled.error(), false);
  return redirect(context, requestPath(id));
}

http::Reply linkPage(RequestContext& context, PortalServices& services) {
  // Only a request the app can still answer is named on the page: an unknown, expired, used or
  // cancelled one gets the error page, which repeats nothing of the URL.
  auto request = services.mobile.forApp(context.parameters.at("request"));
  if (!request) return failure(context, request.error(), false);
  const auto& t = context.texts();
  return page(context, bhttp::status::ok, "mobile_link", t.text("mobile.link.title"),
              {{"code", request->id}});
}

// ----- the app -----

/// Counts an app's attempt from this address; rate_limited beyond `per_minute`.
core::Result<void> countAttempt(RequestContext& context, PortalServices& services,
                                const std::string& scope, int per_minute) {
  auto allowed = services.rate_limiter.allow(scope, context.connection.remote_address, per_minute,
                                             std::chrono::minutes{1});
  if (!allowed) return allowed.error();
  if (!*allowed) return core::makeError(core::ErrorKind::rate_limited, "mobile.rate_limited");
  return {};
}

http::Reply appRequest(RequestContext& context, PortalServices& services,
                       const PortalSettings& settings) {
  auto request = services.mobile.forApp(context.parameters.at("request"));
  if (!request) return appProblem(context, request.error());
  boost::json::object body{{"id", request->id},
                           {"kind", storage::toString(request->kind)},
                           {"origin", settings.origin},
                           {"nonce", request->nonce},
                           {"expires_at", core::toIso8601(request->expires_at)},
                           {"document", request->document}};
  if (request->order) body["order_id"] = *request->order;
  if (request->kind == storage::MobileRequestKind::login) {
    // Number matching (ADR 0021): the app offers these and the person picks the browser's.
    boost::json::array choices;
    for (const int choice : request->match_choices) choices.push_back(choice);
    body["choices"] = std::move(choices);
    body["browser"] = boost::json::object{{"description", request->browser},
                                          {"address", request->client_address},
                                          {"started_at", core::toIso8601(request->created_at)}};
  }
  auto response = json(context, bhttp::status::ok, body);
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

http::Reply appAnswer(RequestContext& context, PortalServices& services) {
  const int limit = kAnswersPerRequest * services.mobile.settings().requests_per_minute;
  if (auto counted = countAttempt(context, services, "mobile-answer", limit); !counted)
    return appProblem(context, counted.error());
  auto answered = services.mobile.answer(context.parameters.at("request"), context.request.body(),
                                         idQuery(context, "number"));
  if (!answered) return appProblem(context, answered.error());
  boost::json::object body{{"status", "completed"}};
  if (answered->order_status) body["order_status"] = core::toString(*answered->order_status);
  return json(context, bhttp::status::ok, body);
}

http::Reply enroll(RequestContext& context, PortalServices& services) {
  if (auto counted = countAttempt(context, services, "mobile-enroll",
                                  services.mobile.settings().requests_per_minute);
      !counted)
    return appProblem(context, counted.error());
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(context.request.body(), ec);
  const auto* fields = ec ? nullptr : parsed.if_object();
  const auto text = [&](std::string_view name) {
    const auto* value = fields ? fields->if_contains(name) : nullptr;
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
  };
  if (!fields)
    return appProblem(context, core::makeError(core::ErrorKind::invalid, "orders.api.not_json"));
  auto enrolled = services.card_orders.enroll(text("code"), text("csr"));
  if (!enrolled) return appProblem(context, enrolled.error());
  return json(context, bhttp::status::created,
              boost::json::object{{"order_id", enrolled->order},
                                  {"card_id", enrolled->card},
                                  {"certificate", enrolled->certificate_pem},
                                  {"chain", enrolled->chain_pem}});
}

}  // namespace

void addMobileRoutes(Router& router, const PortalSettings& settings, PortalServices& services) {
  const auto withSettings = [&settings](auto handler) -> ServiceHandler {
    return [&settings, handler](RequestContext& context, PortalServices& services) {
      return handler(context, services, settings);
    };
  };
  addRoute(router, services, {bhttp::verb::get, "/mobiel/inloggen", Access::anyone, Format::html},
           startPage);
  addRoute(router, services, {bhttp::verb::post, "/mobiel/inloggen", Access::anyone, Format::html},
           startLogin);
  addRoute(router, services,
           {bhttp::verb::get, "/mobiel/verzoeken/{request}", Access::anyone, Format::html},
           withSettings(requestPage));
  addRoute(router, services,
           {bhttp::verb::get, "/mobiel/verzoeken/{request}/status", Access::anyone, Format::json},
           requestStatus);
  addRoute(
      router, services,
      {bhttp::verb::post, "/mobiel/verzoeken/{request}/afronden", Access::anyone, Format::html},
      finish);
  addRoute(
      router, services,
      {bhttp::verb::post, "/mobiel/verzoeken/{request}/annuleren", Access::anyone, Format::html},
      cancel);
  addRoute(router, services, {bhttp::verb::get, "/m/{request}", Access::anyone, Format::html},
           linkPage);
  addRoute(router, services,
           {bhttp::verb::post, "/bestellingen/{id}/mobiel-ondertekenen", Access::logged_in,
            Format::html},
           startSigning);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/mobile/requests/{request}", Access::anyone, Format::json},
           withSettings(appRequest));
  addRoute(
      router, services,
      {bhttp::verb::post, "/api/v1/mobile/requests/{request}/answer", Access::anyone, Format::json},
      appAnswer);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/mobile/enroll", Access::anyone, Format::json}, enroll);
}

}  // namespace web
