// docs/api.md cannot drift from the route table (ADR 0012): the real web::Portal, built with every
// optional service so that every route group is registered, is asked for its routes, and each
// must appear in docs/api.md as `METHOD /pattern` (placeholders as the router writes them).

#include "web/portal.hpp"

#include "../ca/ca_test_support.hpp"
#include "pki/crypto.hpp"
#include "ra/card_production.hpp"
#include "storage/card_production.hpp"
#include "storage/mobile_requests.hpp"
#include "storage/session_repository.hpp"

#include <gtest/gtest.h>
#include <boost/beast/http/verb.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace {

/// "GET /organisaties/{id}": how docs/api.md names a route.
using RouteName = std::string;

/// Every `METHOD /path` in the code spans of docs/api.md. "GET+POST /p" names both methods; a
/// query ("?…", "[?…]") is not part of the path.
std::set<RouteName> documentedRoutes(const std::string& markdown) {
  static const std::regex span("`([^`\n]+)`");
  static const std::regex route(
      "^((?:GET|POST|PUT|PATCH|DELETE)(?:\\+(?:GET|POST|PUT|PATCH|DELETE))*) (/[^ ?\\[]*)");
  std::set<RouteName> names;
  for (auto it = std::sregex_iterator(markdown.begin(), markdown.end(), span);
       it != std::sregex_iterator(); ++it) {
    const std::string text = (*it)[1];
    std::smatch found;
    if (!std::regex_search(text, found, route)) continue;
    std::stringstream methods(found[1].str());
    for (std::string method; std::getline(methods, method, '+');)
      names.insert(method + " " + found[2].str());
  }
  return names;
}

