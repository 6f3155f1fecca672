#pragma once
// The binary PROXY protocol, version 2 (haproxy's proxy-protocol.txt §2.2): a TLS pass-through
// load balancer sends it before the client's first TLS byte, naming the client's address (ADR
// 0023). Parsing only; the server reads the bytes. Light header: no Asio.

#include "core/error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace http {

/// The fixed part of a PROXY v2 header: 12-byte signature, version/command, family/transport,
/// and the length of the rest (addresses and TLVs), big-endian.
inline constexpr std::size_t kProxyV2FixedBytes = 16;
/// The longest rest we accept: addresses (at most 216 bytes, for AF_UNIX) and a few TLVs. A
/// balancer sends far less; more is no balancer we know.
inline constexpr std::size_t kProxyV2MaxRestBytes = 1024;

/// True if `first` (the first bytes a client sent, possibly fewer than a whole header) begins
/// like a PROXY header of either version: a prefix of the v2 signature, or "PROXY" of v1.
bool looksLikeProxyHeader(std::span<const std::uint8_t> first);

/// The length of the rest of a header, from its fixed part; ErrorKind::invalid when the
/// signature, version or length is wrong.
core::Result<std::size_t> proxyV2RestLength(
    std::span<const std::uint8_t, kProxyV2FixedBytes> fixed);

/// What a PROXY v2 header says.
struct ProxyV2Header {
  /// The client's address as the listener writes it ("192.0.2.1", "2001:db8::1"); empty for a
  /// LOCAL header (the balancer's own connection, e.g. a health check) or an unspecified family:
  /// the connection's own peer is the client then.
  std::string source_address;
  std::uint16_t source_port = 0;
};

/// Parses a whole header: the fixed part and the `proxyV2RestLength` bytes after it. TLVs are
/// skipped. ErrorKind::invalid for a wrong command, a family other than TCP over IPv4 or IPv6
/// (or unspecified), or addresses longer than the header.
core::Result<ProxyV2Header> parseProxyV2(std::span<const std::uint8_t> header);

}  // namespace http
