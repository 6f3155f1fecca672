#include "http/trusted_proxies.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace http {
namespace {

// Bytes 0–9 zero, 10–11 0xff: where an IPv4 address sits inside an IPv6 one (RFC 4291 §2.5.5.2).
constexpr std::size_t kMappedPrefixBytes = 12;
constexpr int kMappedPrefixBits = kMappedPrefixBytes * 8;

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool isPort(std::string_view text) {
  unsigned port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return !text.empty() && error == std::errc{} && end == text.data() + text.size() && port <= 65535;
}

struct EntryAddress {
  std::string_view text;  ///< without port and brackets
  IpAddress address;
};

// The address in one X-Forwarded-For entry, which some proxies write with a port or brackets:
// "192.0.2.1", "192.0.2.1:443", "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:443".
std::optional<EntryAddress> entryAddress(std::string_view entry) {
  std::string_view host = entry;
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view after = entry.substr(close + 1);
    if (!after.empty() && !(after.starts_with(':') && isPort(after.substr(1)))) return std::nullopt;
    host = entry.substr(1, close - 1);
    // Brackets hold IPv6 only (RFC 3986 IP-literal).
    if (host.find(':') == std::string_view::npos) return std::nullopt;
  } else if (const auto colon = entry.find(':');
             colon != std::string_view::npos &&
             entry.find(':', colon + 1) == std::string_view::npos) {
    // A single colon: IPv4 and a port (unbracketed IPv6 has at least two colons, and no port).
    if (!isPort(entry.substr(colon + 1))) return std::nullopt;
    host = entry.substr(0, colon);
  }
  const auto address = IpAddress::parse(host);
  if (!address) return std::nullopt;
  return EntryAddress{host, *address};
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton needs a terminated string; an address is never longer than INET6_ADDRSTRLEN.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char terminated[INET6_ADDRSTRLEN] = {};
  std::memcpy(terminated, text.data(), text.size());
  IpAddress address;
  if (inet_pton(AF_INET6, terminated, address.bytes.data()) == 1) return address;
  in_addr v4{};
  if (inet_pton(AF_INET, terminated, &v4) != 1) return std::nullopt;
  address.bytes[10] = 0xff;
  address.bytes[11] = 0xff;
  std::memcpy(address.bytes.data() + kMappedPrefixBytes, &v4, sizeof v4);
  return address;
}

std::optional<AddressRange> AddressRange::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto network = IpAddress::parse(text.substr(0, slash));
  if (!network) return std::nullopt;
  AddressRange range;
  range.network_ = *network;
  if (slash == std::string_view::npos) return range;

  const std::string_view prefix = text.substr(slash + 1);
  int bits = -1;
  const auto [end, error] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), bits);
  const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  if (error != std::errc{} || end != prefix.data() + prefix.size() || prefix.empty() || bits < 0 ||
      bits > (v4 ? 32 : 128)) {
    return std::nullopt;
  }
  range.prefixBits_ = v4 ? kMappedPrefixBits + bits : bits;
  return range;
}

bool AddressRange::contains(const IpAddress& address) const {
  const int wholeBytes = prefixBits_ / 8;
  if (!std::equal(network_.bytes.begin(), network_.bytes.begin() + wholeBytes,
                  address.bytes.begin())) {
    return false;
  }
  const int restBits = prefixBits_ % 8;
  if (restBits == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - restBits));
  return (network_.bytes[wholeBytes] & mask) == (address.bytes[wholeBytes] & mask);
}

core::Result<std::vector<AddressRange>> parseAddressRanges(const std::vector<std::string>& entries,
                                                           std::string_view what) {
  std::vector<AddressRange> ranges;
  for (const std::string& entry : entries) {
    auto range = AddressRange::parse(entry);
    if (!range) {
      return core::makeError(core::ErrorKind::invalid, std::string(what) + " '" + entry +
                                                           "' is not an IP address or CIDR range");
    }
    ranges.push_back(*range);
  }
  return ranges;
}

bool anyContains(const std::vector<AddressRange>& ranges, const IpAddress& address) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const AddressRange& range) { return range.contains(address); });
}

core::Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries) {
  auto ranges = parseAddressRanges(entries, "trusted proxy");
  if (!ranges) return ranges.error();
  TrustedProxies proxies;
  proxies.ranges_ = std::move(*ranges);
  return proxies;
}

bool TrustedProxies::contains(const IpAddress& address) const {
  return anyContains(ranges_, address);
}

bool TrustedProxies::contains(std::string_view address) const {
  const auto parsed = IpAddress::parse(address);
  return parsed && contains(*parsed);
}

ForwardedAddress TrustedProxies::clientAddress(std::string_view forwarded_for,
                                               std::string_view peer) const {
  std::string_view nearestHop = peer;
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry =
        trimmed(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    if (entry.empty()) continue;
    const auto found = entryAddress(entry);
    if (!found) return {std::string(nearestHop), std::string(entry)};
    if (!contains(found->address)) return {std::string(found->text), {}};
    nearestHop = found->text;
  }
  return {std::string(nearestHop), {}};
}

}  // namespace http
