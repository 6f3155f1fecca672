#include "pki/pkcs11_key.hpp"

#include "pki/cms.hpp"
#include "pki/cms_sign.hpp"
#include "signing_test_support.hpp"
#include "softhsm_test_support.hpp"

#include <gtest/gtest.h>

namespace pki {
namespace {

using namespace test;

class Pkcs11KeyTest : public SigningPkiTest {
 protected:
  void SetUp() override {
    if (!softHsmAvailable()) GTEST_SKIP() << "softhsm2 or opensc not installed";
    SigningPkiTest::SetUp();
    token_.emplace(dir_, "signer-card");
    token_->importKey(pki_->key("card"), "card", "01");
    token_->importCertificate(pki_->certificate("card"), "card", "01");
    token_->importKey(pki_->key("contact"), "keyonly", "02", false);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_ = makeTempDir();
  std::optional<SoftHsmToken> token_;
};

TEST_F(Pkcs11KeyTest, TokenKeySignsAndItsCertificateIsFound) {
  auto token = Pkcs11Key::open({kSoftHsmModule, "signer-card", "card", kSoftHsmPin});
  ASSERT_TRUE(token) << token.error().message;
  ASSERT_TRUE((*token)->certificate().has_value());
  EXPECT_EQ((*token)->certificate()->sha256Fingerprint(),
            pki_->certificate("card").sha256Fingerprint());

  const std::string document = orderDocument("B-2026-000002", "0011223344556677");
  const std::vector<Certificate> chain = {pki_->personsCa()};
  auto signature = signDetached(document, *(*token)->certificate(), (*token)->key(), chain);
  ASSERT_TRUE(signature) << signature.error().message;
  auto verified = verifyBytes(*signature, document);
  EXPECT_TRUE(verified) << (verified ? "" : verified.error().message);
}

TEST_F(Pkcs11KeyTest, KeyWithoutCertificateObject) {
  auto token = Pkcs11Key::open({kSoftHsmModule, "signer-card", "keyonly", kSoftHsmPin});
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_FALSE((*token)->certificate().has_value());
}

TEST_F(Pkcs11KeyTest, RefusalsNameTheStepThatFailed) {
  const auto message = [](const Pkcs11KeyLocation& location) {
    auto token = Pkcs11Key::open(location);
    EXPECT_FALSE(token);
    EXPECT_EQ(token ? core::ErrorKind::internal : token.error().kind, core::ErrorKind::unavailable);
    return token ? std::string() : token.error().message;
  };
  EXPECT_EQ(message({kSoftHsmModule, "signer-card", "card", "0000"}), "PKCS#11: login refused");
  EXPECT_EQ(message({kSoftHsmModule, "signer-card", "nothing", kSoftHsmPin}),
            "PKCS#11: no key labelled nothing");
  EXPECT_EQ(message({kSoftHsmModule, "other", "card", kSoftHsmPin}),
            "PKCS#11: no token labelled other");
  EXPECT_EQ(message({"/nonexistent/module.so", "signer-card", "card", kSoftHsmPin}),
            "PKCS#11: cannot load /nonexistent/module.so");
}

}  // namespace
}  // namespace pki
