#pragma once
// TLS terminated at a proxy (ADR 0010): the client certificate arrives in a request header and the
// client address in X-Forwarded-For, believed only from the configured proxies. Light header.

#include "http/handler.hpp"
#include "http/trusted_proxies.hpp"
#include "pki/tls.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace http {

/// The PEM certificate in a client certificate header: nginx's `$ssl_client_escaped_cert`
/// (URL-encoded PEM) or plain PEM whose line breaks became spaces or tabs. nullopt if malformed.
std::optional<std::string> decodeCertificateHeader(std::string_view value);

/// Turns a request from a trusted proxy into the connection of the proxy's client. Thread-safe.
class ForwardedClient {
 public:
  using Clock = std::chrono::steady_clock;
  /// Verdicts are reused this long, so keep-alive traffic through the proxy is not re-verified
  /// per request; a trust reload discards them at once.
  static constexpr std::chrono::seconds kVerdictLifetime{60};
  /// Most verdicts kept at once (bounds memory whatever the proxy sends).
  static constexpr std::size_t kMaxVerdicts = 1024;

  ForwardedClient(TrustedProxies proxies, std::string certificate_header,
                  std::shared_ptr<const pki::ClientTrust> trust);

  /// True if requests from `address` carry a client certificate header we believe.
  bool trusts(std::string_view address) const { return proxies_.contains(address); }
  /// True if no proxy is configured.
  bool disabled() const { return proxies_.empty(); }
  /// The name of the client certificate header.
  const std::string& certificateHeader() const { return certificateHeader_; }

  /// The client behind `proxy` for one request: its certificate from the header (none when
  /// absent, invalid when malformed or sent more than once; never the proxy's own TLS
  /// certificate) and its address from all X-Forwarded-For headers in order, joined as one list
  /// (TrustedProxies::clientAddress; an unusable entry is logged at debug). Call only for a
  /// connection from a trusted address.
  Connection clientOf(const Request& request, const Connection& proxy, Clock::time_point now);

  /// The verdict on a header value (see clientOf), cached per value.
  pki::PeerVerification verifyHeader(std::string_view value, Clock::time_point now);

 private:
  struct Verdict {
    pki::PeerVerification peer;
    Clock::time_point expires;
  };

  TrustedProxies proxies_;
  std::string certificateHeader_;
  std::shared_ptr<const pki::ClientTrust> trust_;
  std::mutex mutex_;
  std::unordered_map<std::string, Verdict> verdicts_;  ///< by header value
  std::uint64_t verdictsGeneration_ = 0;               ///< trust generation they were made with
};

}  // namespace http
