#include "signer/key_source.hpp"

#include "../pki/signing_test_support.hpp"
#include "../pki/softhsm_test_support.hpp"
#include "pki/cms.hpp"
#include "pki/cms_sign.hpp"
#include "pki/pkcs12.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace signer {
namespace {

std::string errorOf(const core::Result<SigningIdentity>& result) {
  return result ? "ok" : result.error().message;
}

TEST(Pkcs11UriTest, TokenObjectAndModuleAreRead) {
  auto uri = parsePkcs11Uri("pkcs11:token=Mijn%20Pas;object=auth;type=private");
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(uri->token, "Mijn Pas");
  EXPECT_EQ(uri->object, "auth");
  EXPECT_EQ(uri->module_path, "");
  uri = parsePkcs11Uri(
      "pkcs11:model=SoftHSM%20v2;object=k;token=t?module-path=/usr/lib/softhsm/libsofthsm2.so");
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(uri->token, "t");
  EXPECT_EQ(uri->object, "k");
  EXPECT_EQ(uri->module_path, "/usr/lib/softhsm/libsofthsm2.so");
}

TEST(Pkcs11UriTest, IncompleteOrUnsafeUrisAreRefused) {
  EXPECT_FALSE(parsePkcs11Uri("token=t;object=k"));
  EXPECT_FALSE(parsePkcs11Uri("pkcs11:token=t"));
  EXPECT_FALSE(parsePkcs11Uri("pkcs11:object=k"));
  EXPECT_FALSE(parsePkcs11Uri("pkcs11:token=t;object=k;type=public"));
  EXPECT_FALSE(parsePkcs11Uri("pkcs11:token=t;object=k%2"));
  EXPECT_FALSE(parsePkcs11Uri("pkcs11:token=t;object=k%zz"));
  EXPECT_FALSE(parsePkcs11Uri("pkcs11:token=t;object"));
  auto pin = parsePkcs11Uri("pkcs11:token=t;object=k?pin-value=1234");
  ASSERT_FALSE(pin);
  EXPECT_NE(pin.error().message.find("--pin-env"), std::string::npos);
}

class KeySourceTest : public pki::test::SigningPkiTest {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string file(const std::string& name) { return (pki_->dir() / name).string(); }

  // The identity signs a document that verifies against the test trust store.
  void expectSigns(const SigningIdentity& identity) const {
    const std::string document = pki::test::orderDocument("B-2026-000003", "aabbccdd");
    auto signature =
        pki::signDetached(document, identity.certificate, identity.key, identity.chain);
    ASSERT_TRUE(signature) << signature.error().message;
    auto verified = verifyBytes(*signature, document);
    EXPECT_TRUE(verified) << (verified ? "" : verified.error().message);
  }

  std::filesystem::path dir_ = pki::test::makeTempDir();
};

TEST_F(KeySourceTest, PemKeyAndCertificateWithChain) {
  pki::test::writeText(dir_ / "bundle.pem",
                       pki_->certificate("contact").toPem() + pki_->personsCa().toPem());
  auto identity =
      loadIdentity({.key_file = file("contact.key"), .cert_file = (dir_ / "bundle.pem").string()});
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->certificate.sha256Fingerprint(),
            pki_->certificate("contact").sha256Fingerprint());
  ASSERT_EQ(identity->chain.size(), 1u);
  expectSigns(*identity);

  auto with_chain = loadIdentity({.key_file = file("contact.key"),
                                  .cert_file = file("contact.crt"),
                                  .chain_file = (dir_ / "bundle.pem").string()});
  ASSERT_TRUE(with_chain) << with_chain.error().message;
  EXPECT_EQ(with_chain->chain.size(), 2u);
}

TEST_F(KeySourceTest, PemProblemsAreNamed) {
  EXPECT_EQ(
      errorOf(loadIdentity(
          {.key_file = (dir_ / "missing.key").string(), .cert_file = file("contact.crt")})),
      "cannot read key file " + (dir_ / "missing.key").string() + ": No such file or directory");
  EXPECT_NE(errorOf(loadIdentity({.key_file = file("contact.key")})).find("--cert"),
            std::string::npos);
  EXPECT_NE(
      errorOf(loadIdentity({.key_file = file("contact.crt"), .cert_file = file("contact.crt")}))
          .find("no unencrypted PEM private key"),
      std::string::npos);
  EXPECT_NE(
      errorOf(loadIdentity({.key_file = file("contact.key"), .cert_file = file("contact.key")}))
          .find("no PEM certificate"),
      std::string::npos);
  EXPECT_NE(errorOf(loadIdentity(
                        {.key_file = file("representative.key"), .cert_file = file("contact.crt")}))
                .find("does not belong"),
            std::string::npos);
  EXPECT_NE(errorOf(loadIdentity({})).find("exactly one key"), std::string::npos);
  EXPECT_NE(errorOf(loadIdentity({.key_file = file("contact.key"),
                                  .cert_file = file("contact.crt"),
                                  .p12_file = file("contact.p12")}))
                .find("exactly one key"),
            std::string::npos);
}

