#pragma once
// Randomness is injected so that tests can force collisions (serials) or repeatable tokens.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace core {

/// A source of cryptographically strong random bytes.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  /// Fills `out` with random bytes; throws only if the system cannot provide randomness.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

/// `bytes` random bytes, base64url-encoded without padding (session ids, CSRF tokens, nonces).
std::string randomToken(RandomSource& random, std::size_t bytes);

}  // namespace core
