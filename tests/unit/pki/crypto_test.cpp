#include "pki/crypto.hpp"

#include "core/encoding.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace pki {
namespace {

TEST(CryptoTest, Sha256KnownAnswers) {
  // FIPS 180-2 appendix B.1 and the empty string.
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(core::toHex(sha256(core::asBytes("abc"))), sha256Hex("abc"));
}

TEST(CryptoTest, SystemRandomFillsBuffers) {
  SystemRandom random;
  std::vector<std::uint8_t> a(32), b(32);
  random.fill(a);
  random.fill(b);
  EXPECT_NE(a, b);
  EXPECT_FALSE(std::all_of(a.begin(), a.end(), [](std::uint8_t x) { return x == 0; }));
  std::vector<std::uint8_t> empty;
  random.fill(empty);
}

}  // namespace
}  // namespace pki
