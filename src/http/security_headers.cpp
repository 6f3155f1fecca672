// Headers every response carries. A handler may set its own value for any of them (for example a
// static file with a public Cache-Control); we only fill in what is missing.

#include "http/handler.hpp"

#include <string_view>

namespace http {

namespace {

struct DefaultHeader {
  std::string_view name;
  std::string_view value;
};

// HSTS for two years with subdomains: the portal and every host under it are HTTPS-only.
// The CSP allows our own scripts, styles and fonts, no inline code and no framing
// (clickjacking); `data:` images are for the inline QR code of the cross-device login.
constexpr DefaultHeader kDefaultHeaders[] = {
    {"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
     "base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" on form posts,
    // which would defeat the Origin check on state changes.
    {"Referrer-Policy", "same-origin"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
    // Pages show personal and certificate data: never keep them in a shared or disk cache.
    {"Cache-Control", "no-store"},
};

// No version: it would only help an attacker pick exploits.
constexpr std::string_view kServerName = "MijnCertificaten";

}  // namespace

void applySecurityHeaders(Response& response) {
  for (const auto& header : kDefaultHeaders) {
    if (response.find(header.name) == response.end()) response.set(header.name, header.value);
  }
  response.set(boost::beast::http::field::server, kServerName);
}

}  // namespace http
