#include "pki/crypto.hpp"

#include "core/encoding.hpp"
#include "pki/openssl_support.hpp"

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace pki {

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  // Only an unusable crypto library fails here: there is no meaningful fallback.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error(
        detail::opensslError(core::ErrorKind::internal, "SHA-256 failed").message);
  }
  return digest;
}

std::string sha256Hex(std::string_view data) {
  return core::toHex(sha256(core::asBytes(data)));
}

std::string sha1Hex(std::string_view data) {
  std::array<std::uint8_t, 20> digest{};
  unsigned int length = 0;
  const auto bytes = core::asBytes(data);
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error(
        detail::opensslError(core::ErrorKind::internal, "SHA-1 failed").message);
  }
  return core::toHex(digest);
}

std::array<std::uint8_t, 32> hmacSha256(std::string_view key, std::string_view data) {
  std::array<std::uint8_t, 32> mac{};
  unsigned int length = 0;
  const auto message = core::asBytes(data);
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), message.data(), message.size(),
           mac.data(), &length) == nullptr) {
    throw std::runtime_error(
        detail::opensslError(core::ErrorKind::internal, "HMAC-SHA-256 failed").message);
  }
  return mac;
}

void SystemRandom::fill(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    const std::size_t chunk = std::min<std::size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      throw std::runtime_error(
          detail::opensslError(core::ErrorKind::internal, "no system randomness").message);
    }
    out = out.subspan(chunk);
  }
}

}  // namespace pki
