// docs/api.md cannot drift from the route table (ADR 0014): the real web::Portal, built over the
// use cases as `serve` builds it, is asked for its routes, and each must appear in docs/api.md as
// `METHOD /pattern` (placeholders as the router writes them).

#include "web/portal.hpp"

#include "../ra/ordering_test_support.hpp"
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

/// The real Portal over the use cases wired as `mijncert serve` wires them.
class RoutesDocumentedTest : public ra_test::OrderingTest {
 protected:
  void SetUp() override {
    OrderingTest::SetUp();
    session_store_ = std::make_unique<storage::SessionRepository>(*database_);
    login_ = std::make_unique<auth::CertificateLogin>(*registry_, *audit_log_, clock_,
                                                      auth::LoginSettings{});
    sessions_ = std::make_unique<auth::SessionManager>(*session_store_, clock_, random_,
                                                       auth::SessionPolicy{}, "test-signing-key");
    mobile_store_ = std::make_unique<storage::MobileRequestRepository>(*database_, clock_);
    rate_limiter_ = std::make_unique<storage::RateLimiter>(*database_, clock_);
    blocklist_ = std::make_unique<ra::KeyBlocklist>(*blocked_keys_);
    mobile_ = std::make_unique<auth::MobileRequests>(*mobile_store_, *registry_, *inventory_,
                                                     *entry_, *signatures_, random_, clock_,
                                                     kOrigin, auth::MobileSettings{});
    portal_ = std::make_unique<web::Portal>(
        web::PortalSettings{kOrigin, true},
        web::PortalServices{.login = *login_,
                            .sessions = *sessions_,
                            .mobile = *mobile_,
                            .orders = *entry_,
                            .server_orders = *server_orders_,
                            .card_orders = *orders_,
                            .queries = *queries_,
                            .registry = *registry_service_,
                            .blocklist = *blocklist_,
                            .inventory = *inventory_,
                            .rate_limiter = *rate_limiter_,
                            .database = *database_,
                            .clock = clock_,
                            .crls = crls_,
                            .chains = chains_,
                            .demo_bureau = bureau_.get(),
                            .job_health = [] { return web::JobHealth{}; }});
  }
  void TearDown() override {
    // Everything that holds the database goes before it.
    portal_.reset();
    mobile_.reset();
    blocklist_.reset();
    rate_limiter_.reset();
    mobile_store_.reset();
    sessions_.reset();
    login_.reset();
    session_store_.reset();
    OrderingTest::TearDown();
  }

  /// Every route of the portal as docs/api.md names it.
  std::set<RouteName> routes() const {
    std::set<RouteName> names;
    for (const web::Route& route : portal_->router().routes())
      names.insert(std::string(boost::beast::http::to_string(route.method)) + " " + route.pattern);
    return names;
  }

  static constexpr char kOrigin[] = "https://mijncert.example";
  ca::CrlFiles crls_ = ca::CrlFiles::of({});
  ca::IssuerChains chains_ = ca::IssuerChains::of({});
  std::unique_ptr<storage::SessionRepository> session_store_;
  std::unique_ptr<auth::CertificateLogin> login_;
  std::unique_ptr<auth::SessionManager> sessions_;
  std::unique_ptr<storage::MobileRequestRepository> mobile_store_;
  std::unique_ptr<storage::RateLimiter> rate_limiter_;
  std::unique_ptr<ra::KeyBlocklist> blocklist_;
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
    // http serves /static/* and /metrics (ADR 0016) itself, before the route table.
    if (!served.contains(name) && !name.starts_with("GET /static/") && name != "GET /metrics")
      stale += "\n  `" + name + "`";
  }
  EXPECT_TRUE(stale.empty()) << "docs/api.md names routes the portal does not serve:" << stale;
}

}  // namespace
