#include "pki/pkcs12.hpp"

#include "pki_test_support.hpp"

#include <openssl/evp.h>

#include <gtest/gtest.h>

namespace pki {
namespace {

using namespace test;

class Pkcs12Test : public ::testing::Test {
 protected:
  Pkcs12Test()
      : root_(issue(caSpec("Root", 1), nullptr)),
        issuing_(issue(caSpec("Issuing", 2), &root_)),
        leaf_(issue(leafSpec("Jan Jansen", 3), &issuing_)) {}

  std::vector<std::uint8_t> make(std::string_view password) {
    const std::vector<Certificate> chain = {issuing_.certificate, root_.certificate};
    auto p12 = makePkcs12(leaf_.certificate, leaf_.key, chain, password, "Jan Jansen");
    EXPECT_TRUE(p12);
    return p12.value();
  }

  Issued root_;
  Issued issuing_;
  Issued leaf_;
};

TEST_F(Pkcs12Test, RoundTripsKeyCertificateAndChain) {
  auto contents = readPkcs12(make("demo"), "demo");
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(EVP_PKEY_eq(contents->key.handle(), leaf_.key.handle()), 1);
  EXPECT_EQ(contents->certificate.toDer(), leaf_.certificate.toDer());
  ASSERT_EQ(contents->chain.size(), 2u);
  EXPECT_EQ(contents->chain[0].toDer(), issuing_.certificate.toDer());
  EXPECT_EQ(contents->chain[1].toDer(), root_.certificate.toDer());
}

TEST_F(Pkcs12Test, WrongPasswordOrGarbageIsInvalid) {
  auto wrong = readPkcs12(make("demo"), "Demo");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, core::ErrorKind::invalid);
  const std::vector<std::uint8_t> garbage = {0x30, 0x03, 0x02, 0x01, 0x00};
  EXPECT_EQ(readPkcs12(garbage, "demo").error().kind, core::ErrorKind::invalid);
}

TEST_F(Pkcs12Test, OpensslImportsItWithAes256AndPbkdf2) {
  const auto dir = makeTempDir();
  const std::vector<std::uint8_t> der = make("demo");
  writeText(dir / "jan.p12", std::string(der.begin(), der.end()));
  const std::string file = (dir / "jan.p12").string();
  auto [status, output] = run("openssl pkcs12 -info -noout -passin pass:demo -in " + file);
  auto [wrong_status, wrong_output] =
      run("openssl pkcs12 -info -noout -passin pass:nope -in " + file);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("MAC: sha256"), std::string::npos) << output;
  EXPECT_NE(output.find("PBKDF2"), std::string::npos) << output;
  EXPECT_NE(output.find("AES-256-CBC"), std::string::npos) << output;
  EXPECT_NE(wrong_status, 0);
}

}  // namespace
}  // namespace pki
