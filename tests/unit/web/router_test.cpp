#include "web/router.hpp"

#include <gtest/gtest.h>

namespace {

namespace bhttp = boost::beast::http;

web::Router table() {
  web::Router router;
  const web::RouteHandler none;
  router.add({bhttp::verb::get, "/", web::Access::logged_in, web::Format::html, none});
  router.add({bhttp::verb::get, "/api/v1/organisations/{id}", web::Access::logged_in,
              web::Format::json, none});
  router.add({bhttp::verb::post, "/uitloggen", web::Access::logged_in, web::Format::html, none});
  return router;
}

TEST(Router, MatchesLiteralPaths) {
  const auto router = table();
  EXPECT_EQ(router.match(bhttp::verb::get, "/").route->pattern, "/");
  EXPECT_FALSE(router.match(bhttp::verb::get, "/nope").route);
  EXPECT_FALSE(router.match(bhttp::verb::get, "/nope").wrong_method);
}

TEST(Router, IdPlaceholdersTakePositiveIntegersOnly) {
  const auto router = table();
  const auto match = router.match(bhttp::verb::get, "/api/v1/organisations/42");
  ASSERT_TRUE(match.route);
  EXPECT_EQ(match.parameters.at("id"), "42");
  for (const char* bad :
       {"/api/v1/organisations/0", "/api/v1/organisations/-1", "/api/v1/organisations/1x",
        "/api/v1/organisations/007", "/api/v1/organisations/", "/api/v1/organisations/1/extra",
        "/api/v1/organisations/9999999999999999999"})
    EXPECT_FALSE(router.match(bhttp::verb::get, bad).route) << bad;
}

TEST(Router, WrongMethodIsReportedAndHeadIsGet) {
  const auto router = table();
  const auto match = router.match(bhttp::verb::post, "/");
  EXPECT_FALSE(match.route);
  EXPECT_TRUE(match.wrong_method);
  EXPECT_TRUE(router.match(bhttp::verb::head, "/").route);
  EXPECT_TRUE(router.match(bhttp::verb::get, "/uitloggen").wrong_method);
}

}  // namespace
