#include "core/random.hpp"

#include "core/encoding.hpp"

#include <vector>

namespace core {

std::string randomToken(RandomSource& random, std::size_t bytes) {
  std::vector<std::uint8_t> buffer(bytes);
  random.fill(buffer);
  return toBase64Url(buffer);
}

}  // namespace core
