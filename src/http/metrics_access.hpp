#pragma once
// Who may read GET /metrics (ADR 0016): the addresses of `metrics.allow`, matched against the
// TCP peer of the connection. Light header: no Asio.

#include "core/error.hpp"
#include "http/trusted_proxies.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace http {

/// The configured scrapers: addresses or CIDR ranges, IPv4 and IPv6 alike.
class MetricsAccess {
 public:
  MetricsAccess() = default;
  /// Parses the entries of `metrics.allow`; ErrorKind::invalid naming the first bad entry.
  static core::Result<MetricsAccess> parse(const std::vector<std::string>& entries);

  /// True if a connection whose TCP peer is `peer_address` (as the listener writes it) may read
  /// the metrics. Never true for an address that cannot be parsed.
  bool allows(std::string_view peer_address) const;

 private:
  std::vector<AddressRange> ranges_;
};

}  // namespace http
