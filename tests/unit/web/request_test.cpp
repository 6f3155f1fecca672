#include "web/request.hpp"

#include <gtest/gtest.h>

namespace {

namespace bhttp = boost::beast::http;

TEST(Request, TargetIsDecoded) {
  const auto target = web::parseTarget("/zoek%20en?q=Voorbeeld+B.V.&x=%3D1&q=second");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->path, "/zoek en");
  EXPECT_EQ(target->query.at("q"), "Voorbeeld B.V.") << "first value wins, '+' is a space";
  EXPECT_EQ(target->query.at("x"), "=1");
}

TEST(Request, MalformedTargetsAreRefused) {
  EXPECT_FALSE(web::parseTarget("http://evil.example/"));
  EXPECT_FALSE(web::parseTarget("/a?b=%zz"));
  EXPECT_FALSE(web::parseTarget("no-slash"));
}

TEST(Request, FormBodiesAreDecoded) {
  const auto form = web::parseForm("csrf_token=abc&name=Jan+de+Vries&city=%C3%89de");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->at("name"), "Jan de Vries");
  EXPECT_EQ(form->at("city"),
            "\xC3\x89"
            "de");
  EXPECT_TRUE(web::parseForm("")->empty());
  EXPECT_FALSE(web::parseForm("a=%g1"));
  EXPECT_FALSE(web::parseForm("a=1\r\nb=2"));
}

TEST(Request, CookiesAreFoundByExactName) {
  http::Request request{bhttp::verb::get, "/", 11};
  request.insert(bhttp::field::cookie, "x__Host-mc_session=no; __Host-mc_lang=en");
  request.insert(bhttp::field::cookie, "__Host-mc_session=yes");
  EXPECT_EQ(web::cookie(request, "__Host-mc_session"), "yes");
  EXPECT_EQ(web::cookie(request, "__Host-mc_lang"), "en");
  EXPECT_FALSE(web::cookie(request, "missing"));
}

TEST(Request, MediaTypeIgnoresParametersAndCase) {
  http::Request request{bhttp::verb::post, "/", 11};
  request.set(bhttp::field::content_type, "Application/JSON; charset=utf-8");
  EXPECT_EQ(web::mediaType(request), "application/json");
}

}  // namespace