TEST_F(KeySourceTest, Pkcs12WithPasswordOrVariable) {
  const std::vector<pki::Certificate> chain = {pki_->personsCa()};
  auto der = pki::makePkcs12(pki_->certificate("contact"), pki_->key("contact"), chain, "geheim",
                             "contact");
  ASSERT_TRUE(der) << der.error().message;
  const std::string p12 = (dir_ / "contact.p12").string();
  pki::test::writeText(p12, std::string(der->begin(), der->end()));

  auto identity = loadIdentity({.p12_file = p12, .password = "geheim"});
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->chain.size(), 1u);
  expectSigns(*identity);

  ::setenv("MIJNCERT_SIGNER_TEST_PASSWORD", "geheim", 1);
  EXPECT_EQ(
      errorOf(loadIdentity({.p12_file = p12, .password_env = "MIJNCERT_SIGNER_TEST_PASSWORD"})),
      "ok");
  EXPECT_EQ(errorOf(loadIdentity({.p12_file = p12, .password = "fout"})),
            "wrong password for " + p12);
  EXPECT_EQ(errorOf(loadIdentity({.p12_file = p12})), "wrong password for " + p12);
  EXPECT_NE(errorOf(loadIdentity({.p12_file = p12, .password_env = "MIJNCERT_SIGNER_TEST_UNSET"}))
                .find("MIJNCERT_SIGNER_TEST_UNSET (--password-env) is not set"),
            std::string::npos);
  EXPECT_NE(
      errorOf(loadIdentity({.p12_file = file("contact.crt"), .password = "x"})).find("cannot open"),
      std::string::npos);
}

TEST_F(KeySourceTest, Pkcs11TokenKeyWithItsCertificateSigns) {
  if (!pki::test::softHsmAvailable()) GTEST_SKIP() << "softhsm2 or opensc not installed";
  pki::test::SoftHsmToken token(dir_, "mijn-pas");
  token.importKey(pki_->key("card"), "ondertekenen", "01");
  token.importCertificate(pki_->certificate("card"), "ondertekenen", "01");
  token.importKey(pki_->key("contact"), "zonder-certificaat", "02");
  token.importKey(pki_->key("representative"), "zonder-publieke-sleutel", "03", false);
  ASSERT_FALSE(HasFatalFailure());
  ::setenv("MIJNCERT_SIGNER_TEST_PIN", pki::test::kSoftHsmPin, 1);
  ::setenv("MIJNCERT_SIGNER_TEST_BAD_PIN", "0000", 1);
  const KeyOptions card{.pkcs11_uri = "pkcs11:token=mijn-pas;object=ondertekenen",
                        .module = pki::test::kSoftHsmModule,
                        .pin_env = "MIJNCERT_SIGNER_TEST_PIN"};

  auto identity = loadIdentity(card);
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->certificate.sha256Fingerprint(),
            pki_->certificate("card").sha256Fingerprint());
  expectSigns(*identity);

  // The certificate from a file; the module from the URI.
  KeyOptions from_file = card;
  from_file.pkcs11_uri =
      std::string("pkcs11:token=mijn-pas;object=zonder-certificaat?module-path=") +
      pki::test::kSoftHsmModule;
  from_file.module.clear();
  from_file.cert_file = file("contact.crt");
  from_file.chain_file = pki_->caFile();
  auto contact = loadIdentity(from_file);
  ASSERT_TRUE(contact) << contact.error().message;
  expectSigns(*contact);

  from_file.cert_file.clear();
  EXPECT_NE(errorOf(loadIdentity(from_file)).find("--cert FILE"), std::string::npos);
  from_file.pkcs11_uri = "pkcs11:token=mijn-pas;object=zonder-publieke-sleutel";
  from_file.module = pki::test::kSoftHsmModule;
  from_file.cert_file = file("representative.crt");
  EXPECT_NE(errorOf(loadIdentity(from_file)).find("public half is unknown"), std::string::npos);
  KeyOptions wrong = card;
  wrong.pin_env = "MIJNCERT_SIGNER_TEST_BAD_PIN";
  EXPECT_EQ(
      errorOf(loadIdentity(wrong)),
      "PKCS#11: token mijn-pas refused the PIN in MIJNCERT_SIGNER_TEST_BAD_PIN (wrong PIN, or "
      "the PIN is blocked)");
  wrong.pin_env.clear();
  EXPECT_NE(errorOf(loadIdentity(wrong)).find("--pin-env"), std::string::npos);
  wrong = card;
  wrong.module.clear();
  EXPECT_NE(errorOf(loadIdentity(wrong)).find("--module"), std::string::npos);
}

}  // namespace
}  // namespace signer
