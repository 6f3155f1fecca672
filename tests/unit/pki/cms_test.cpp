#include "pki/cms.hpp"

#include "signing_test_support.hpp"

#include <gtest/gtest.h>

namespace pki {
namespace {

using namespace test;

class CmsTest : public SigningPkiTest {
 protected:
  core::Result<VerifiedSignature> verify(const std::string& signature,
                                         const std::string& document = kDocument) const {
    return verifyDetachedSignature(signature, document, *trust_, now());
  }

  // The message key of a refusal, and that it names the upload field.
  static std::string refusal(const core::Result<VerifiedSignature>& result) {
    if (result) return "verified";
    EXPECT_EQ(result.error().fields,
              (std::vector<core::FieldError>{{"signature", result.error().message}}));
    return result.error().message;
  }

  static inline const std::string kDocument = orderDocument("B-2026-000001", "3f9c0d2a71b4e8c6");
};

TEST_F(CmsTest, DerSignatureWithSignedAttributesVerifies) {
  auto verified = verify(pki_->sign("contact", kDocument));
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->signer.sha256Fingerprint(), pki_->certificate("contact").sha256Fingerprint());
  ASSERT_EQ(verified->certificates.size(), 1u);
  ASSERT_TRUE(verified->signing_time.has_value());
  EXPECT_LE(std::chrono::abs(*verified->signing_time - now()), std::chrono::seconds(60));
}

TEST_F(CmsTest, PemSignaturesVerifyUnderCmsAndPkcs7Labels) {
  const std::string cms_pem = pki_->sign("contact", kDocument, "-outform PEM");
  ASSERT_TRUE(cms_pem.starts_with("-----BEGIN CMS-----"));
  EXPECT_EQ(refusal(verify(cms_pem)), "verified");
  const std::string pkcs7_pem = pki_->convert(pki_->sign("contact", kDocument),
                                              "openssl pkcs7 -inform DER -in {in} -out {out}");
  ASSERT_TRUE(pkcs7_pem.starts_with("-----BEGIN PKCS7-----"));
  EXPECT_EQ(refusal(verify("\n" + pkcs7_pem)), "verified");
}

TEST_F(CmsTest, SignatureWithoutSignedAttributesVerifies) {
  auto verified = verify(pki_->sign("contact", kDocument, "-outform DER -nosmimecap -noattr"));
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_FALSE(verified->signing_time.has_value());
}

TEST_F(CmsTest, NonRepudiationCardCertificateMaySign) {
  EXPECT_EQ(refusal(verify(pki_->sign("card", kDocument))), "verified");
}

TEST_F(CmsTest, EmbeddedContentMustBeTheDocument) {
  const std::string attached = pki_->sign("contact", kDocument, "-outform DER -nodetach");
  EXPECT_EQ(refusal(verify(attached)), "verified");
  EXPECT_EQ(refusal(verify(attached, kDocument + " ")), "signature.document_mismatch");
}

TEST_F(CmsTest, ChangedDocumentDoesNotVerify) {
  std::string tampered = kDocument;
  tampered.replace(tampered.find("www."), 4, "mail");
  EXPECT_EQ(refusal(verify(pki_->sign("contact", kDocument), tampered)),
            "signature.document_mismatch");
  EXPECT_EQ(refusal(verify(pki_->sign("contact", kDocument, "-outform DER -noattr"), tampered)),
            "signature.document_mismatch");
  // CMS_BINARY: the bytes as signed, no MIME canonicalisation of line endings.
  std::string crlf = kDocument;
  crlf.insert(crlf.find('\n'), "\r");
  EXPECT_EQ(refusal(verify(pki_->sign("contact", kDocument), crlf)), "signature.document_mismatch");
}

TEST_F(CmsTest, ChainValidityRevocationAndUsageAreChecked) {
  EXPECT_EQ(refusal(verify(pki_->sign("expired", kDocument))), "signature.expired");
  EXPECT_EQ(refusal(verify(pki_->sign("revoked", kDocument))), "signature.revoked");
  EXPECT_EQ(refusal(verify(pki_->sign("foreign", kDocument))), "signature.untrusted");
  EXPECT_EQ(refusal(verify(pki_->sign("server", kDocument))), "signature.wrong_usage");
}

TEST_F(CmsTest, ChainIsJudgedAtTheGivenTime) {
  const std::string signature = pki_->sign("contact", kDocument);
  EXPECT_EQ(refusal(verifyDetachedSignature(signature, kDocument, *trust_, now() - 24h * 3)),
            "signature.expired");
  // The CRLs run out after a day; the certificate after 30 days, which is then the problem.
  EXPECT_EQ(refusal(verifyDetachedSignature(signature, kDocument, *trust_, now() + 24h * 3)),
            "signature.revocation_unknown");
  EXPECT_EQ(refusal(verifyDetachedSignature(signature, kDocument, *trust_, now() + 24h * 60)),
            "signature.expired");
}

TEST_F(CmsTest, MissingCrlMeansRevocationUnknown) {
  auto without_crls = SignatureTrust::fromFiles(pki_->caFile(), {});
  ASSERT_TRUE(without_crls);
  EXPECT_EQ(refusal(verifyDetachedSignature(pki_->sign("contact", kDocument), kDocument,
                                            *without_crls, now())),
            "signature.revocation_unknown");
}

TEST_F(CmsTest, OneSignerWithStrongDigestAndIncludedCertificate) {
  EXPECT_EQ(
      refusal(verify(pki_->sign(std::vector<std::string>{"contact", "representative"}, kDocument))),
      "signature.signer_count");
  EXPECT_EQ(refusal(verify(pki_->sign("contact", kDocument, "-outform DER -md sha1"))),
            "signature.weak_algorithm");
  EXPECT_EQ(refusal(verify(pki_->sign("contact", kDocument, "-outform DER -nocerts"))),
            "signature.no_certificate");
}

TEST_F(CmsTest, GarbageIsUnreadable) {
  const std::string signature = pki_->sign("contact", kDocument);
  EXPECT_EQ(refusal(verify("")), "signature.unreadable");
  EXPECT_EQ(refusal(verify("not a signature")), "signature.unreadable");
  EXPECT_EQ(refusal(verify(signature.substr(0, signature.size() / 2))), "signature.unreadable");
  EXPECT_EQ(refusal(verify(signature + "x")), "signature.unreadable");
  EXPECT_EQ(refusal(verify(pki_->certificate("contact").toPem())), "signature.unreadable");
  EXPECT_EQ(refusal(verify("-----BEGIN CMS-----\n!!!\n-----END CMS-----\n")),
            "signature.unreadable");
}

TEST_F(CmsTest, OversizedInputIsRefusedBeforeParsing) {
  auto result = verify(std::string(kMaxSignatureBytes + 1, '\x30'));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::too_large);
  EXPECT_EQ(result.error().message, "signature.too_large");
}

TEST_F(CmsTest, TrustFilesMustLoad) {
  EXPECT_FALSE(SignatureTrust::fromFiles("/nonexistent/cas.pem", {}));
  EXPECT_FALSE(SignatureTrust::fromFiles(pki_->caFile(), {"/nonexistent/x.crl"}));
}

}  // namespace
}  // namespace pki
