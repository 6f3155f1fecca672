#pragma once
// The addresses of the TLS-terminating proxies whose forwarded client information the portal
// believes (ADR 0010). Light header: no Asio.

#include "core/error.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace http {

/// An IPv4 or IPv6 address, IPv4 held as an IPv4-mapped IPv6 address so both compare alike.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};

  /// Parses "192.0.2.1", "2001:db8::1" or "::ffff:192.0.2.1"; nullopt for anything else.
  static std::optional<IpAddress> parse(std::string_view text);
};

/// One address ("192.0.2.10") or range in CIDR notation ("10.0.0.0/24", "fd00::/8").
class AddressRange {
 public:
  /// Parses an address or CIDR range; nullopt if malformed or a prefix is out of range.
  static std::optional<AddressRange> parse(std::string_view text);
  /// True if `address` lies within the range.
  bool contains(const IpAddress& address) const;

 private:
  IpAddress network_;
  int prefixBits_ = 128;  ///< of the 128 bits of the (mapped) address
};

/// Parses configured addresses and CIDR ranges; ErrorKind::invalid "WHAT 'entry' is not an IP
/// address or CIDR range" for the first bad entry.
core::Result<std::vector<AddressRange>> parseAddressRanges(const std::vector<std::string>& entries,
                                                           std::string_view what);
/// True if `address` lies within one of `ranges`.
bool anyContains(const std::vector<AddressRange>& ranges, const IpAddress& address);

/// The client address a request from a trusted proxy names (TrustedProxies::clientAddress).
struct ForwardedAddress {
  std::string address;
  /// The X-Forwarded-For entry that is no address ("unknown", "unix:") and so left the client
  /// unknown; `address` is then the trusted hop that wrote it. Empty when the client was found.
  std::string unusable_entry;
};

/// The configured proxies: from these addresses, and only these, the client certificate header
/// and X-Forwarded-For are believed.
class TrustedProxies {
 public:
  TrustedProxies() = default;
  /// Parses the entries of `server.trusted_proxies`; ErrorKind::invalid naming a bad entry.
  static core::Result<TrustedProxies> parse(const std::vector<std::string>& entries);

  /// True if no proxy is configured (the portal terminates TLS for every client).
  bool empty() const { return ranges_.empty(); }
  /// True if `address` (as the listener writes it) is a trusted proxy.
  bool contains(std::string_view address) const;
  /// The original client of a request from a trusted proxy, read from the right of the combined
  /// X-Forwarded-For list (each proxy appends the address it received the request from):
  /// - trusted proxies are skipped; the first other entry is the client, and entries further left
  ///   were written by the client and prove nothing;
  /// - an entry may carry a port or brackets ("203.0.113.7:51234", "[2001:db8::1]:443",
  ///   "[2001:db8::1]"): the address alone is taken;
  /// - an entry that is no address ("unknown", "unix:", garbage) was written by a trusted hop
  ///   that did not know its client. Nothing further left is believed (the client could have
  ///   written it, e.g. to dodge a rate limit), so the client is that hop: the nearest trusted
  ///   entry, or `peer`; `unusable_entry` names the entry;
  /// - empty entries are skipped; an empty header gives `peer`.
  ForwardedAddress clientAddress(std::string_view forwarded_for, std::string_view peer) const;

 private:
  bool contains(const IpAddress& address) const;

  std::vector<AddressRange> ranges_;
};

}  // namespace http
