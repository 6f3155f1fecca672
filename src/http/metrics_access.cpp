#include "http/metrics_access.hpp"

#include <utility>

namespace http {

core::Result<MetricsAccess> MetricsAccess::parse(const std::vector<std::string>& entries) {
  auto ranges = parseAddressRanges(entries, "metrics.allow entry");
  if (!ranges) return ranges.error();
  MetricsAccess access;
  access.ranges_ = std::move(*ranges);
  return access;
}

bool MetricsAccess::allows(std::string_view peer_address) const {
  const auto address = IpAddress::parse(peer_address);
  return address && anyContains(ranges_, *address);
}

}  // namespace http
