#pragma once
// Digests and the operating system's random source.

#include "core/random.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pki {

/// SHA-256 digest.
std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> data);
/// SHA-256 digest as lower-case hex.
std::string sha256Hex(std::string_view data);

/// SHA-1 digest as lower-case hex: only for lists that other software keys by SHA-1 (the Debian
/// weak-key list), never for signatures.
std::string sha1Hex(std::string_view data);

/// HMAC-SHA-256 of `data` under `key` (RFC 2104).
std::array<std::uint8_t, 32> hmacSha256(std::string_view key, std::string_view data);

/// Randomness from OpenSSL's CSPRNG (RAND_bytes).
class SystemRandom final : public core::RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

}  // namespace pki
