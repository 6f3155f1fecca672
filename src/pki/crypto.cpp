#include "pki/crypto.hpp"

#include "core/encoding.hpp"
#include "pki/openssl_support.hpp"

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
