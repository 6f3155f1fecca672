#include "http/handler.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

namespace beasthttp = boost::beast::http;

std::string header(const http::Response& response, const char* name) {
  return std::string(response[name]);
}

TEST(SecurityHeaders, AddsEveryHeaderToABareResponse) {
  http::Response response{beasthttp::status::ok, 11};
  http::applySecurityHeaders(response);

  EXPECT_EQ(header(response, "Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
  EXPECT_EQ(header(response, "Content-Security-Policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'");
  EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(response, "Referrer-Policy"), "same-origin");
  EXPECT_EQ(header(response, "Cross-Origin-Opener-Policy"), "same-origin");
  EXPECT_EQ(header(response, "Cross-Origin-Resource-Policy"), "same-origin");
  EXPECT_EQ(header(response, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(response, "Permissions-Policy"), "camera=(), microphone=(), geolocation=()");
  EXPECT_EQ(header(response, "Cache-Control"), "no-store");
  EXPECT_EQ(header(response, "Server"), "MijnCertificaten");
}

TEST(SecurityHeaders, KeepsWhatTheHandlerSet) {
  http::Response response{beasthttp::status::ok, 11};
  response.set(beasthttp::field::cache_control, "public, max-age=3600");
  response.set("content-security-policy", "default-src 'self'");  // any letter case
  response.set("X-Frame-Options", "SAMEORIGIN");
  http::applySecurityHeaders(response);

  EXPECT_EQ(header(response, "Cache-Control"), "public, max-age=3600");
  EXPECT_EQ(header(response, "Content-Security-Policy"), "default-src 'self'");
  EXPECT_EQ(header(response, "X-Frame-Options"), "SAMEORIGIN");
  EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(std::distance(response.equal_range("Cache-Control").first,
                          response.equal_range("Cache-Control").second),
            1);
}

TEST(SecurityHeaders, ServerNeverCarriesAVersion) {
  http::Response response{beasthttp::status::ok, 11};
  response.set(beasthttp::field::server, "Boost.Beast/345");
  http::applySecurityHeaders(response);
  EXPECT_EQ(header(response, "Server"), "MijnCertificaten");
}

TEST(SecurityHeaders, IsIdempotent) {
  http::Response response{beasthttp::status::not_found, 11};
  http::applySecurityHeaders(response);
  const auto count = std::distance(response.begin(), response.end());
  http::applySecurityHeaders(response);
  EXPECT_EQ(std::distance(response.begin(), response.end()), count);
}

}  // namespace
