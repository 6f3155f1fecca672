#pragma once
// The portal as the transport sees it: one http::Handler that decodes the request, establishes
// who is asking (certificate → person → session), guards state changes (CSRF, Origin) and hands
// the request to one route of the table.

#include "auth/certificate_login.hpp"
#include "auth/mobile_requests.hpp"
#include "auth/order_signature.hpp"
#include "auth/session_manager.hpp"
#include "ca/issuer_settings.hpp"
#include "http/handler.hpp"
#include "ra/card_orders.hpp"
#include "ra/order_service.hpp"
#include "ra/server_orders.hpp"
#include "storage/audit_repository.hpp"
#include "storage/blocked_keys.hpp"
#include "storage/certificate_inventory.hpp"
#include "storage/database.hpp"
#include "storage/registry_repository.hpp"
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

/// The order use cases and what they need (issue 5), built by `serve` around the CA.
struct OrderServices {
  ra::OrderService& service;
  ra::ServerOrders& server;
  const auth::OrderSignatureVerifier& signatures;
  storage::OrderRepository& store;
  storage::BlockedKeyRepository& blocked_keys;
  ra::CardOrders& cards;                    ///< card orders (issue 6)
  storage::SoftCardRepository& soft_cards;  ///< the demo bureau's soft cards
  bool soft_card_downloads = false;         ///< demo mode: the Servicedesk may download them
};

/// What /healthz tells about this node's background jobs (app runs them).
struct JobHealth {
  bool leader = false;                      ///< this node runs the shared jobs
  std::optional<core::TimePoint> last_run;  ///< end of the last round; none before the first
  std::string problem;                      ///< empty when the last round went well
};

/// What the routes use. Route groups build their ra use cases from these.
struct PortalServices {
  auth::CertificateLogin& login;
  auth::SessionManager& sessions;
  storage::Database& database;
  storage::RegistryRepository& registry;
  storage::AuditRepository& audit_log;
  storage::CertificateInventory& inventory;
  const core::Clock& clock;
  const ca::CrlFiles* crls = nullptr;            ///< the CRLs served at /crl/<ca>.crl; none if null
  const ca::IssuerChains* chains = nullptr;      ///< chains offered with certificates; none if null
  OrderServices* orders = nullptr;               ///< ordering; no order routes if null
  auth::MobileRequests* mobile = nullptr;        ///< mobile login and signing; none if null
  storage::RateLimiter* rate_limiter = nullptr;  ///< attempt counters (enrolment, answers)
  std::function<JobHealth()> job_health;         ///< for /healthz; not reported if empty
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
