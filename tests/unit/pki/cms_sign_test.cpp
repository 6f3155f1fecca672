#include "pki/cms_sign.hpp"

#include "core/encoding.hpp"
#include "pki/cms.hpp"
#include "signing_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pki {
namespace {

using namespace test;

class CmsSignTest : public SigningPkiTest {
 protected:
  static std::vector<std::uint8_t> sign(const std::string& document,
                                        const std::string& name = "contact") {
    const std::vector<Certificate> chain = {pki_->personsCa()};
    auto signature = signDetached(document, pki_->certificate(name), pki_->key(name), chain);
    EXPECT_TRUE(signature) << (signature ? "" : signature.error().message);
    return signature ? *signature : std::vector<std::uint8_t>();
  }

  static inline const std::string kDocument = orderDocument("B-2026-000001", "3f9c0d2a71b4e8c6");
};

TEST_F(CmsSignTest, SignatureVerifiesWithSignerAndChainIncluded) {
  auto verified = verifyBytes(sign(kDocument), kDocument);
  ASSERT_TRUE(verified) << verified.error().message;
  // Signer and chain are included, so the portal needs no certificate of its own to verify.
  std::vector<std::string> included;
  for (const Certificate& certificate : verified->certificates)
    included.push_back(certificate.sha256Fingerprint());
  std::vector<std::string> expected = {pki_->certificate("contact").sha256Fingerprint(),
                                       pki_->personsCa().sha256Fingerprint()};
  std::ranges::sort(included);
  std::ranges::sort(expected);
  EXPECT_EQ(included, expected);
  // Signed attributes as `openssl cms -sign` writes them: the signing time among them.
  EXPECT_TRUE(verified->signing_time.has_value());
}

TEST_F(CmsSignTest, ExactBytesAreSignedWithoutCanonicalisation) {
  const std::string document = "Regel 1\r\nRegel 2 \nGeen slotregel";
  const auto signature = sign(document);
  EXPECT_TRUE(verifyBytes(signature, document));
  EXPECT_FALSE(verifyBytes(signature, "Regel 1\nRegel 2 \nGeen slotregel"));
  EXPECT_FALSE(verifyBytes(signature, document + "\n"));
}

TEST_F(CmsSignTest, OpensslVerifiesItAsADetachedSha256Signature) {
  const auto dir = makeTempDir();
  writeText(dir / "document.txt", kDocument);
  const auto signature = sign(kDocument);
  writeText(dir / "signature.p7s", std::string(signature.begin(), signature.end()));
  auto [status, output] =
      run("openssl cms -verify -binary -inform DER -in " + (dir / "signature.p7s").string() +
          " -content " + (dir / "document.txt").string() + " -CAfile " + pki_->caFile() +
          " -purpose any -out /dev/null");
  EXPECT_EQ(status, 0) << output;
  std::tie(status, output) =
      run("openssl cms -cmsout -print -inform DER -in " + (dir / "signature.p7s").string());
  EXPECT_NE(output.find("algorithm: sha256"), std::string::npos) << output;
  EXPECT_NE(output.find("eContent: <ABSENT>"), std::string::npos) << output;
  std::filesystem::remove_all(dir);
}

TEST_F(CmsSignTest, SignerRepeatedInTheChainIsIncludedOnce) {
  const std::vector<Certificate> chain = {pki_->certificate("contact"), pki_->personsCa(),
                                          pki_->personsCa()};
  auto signature =
      signDetached(kDocument, pki_->certificate("contact"), pki_->key("contact"), chain);
  ASSERT_TRUE(signature) << signature.error().message;
  auto verified = verifyBytes(*signature, kDocument);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->certificates.size(), 2u);
}

TEST_F(CmsSignTest, KeyOfAnotherCertificateIsRefused) {
  auto signature =
      signDetached(kDocument, pki_->certificate("contact"), pki_->key("representative"), {});
  ASSERT_FALSE(signature);
  EXPECT_EQ(signature.error().kind, core::ErrorKind::invalid);
}

}  // namespace
}  // namespace pki
