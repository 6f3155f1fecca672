// /healthz, the language switch and logout.

#include "core/time_format.hpp"
#include "web/context.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string_view>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

// Only a local path is a valid return address: "/" not followed by a second "/" ("//host" leaves
// the site), no backslash ("/\host" does too), and no control character, space or non-ASCII byte
// anywhere (browsers drop tabs and newlines from a Location, which turns "/<TAB>/host" into
// "//host").
bool isLocalPath(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.starts_with("//")) return false;
  return std::none_of(path.begin(), path.end(),
                      [](unsigned char c) { return c <= ' ' || c >= 0x7f || c == '\\'; });
}

std::string localPath(const Fields& query) {
  const auto back = query.find("terug");
  if (back == query.end() || !isLocalPath(back->second)) return "/";
  return back->second;
}

boost::json::object jobHealthJson(const JobHealth& health) {
  boost::json::object jobs{{"leader", health.leader}};
  jobs["last_run"] = health.last_run ? boost::json::value(core::toIso8601(*health.last_run))
                                     : boost::json::value(nullptr);
  jobs["status"] = !health.last_run ? "starting" : health.problem.empty() ? "ok" : "failing";
  return jobs;
}

}  // namespace

void addGeneralRoutes(Router& router, const PortalSettings&, PortalServices& services) {
  router.add({bhttp::verb::get, "/healthz", Access::anyone, Format::json,
              [&services](RequestContext& context) {
                // A load balancer takes a node whose database is unreachable out of rotation.
                // A node whose connections are all in use is busy, not broken: taking it out
                // would only push its load onto the others. Job problems are reported but do not
                // make the node unfit to serve.
                const auto database = services.database.health();
                const bool busy = !database && database.error().message == "storage.busy";
                const bool healthy = database || busy;
                boost::json::object body{{"status", healthy ? "ok" : "unavailable"},
                                         {"database", database ? "ok"
                                                      : busy   ? "busy"
                                                               : "unavailable"}};
                if (services.job_health) body["jobs"] = jobHealthJson(services.job_health());
                return json(context,
                            healthy ? bhttp::status::ok : bhttp::status::service_unavailable,
                            std::move(body));
              }});

  router.add({bhttp::verb::get, "/taal", Access::anyone, Format::html, [](RequestContext& context) {
                const auto lang = context.target.query.find("lang");
                const auto language =
                    parseLanguage(lang == context.target.query.end() ? "" : lang->second);
                context.set_cookies.push_back(std::string(kLanguageCookie) + "=" +
                                              toCode(language) +
                                              "; Path=/; Secure; HttpOnly; SameSite=Lax; "
                                              "Max-Age=31536000");
                return redirect(context, localPath(context.target.query));
              }});

  router.add({bhttp::verb::post, "/uitloggen", Access::logged_in, Format::html,
              [&services](RequestContext& context) {
                // The portal has checked the CSRF token, so the session is there.
                if (auto ended = services.sessions.end(*context.session); !ended)
                  return failure(context, ended.error(), false);
                context.set_cookies.push_back(std::string(kSessionCookie) +
                                              "=; Path=/; Secure; HttpOnly; SameSite=Strict; "
                                              "Max-Age=0");
                // The page is rendered without the session: no logout button, no user name.
                context.session.reset();
                context.principal.reset();
                return page(context, bhttp::status::ok, "logged_out",
                            context.texts().text("logout.title"), {});
              }});
}

}  // namespace web
