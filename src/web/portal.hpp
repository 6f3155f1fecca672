#pragma once
// The portal as the transport sees it: one http::Handler that decodes the request, establishes
// who is asking (certificate → person → session), guards state changes (CSRF, Origin) and hands
// the request to one route of the table.

#include "auth/certificate_login.hpp"
#include "auth/mobile_requests.hpp"
#include "auth/session_manager.hpp"
#include "ca/issuer_settings.hpp"
#include "http/handler.hpp"
#include "ra/card_orders.hpp"
#include "ra/card_production.hpp"
#include "ra/key_blocklist.hpp"
#include "ra/orders.hpp"
#include "ra/organisation_queries.hpp"
#include "ra/registry_service.hpp"
#include "ra/server_orders.hpp"
#include "storage/certificate_inventory.hpp"
#include "storage/database.hpp"
#include "storage/mobile_requests.hpp"
#include "web/router.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace web {

/// Settings of the web layer.
struct PortalSettings {
  std::string origin;  ///< the public origin, e.g. "https://localhost:8443" (Origin checks)
  bool demo = false;   ///< development demo: the login page explains the demo certificates
};

/// What /healthz tells about this node's background jobs (app runs them).
struct JobHealth {
  bool leader = false;                      ///< this node runs the shared jobs
  std::optional<core::TimePoint> last_run;  ///< end of the last round; none before the first
  std::string problem;                      ///< empty when the last round went well
};

/// What the routes use: the use cases they translate to and from, and what the transport-side
/// pages need. Every member is required, so a missing service fails at start-up, never as a
/// 404 at run time.
struct PortalServices {
  auth::CertificateLogin& login;
  auth::SessionManager& sessions;
  auth::MobileRequests& mobile;
  ra::Orders& orders;                        ///< every order after its creation
  ra::ServerOrders& server_orders;           ///< creating server certificate orders
  ra::CardOrders& card_orders;               ///< creating card orders
  ra::OrganisationQueries& queries;          ///< the customer pages' reads
  ra::RegistryService& registry;             ///< the Servicedesk's registry
  ra::KeyBlocklist& blocklist;               ///< the Servicedesk's key blocklist
  storage::CertificateInventory& inventory;  ///< streams an export the queries allowed
  storage::RateLimiter& rate_limiter;        ///< attempt counters (enrolment, answers)
  storage::Database& database;               ///< /healthz
  const core::Clock& clock;
  const ca::CrlFiles& crls;        ///< the CRLs served at /crl/<ca>.crl
  const ca::IssuerChains& chains;  ///< chains offered with certificates
  /// Demo mode only: the demo bureau, whose soft cards the Servicedesk may download.
  const ra::DemoCardBureau* demo_bureau = nullptr;
  std::function<JobHealth()> job_health;  ///< for /healthz; not reported if empty
};

/// The request handler of `mijncert serve`.
class Portal final : public http::Handler {
 public:
  Portal(PortalSettings settings, PortalServices services);
  http::Reply handle(const http::Request& request, const http::Connection& connection,
                     http::RequestLog& log) override;
  /// The route table, read-only (tests compare it with docs/api.md).
  const Router& router() const { return router_; }

 private:
  http::Reply dispatch(RequestContext& context, const RouteMatch& match);
  std::optional<http::Response> logIn(RequestContext& context, const Route& route);
  std::optional<http::Response> mobileSession(RequestContext& context, bool as_json);
  std::optional<http::Response> guardStateChange(RequestContext& context, const Route& route);
  http::Response refusal(RequestContext& context, const Route& route,
                         const auth::Identification& identification);

  PortalSettings settings_;
  PortalServices services_;
  Router router_;
};

/// Name of the session cookie; the __Host- prefix forces Secure, Path=/ and no Domain.
inline constexpr std::string_view kSessionCookie = "__Host-mc_session";
/// Name of the cookie that binds mobile requests to the browser that made them.
inline constexpr std::string_view kMobileCookie = "__Host-mc_mobile";

/// The Set-Cookie value of a session cookie.
std::string sessionCookie(const std::string& token, std::chrono::seconds max_age);

/// Name of the language cookie.
inline constexpr std::string_view kLanguageCookie = "__Host-mc_lang";

}  // namespace web
