#include "policy/weak_keys.hpp"

#include "core/encoding.hpp"
#include "fixtures.hpp"
#include "pki/key.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace policy {
namespace {

using test::kWeakKeys;
using test::readText;

pki::PublicKey publicKeyOf(const std::string& name) {
  return pki::PublicKey::of(test::debianWeakKey(name));
}

// The fixture list was computed with `openssl rsa -modulus | sha1sum`: the same fingerprints.
TEST(DebianWeakKeysTest, FingerprintsAsOpensslBlacklistComputesThem) {
  EXPECT_EQ(DebianWeakKeys::fingerprintOfModulus(publicKeyOf("0").rsaModulus()),
            "3ff0bdec95d9fe569885");
  const auto list = DebianWeakKeys::load(kWeakKeys / "blacklist.RSA-2048");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->size(), 3u);
  for (const std::string name : {"0", "1", "10"}) EXPECT_TRUE(list->contains(publicKeyOf(name)));
  EXPECT_FALSE(
      list->contains(pki::PublicKey::of(pki::PrivateKey::generate(pki::KeyType::rsa_2048))));
  EXPECT_FALSE(
      list->contains(pki::PublicKey::of(pki::PrivateKey::generate(pki::KeyType::ec_p256))));
}

TEST(DebianWeakKeysTest, ParsesCommentsBlankLinesAndUpperCase) {
  const auto list = DebianWeakKeys::parse("# comment\n\n  3FF0BDEC95D9FE569885  \r\n");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(list->contains(publicKeyOf("0")));
}

TEST(DebianWeakKeysTest, RefusesALineThatIsNoFingerprint) {
  for (const char* text :
       {"3ff0bdec95d9fe56988\n", "3ff0bdec95d9fe5698855\n", "# ok\nzzf0bdec95d9fe569885\n"}) {
    SCOPED_TRACE(text);
    const auto list = DebianWeakKeys::parse(text);
    ASSERT_FALSE(list);
    EXPECT_EQ(list.error().kind, core::ErrorKind::invalid);
    EXPECT_TRUE(list.error().message.starts_with("line ")) << list.error().message;
  }
  EXPECT_EQ(DebianWeakKeys::load(kWeakKeys / "missing.txt").error().kind,
            core::ErrorKind::not_found);
}

TEST(DebianWeakKeysTest, FindsTheKeysOfPemBlocksAndModulusLines) {
  const std::string modulus = core::toHex(publicKeyOf("1").rsaModulus());
  const std::string text = readText(kWeakKeys / "0.key") + "\n# a comment\nModulus=" + modulus +
                           "\n" + publicKeyOf("10").toPem() + "00" + modulus + "\n";
  const auto fingerprints = DebianWeakKeys::fingerprintsIn(text);
  ASSERT_TRUE(fingerprints) << fingerprints.error().message;
  EXPECT_EQ(*fingerprints,
            (std::vector<std::string>{"3ff0bdec95d9fe569885", "fbf35818cc74c591ef67",
                                      "5bf57e54a9c8a0d8dcd6", "fbf35818cc74c591ef67"}));
}

TEST(DebianWeakKeysTest, RefusesInputThatHoldsNoRsaKey) {
  const std::string ec =
      pki::PublicKey::of(pki::PrivateKey::generate(pki::KeyType::ec_p256)).toPem();
  for (const std::string& text :
       {ec, std::string("not a key\n"), std::string("-----BEGIN PUBLIC KEY-----\nAAAA\n")}) {
    SCOPED_TRACE(text);
    const auto fingerprints = DebianWeakKeys::fingerprintsIn(text);
    ASSERT_FALSE(fingerprints);
    EXPECT_TRUE(fingerprints.error().message.starts_with("line 1: "))
        << fingerprints.error().message;
  }
}

}  // namespace
}  // namespace policy
