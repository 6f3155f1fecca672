#pragma once
// The signer app's only way to the portal: HTTPS requests with the portal's certificate always
// verified (against --cacert or the system store; verification cannot be turned off).

#include "core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace signer {

/// A response as the commands need it.
struct HttpResponse {
  int status = 0;
  std::string content_type;  ///< media type without parameters, lower case
  std::string body;
};

/// Sends requests to the portal; an interface so that the commands can be tested without one.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// GET `url`, accepting JSON.
  virtual core::Result<HttpResponse> get(const std::string& url) = 0;
  /// POST `body` of `content_type` to `url`, accepting JSON.
  virtual core::Result<HttpResponse> post(const std::string& url, std::string_view content_type,
                                          std::string_view body) = 0;
};

/// HTTPS through libcurl: https only, the peer and its name verified, no redirects followed,
/// bounded time and response size. Failures are ErrorKind::unavailable with a message that says
/// whether the portal was unreachable or TLS failed.
class CurlTransport final : public HttpTransport {
 public:
  /// Largest response body read (a certificate chain or a request fits many times over).
  static constexpr std::size_t max_response_bytes = 1024 * 1024;

  /// `ca_file`: PEM file of the CAs that may issue the portal's certificate; empty: the system
  /// store.
  explicit CurlTransport(std::string ca_file);
  core::Result<HttpResponse> get(const std::string& url) override;
  core::Result<HttpResponse> post(const std::string& url, std::string_view content_type,
                                  std::string_view body) override;

 private:
  core::Result<HttpResponse> perform(const std::string& url, const std::string* content_type,
                                     std::string_view body);
  std::string ca_file_;
};

}  // namespace signer