TEST(DocumentedRoutes, ReadsMethodsAndPathsFromCodeSpans) {
  const auto names = documentedRoutes(
      "| `GET+POST /a/{id}/b` | x |\n- `GET /c?offset=&limit=` → `{\"id\"}`, "
      "`GET /d[?q=]`; `POST /e` `{}`; not a route: `/f`, `GET`, `get /g`");
  EXPECT_EQ(names, (std::set<RouteName>{"GET /a/{id}/b", "POST /a/{id}/b", "GET /c", "GET /d",
                                        "POST /e"}));
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A Portal with every service set, as `mijncert serve` builds it.
class RoutesDocumentedTest : public ca_test::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    audit_log_ = std::make_unique<storage::AuditRepository>(*database_);
    session_store_ = std::make_unique<storage::SessionRepository>(*database_);
    login_ = std::make_unique<auth::CertificateLogin>(*registry_, *audit_log_, clock_);
    sessions_ = std::make_unique<auth::SessionManager>(*session_store_, clock_, random_,
                                                       auth::SessionPolicy{});
    inventory_ = std::make_unique<storage::CertificateInventory>(*database_);
    order_store_ = std::make_unique<storage::OrderRepository>(*database_, clock_);
    blocked_keys_ = std::make_unique<storage::BlockedKeyRepository>(*database_, clock_);
    activation_codes_ = std::make_unique<storage::ActivationCodeRepository>(*database_, clock_);
    soft_cards_ = std::make_unique<storage::SoftCardRepository>(*database_, clock_);
    mobile_store_ = std::make_unique<storage::MobileRequestRepository>(*database_, clock_);
    rate_limiter_ = std::make_unique<storage::RateLimiter>(*database_, clock_);
    authority_ = authority(random_);
    service_ = std::make_unique<ra::OrderService>(*order_store_, *registry_, random_, kOrigin);
    server_orders_ =
        std::make_unique<ra::ServerOrders>(*service_, *order_store_, *registry_, *inventory_,
                                           *store_, *blocked_keys_, *authority_, clock_);
    auto verifier = auth::OrderSignatureVerifier::create(
        {"", "", (dir_.path() / "chain.pem").string(), {}}, clock_);
    ASSERT_TRUE(verifier) << verifier.error().message;
    verifier_.emplace(std::move(*verifier));
    bureau_ = std::make_unique<ra::DemoCardBureau>(*authority_, *store_, *soft_cards_);
    card_orders_ = std::make_unique<ra::CardOrders>(
        *service_, *order_store_, *registry_, *inventory_, *activation_codes_, *bureau_, *store_,
        *authority_, random_, clock_, ra::CardOrderSettings{});
    orders_ = std::make_unique<web::OrderServices>(
        web::OrderServices{*service_, *server_orders_, *verifier_, *order_store_, *blocked_keys_,
                           *card_orders_, *soft_cards_, true});
    mobile_ = std::make_unique<auth::MobileRequests>(*mobile_store_, *registry_, *inventory_,
                                                     *service_, *verifier_, random_, clock_,
                                                     kOrigin, auth::MobileSettings{});
    web::PortalServices services{*login_,     *sessions_,    *database_,    *registry_,
                                 *audit_log_, *inventory_,   clock_,        &crls_,
                                 &chains_,    orders_.get(), mobile_.get(), rate_limiter_.get()};
    services.job_health = [] { return web::JobHealth{}; };
    portal_ = std::make_unique<web::Portal>(web::PortalSettings{kOrigin, true}, services);
  }
  void TearDown() override {
    // Everything that holds the database goes before it.
    portal_.reset();
    mobile_.reset();
    orders_.reset();
    card_orders_.reset();
    bureau_.reset();
    verifier_.reset();
    server_orders_.reset();
    service_.reset();
    authority_.reset();
    rate_limiter_.reset();
    mobile_store_.reset();
    soft_cards_.reset();
    activation_codes_.reset();
    blocked_keys_.reset();
    order_store_.reset();
    inventory_.reset();
    sessions_.reset();
    login_.reset();
    session_store_.reset();
    audit_log_.reset();
    registry_.reset();
    CaTest::TearDown();
  }

  /// Every route of the portal as docs/api.md names it.
  std::set<RouteName> routes() const {
    std::set<RouteName> names;
    for (const web::Route& route : portal_->router().routes())
      names.insert(std::string(boost::beast::http::to_string(route.method)) + " " + route.pattern);
    return names;
  }

  static constexpr char kOrigin[] = "https://mijncert.example";
  pki::SystemRandom random_;
  ca::CrlFiles crls_ = ca::CrlFiles::of({});
  ca::IssuerChains chains_ = ca::IssuerChains::of({});
  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::AuditRepository> audit_log_;
  std::unique_ptr<storage::SessionRepository> session_store_;
  std::unique_ptr<auth::CertificateLogin> login_;
  std::unique_ptr<auth::SessionManager> sessions_;
  std::unique_ptr<storage::CertificateInventory> inventory_;
  std::unique_ptr<storage::OrderRepository> order_store_;
  std::unique_ptr<storage::BlockedKeyRepository> blocked_keys_;
  std::unique_ptr<storage::ActivationCodeRepository> activation_codes_;
  std::unique_ptr<storage::SoftCardRepository> soft_cards_;
  std::unique_ptr<storage::MobileRequestRepository> mobile_store_;
  std::unique_ptr<storage::RateLimiter> rate_limiter_;
  std::unique_ptr<ca::CertificateAuthority> authority_;
  std::unique_ptr<ra::OrderService> service_;
  std::unique_ptr<ra::ServerOrders> server_orders_;
  std::optional<auth::OrderSignatureVerifier> verifier_;
  std::unique_ptr<ra::DemoCardBureau> bureau_;
  std::unique_ptr<ra::CardOrders> card_orders_;
  std::unique_ptr<web::OrderServices> orders_;
  std::unique_ptr<auth::MobileRequests> mobile_;
  std::unique_ptr<web::Portal> portal_;
};

const std::filesystem::path kApiDoc = std::filesystem::path(MIJNCERT_SOURCE_DIR) / "docs/api.md";

TEST_F(RoutesDocumentedTest, EveryRouteIsInDocsApi) {
  const auto documented = documentedRoutes(readFile(kApiDoc));
  const auto served = routes();
  ASSERT_GT(served.size(), 50u) << "the portal registered too few routes to be the real table";
  std::string missing;
  for (const auto& name : served)
    if (!documented.contains(name)) missing += "\n  `" + name + "`";
  EXPECT_TRUE(missing.empty()) << "routes missing from docs/api.md (write them as `METHOD "
                                  "/pattern`, or `GET+POST /pattern`):"
                               << missing;
}

TEST_F(RoutesDocumentedTest, EveryDocumentedRouteIsServed) {
  const auto served = routes();
  std::string stale;
  for (const auto& name : documentedRoutes(readFile(kApiDoc))) {
    // http serves /static/* itself, before the route table.
    if (!served.contains(name) && !name.starts_with("GET /static/")) stale += "\n  `" + name + "`";
  }
  EXPECT_TRUE(stale.empty()) << "docs/api.md names routes the portal does not serve:" << stale;
}

}  // namespace
