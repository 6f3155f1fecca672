#include "core/encoding.hpp"

#include <gtest/gtest.h>

namespace {

using core::asBytes;

TEST(Encoding, HexIsLowerCase) {
  EXPECT_EQ(core::toHex(asBytes("\x01\xab\xff")), "01abff");
}

TEST(Encoding, ColonHexIsUpperCaseWithSeparators) {
  EXPECT_EQ(core::toColonHex(asBytes("\x01\xab\xff")), "01:AB:FF");
  EXPECT_EQ(core::toColonHex({}), "");
}

TEST(Encoding, Base64FollowsRfc4648TestVectors) {
  EXPECT_EQ(core::toBase64(asBytes("")), "");
  EXPECT_EQ(core::toBase64(asBytes("f")), "Zg==");
  EXPECT_EQ(core::toBase64(asBytes("fo")), "Zm8=");
  EXPECT_EQ(core::toBase64(asBytes("foo")), "Zm9v");
  EXPECT_EQ(core::toBase64(asBytes("foobar")), "Zm9vYmFy");
}

TEST(Encoding, Base64UrlHasNoPaddingAndUrlAlphabet) {
  EXPECT_EQ(core::toBase64Url(asBytes("\xfb\xff")), "-_8");
  EXPECT_EQ(core::toBase64Url(asBytes("fo")), "Zm8");
}

TEST(Encoding, Base64RoundTripsAndRejectsGarbage) {
  const std::string text = "MijnCertificaten \x00\x01\xfe";
  const auto decoded = core::fromBase64(core::toBase64(asBytes(text)));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::string(decoded->begin(), decoded->end()), text);
  EXPECT_TRUE(core::fromBase64("Zm9v\nYmFy"));  // PEM bodies wrap lines
  EXPECT_FALSE(core::fromBase64("Zm9v!"));
  EXPECT_FALSE(core::fromBase64("Zg==Zg"));  // data after padding
  EXPECT_FALSE(core::fromBase64("Z"));       // a lone sextet
}

}  // namespace
