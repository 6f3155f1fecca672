#include "http/proxy_protocol.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace http {
namespace {

constexpr std::array<std::uint8_t, 12> kSignature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                     0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
constexpr std::string_view kVersion1Prefix = "PROXY";

constexpr std::uint8_t kVersion2 = 0x2;
constexpr std::uint8_t kCommandLocal = 0x0;
constexpr std::uint8_t kCommandProxy = 0x1;
constexpr std::uint8_t kFamilyUnspecified = 0x0;
constexpr std::uint8_t kFamilyInet = 0x1;
constexpr std::uint8_t kFamilyInet6 = 0x2;
constexpr std::uint8_t kTransportStream = 0x1;
// Source address, destination address, source port, destination port.
constexpr std::size_t kInetAddressBytes = 4 + 4 + 2 + 2;
constexpr std::size_t kInet6AddressBytes = 16 + 16 + 2 + 2;

core::Error invalid(std::string message) {
  return core::makeError(core::ErrorKind::invalid, "PROXY v2 header: " + std::move(message));
}

std::uint16_t bigEndian16(const std::uint8_t* bytes) {
  return static_cast<std::uint16_t>((bytes[0] << 8) | bytes[1]);
}

}  // namespace

bool looksLikeProxyHeader(std::span<const std::uint8_t> first) {
  if (first.empty()) return false;
  const std::size_t v2 = std::min(first.size(), kSignature.size());
  if (std::equal(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(v2),
                 kSignature.begin()))
    return true;
  const std::size_t v1 = std::min(first.size(), kVersion1Prefix.size());
  return std::equal(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(v1),
                    kVersion1Prefix.begin(),
                    [](std::uint8_t byte, char letter) { return byte == std::uint8_t(letter); });
}

core::Result<std::size_t> proxyV2RestLength(
    std::span<const std::uint8_t, kProxyV2FixedBytes> fixed) {
  if (!std::equal(kSignature.begin(), kSignature.end(), fixed.begin()))
    return invalid("no PROXY v2 signature");
  if ((fixed[12] >> 4) != kVersion2) return invalid("version is not 2");
  const std::size_t rest = bigEndian16(&fixed[14]);
  if (rest > kProxyV2MaxRestBytes)
    return invalid("length " + std::to_string(rest) + " above " +
                   std::to_string(kProxyV2MaxRestBytes));
  return rest;
}

core::Result<ProxyV2Header> parseProxyV2(std::span<const std::uint8_t> header) {
  if (header.size() < kProxyV2FixedBytes) return invalid("shorter than 16 bytes");
  auto rest = proxyV2RestLength(header.first<kProxyV2FixedBytes>());
  if (!rest) return rest.error();
  if (header.size() != kProxyV2FixedBytes + *rest) return invalid("length does not match");
  const std::uint8_t command = header[12] & 0x0F;
  const std::uint8_t family = header[13] >> 4;
  const std::uint8_t transport = header[13] & 0x0F;
  const std::uint8_t* addresses = header.data() + kProxyV2FixedBytes;
  // LOCAL: the balancer speaks for itself; the address block (if any) means nothing.
  if (command == kCommandLocal) return ProxyV2Header{};
  if (command != kCommandProxy) return invalid("unknown command " + std::to_string(command));
  if (family == kFamilyUnspecified) return ProxyV2Header{};
  if (transport != kTransportStream) return invalid("transport is not TCP");
  ProxyV2Header parsed;
  char text[INET6_ADDRSTRLEN] = {};
  if (family == kFamilyInet) {
    if (*rest < kInetAddressBytes) return invalid("IPv4 addresses cut short");
    if (inet_ntop(AF_INET, addresses, text, sizeof text) == nullptr)
      return invalid("bad IPv4 address");
    parsed.source_port = bigEndian16(addresses + 8);
  } else if (family == kFamilyInet6) {
    if (*rest < kInet6AddressBytes) return invalid("IPv6 addresses cut short");
    if (inet_ntop(AF_INET6, addresses, text, sizeof text) == nullptr)
      return invalid("bad IPv6 address");
    parsed.source_port = bigEndian16(addresses + 32);
  } else {
    return invalid("family is neither IPv4 nor IPv6");
  }
  parsed.source_address = text;
  // An IPv4 client that reached an IPv6 balancer: written as IPv4, as the listener does.
  constexpr std::string_view kMapped = "::ffff:";
  if (family == kFamilyInet6 && parsed.source_address.starts_with(kMapped) &&
      parsed.source_address.find('.') != std::string::npos)
    parsed.source_address.erase(0, kMapped.size());
  return parsed;
}

}  // namespace http
