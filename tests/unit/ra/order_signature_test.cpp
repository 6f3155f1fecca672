#include "ra/order_signature.hpp"

#include "../pki/signing_test_support.hpp"
#include "policy/certificate_identity.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

namespace ra {
namespace {

using pki::test::SigningPki;

class OrderSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new SigningPki(); }
  static void TearDownTestSuite() { delete pki_; }

  void SetUp() override {
    auto verifier = OrderSignatureVerifier::create(
        pki::ServerTlsSettings{"", "", pki_->caFile(), pki_->crlFiles()}, clock_);
    ASSERT_TRUE(verifier) << verifier.error().message;
    verifier_.emplace(std::move(*verifier));
  }

  static core::CertificateIdentity identity(const std::string& name) {
    return policy::identityOf(pki_->certificate(name)).value();
  }

  // The message key of a refusal of `signature` over `document` for the logged-in contact.
  std::string refusal(const std::string& signature, const std::string& document = kDocument) {
    auto result = verifier_->verify(document, signature, contact_identities_);
    if (result) return "verified";
    EXPECT_EQ(result.error().fields,
              (std::vector<core::FieldError>{{"signature", result.error().message}}));
    return result.error().message;
  }

  static inline const std::string kDocument =
      pki::test::orderDocument("B-2026-000001", "3f9c0d2a71b4e8c6");
  static inline SigningPki* pki_ = nullptr;
  core::FixedClock clock_{pki::test::now()};
  std::optional<OrderSignatureVerifier> verifier_;
  // The registered certificate identities of the logged-in contact.
  std::vector<core::CertificateIdentity> contact_identities_{identity("contact")};
};

TEST_F(OrderSignatureTest, ContactsSignatureVerifiesAsEvidence) {
  auto evidence =
      verifier_->verify(kDocument, pki_->sign("contact", kDocument), contact_identities_);
  ASSERT_TRUE(evidence) << evidence.error().message;
  EXPECT_EQ(evidence->identity, identity("contact"));
  EXPECT_EQ(evidence->identity.subject_serial, "PERSON-contact");
  EXPECT_EQ(evidence->signer_certificate_pem, pki_->certificate("contact").toPem());
  EXPECT_EQ(evidence->verified_at, clock_.now());
  EXPECT_TRUE(evidence->claimed_signing_time.has_value());
}

TEST_F(OrderSignatureTest, PemAndAttributeFreeSignaturesVerify) {
  EXPECT_EQ(refusal(pki_->sign("contact", kDocument, "-outform PEM")), "verified");
  EXPECT_EQ(refusal(pki_->sign("contact", kDocument, "-outform DER -nosmimecap -noattr")),
            "verified");
}

TEST_F(OrderSignatureTest, AnotherCertificateOfTheSamePersonMaySign) {
  // Same issuer and serialNumber: a renewed card, or the card's nonRepudiation certificate.
  EXPECT_EQ(refusal(pki_->sign("card", kDocument)), "verified");
}

TEST_F(OrderSignatureTest, AnotherPersonsSignatureIsRefused) {
  EXPECT_EQ(refusal(pki_->sign("representative", kDocument)), "signature.other_person");
  // The representative's identity is theirs to use, not the logged-in contact's.
  auto as_representative = verifier_->verify(kDocument, pki_->sign("representative", kDocument),
                                             std::vector{identity("representative")});
  EXPECT_TRUE(as_representative);
  EXPECT_FALSE(verifier_->verify(kDocument, pki_->sign("contact", kDocument), {}));
}

TEST_F(OrderSignatureTest, TamperedDocumentIsRefused) {
  std::string tampered = kDocument;
  tampered.replace(tampered.find("server-private"), 14, "server-public!");
  EXPECT_EQ(refusal(pki_->sign("contact", kDocument), tampered), "signature.document_mismatch");
}

TEST_F(OrderSignatureTest, SignatureOfAnotherOrderIsRefused) {
  // Replay: a valid signature by the same person, but over another order's number and nonce.
  const std::string other_order = pki::test::orderDocument("B-2026-000002", "a81e55c09d3f2b47");
  EXPECT_EQ(refusal(pki_->sign("contact", other_order)), "signature.document_mismatch");
  const std::string same_order_other_nonce =
      pki::test::orderDocument("B-2026-000001", "00000000deadbeef");
  EXPECT_EQ(refusal(pki_->sign("contact", same_order_other_nonce)), "signature.document_mismatch");
}

TEST_F(OrderSignatureTest, ExpiredRevokedAndForeignSignersAreRefused) {
  // Registered identities would not help: the certificate itself is refused first.
  contact_identities_.push_back(identity("expired"));
  contact_identities_.push_back(identity("revoked"));
  contact_identities_.push_back(identity("foreign"));
  EXPECT_EQ(refusal(pki_->sign("expired", kDocument)), "signature.expired");
  EXPECT_EQ(refusal(pki_->sign("revoked", kDocument)), "signature.revoked");
  EXPECT_EQ(refusal(pki_->sign("foreign", kDocument)), "signature.untrusted");
}

TEST_F(OrderSignatureTest, CertificateUnfitForSigningIsRefused) {
  contact_identities_.push_back(identity("server"));
  EXPECT_EQ(refusal(pki_->sign("server", kDocument)), "signature.wrong_usage");
}

TEST_F(OrderSignatureTest, ValidityIsJudgedByTheClock) {
  const std::string signature = pki_->sign("contact", kDocument);
  clock_.advance(std::chrono::hours(24 * 60));
  EXPECT_EQ(refusal(signature), "signature.expired");
}

TEST_F(OrderSignatureTest, GarbageIsUnreadable) {
  EXPECT_EQ(refusal("garbage bytes \x01\x02\x03"), "signature.unreadable");
  EXPECT_EQ(refusal(""), "signature.unreadable");
}

TEST_F(OrderSignatureTest, AReloadAppliesANewCrlAndABrokenOneKeepsTheTrustInUse) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mijncert-signature-reload-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto crl = dir / "persons.crl";
  std::ofstream(crl) << pki_->personsCrl({}, 10);
  auto verifier = OrderSignatureVerifier::create(
      pki::ServerTlsSettings{"", "", pki_->caFile(), {pki_->crlFiles()[0], crl.string()}}, clock_);
  ASSERT_TRUE(verifier) << verifier.error().message;
  const std::string signature = pki_->sign("contact", kDocument);
  EXPECT_TRUE(verifier->verify(kDocument, signature, contact_identities_));

  std::ofstream(crl) << pki_->personsCrl({"contact"}, 11);
  EXPECT_TRUE(verifier->verify(kDocument, signature, contact_identities_));  // not yet reloaded
  ASSERT_TRUE(verifier->reload());
  const auto revoked = verifier->verify(kDocument, signature, contact_identities_);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().message, "signature.revoked");

  std::ofstream(crl) << "not a CRL";
  EXPECT_FALSE(verifier->reload());
  EXPECT_EQ(verifier->verify(kDocument, signature, contact_identities_).error().message,
            "signature.revoked");
  std::filesystem::remove_all(dir);
}

TEST_F(OrderSignatureTest, MissingTrustFilesFailAtStart) {
  EXPECT_FALSE(OrderSignatureVerifier::create(
      pki::ServerTlsSettings{"", "", "/nonexistent.pem", {}}, clock_));
}

}  // namespace
}  // namespace ra
