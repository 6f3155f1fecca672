#include "pki/crl.hpp"

#include "pki/openssl_support.hpp"
#include "pki_test_support.hpp"

#include <openssl/pem.h>

#include <gtest/gtest.h>

namespace pki {
namespace {

using namespace test;

detail::X509CrlPtr parse(const std::string& pem) {
  detail::BioPtr bio = detail::memoryBio(pem);
  return detail::X509CrlPtr(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
}

X509_REVOKED* entryOf(X509_CRL* crl, std::string_view serial_hex) {
  X509_REVOKED* entry = nullptr;
  const detail::Asn1IntegerPtr serial = detail::integerFromHex(serial_hex);
  return X509_CRL_get0_by_serial(crl, &entry, serial.get()) == 1 ? entry : nullptr;
}

bool listed(X509_CRL* crl, std::string_view serial_hex) {
  return entryOf(crl, serial_hex) != nullptr;
}

// The lines `openssl crl -text` prints for the entry of `serial_upper_hex`, "" if it has none.
std::string printedEntry(const std::string& text, const std::string& serial_upper_hex) {
  const std::size_t start = text.find("Serial Number: " + serial_upper_hex);
  if (start == std::string::npos) return "";
  const std::size_t next = text.find("Serial Number:", start + 1);
  return text.substr(start, next == std::string::npos ? std::string::npos : next - start);
}

TEST(CrlTest, IssuesSignedV2CrlWithNumberAndAuthorityKeyId) {
  const Issued ca = issue(caSpec("CRL CA", 1), nullptr);
  const std::vector<RevokedCertificate> revoked = {{"1e07", day(2026, 1, 2)},
                                                   {"7fabcdef0123", day(2026, 1, 3)}};
  auto pem = issueCrl(ca.certificate, ca.key, revoked, day(2026, 2, 1), day(2026, 3, 1), 42);
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_TRUE(pem->starts_with("-----BEGIN X509 CRL-----\n"));
  detail::X509CrlPtr crl = parse(*pem);
  ASSERT_TRUE(crl);
  EXPECT_EQ(X509_CRL_get_version(crl.get()), X509_CRL_VERSION_2);
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.certificate.handle())), 1);
  EXPECT_EQ(
      X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca.certificate.handle())),
      0);
  EXPECT_EQ(detail::fromAsn1Time(X509_CRL_get0_lastUpdate(crl.get())), day(2026, 2, 1));
  EXPECT_EQ(detail::fromAsn1Time(X509_CRL_get0_nextUpdate(crl.get())), day(2026, 3, 1));

  EXPECT_TRUE(listed(crl.get(), "1e07"));
  EXPECT_TRUE(listed(crl.get(), "7fabcdef0123"));
  EXPECT_FALSE(listed(crl.get(), "1e08"));

  detail::Asn1IntegerPtr number(static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr)));
  ASSERT_TRUE(number);
  EXPECT_EQ(ASN1_INTEGER_get(number.get()), 42);
  detail::AuthorityKeyIdPtr aki(static_cast<AUTHORITY_KEYID*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_authority_key_identifier, nullptr, nullptr)));
  ASSERT_TRUE(aki);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(ca.certificate.handle())),
            0);
}

TEST(CrlTest, EntriesCarryTheirReasonCodeExceptUnspecified) {
  const Issued ca = issue(caSpec("CRL CA", 1), nullptr);
  const std::vector<RevokedCertificate> revoked = {
      {"1e07", day(2026, 1, 2), RevocationReason::key_compromise},
      {"1e08", day(2026, 1, 3), RevocationReason::unspecified},
      {"1e09", day(2026, 1, 4), RevocationReason::cessation_of_operation}};
  auto pem = issueCrl(ca.certificate, ca.key, revoked, day(2026, 2, 1), day(2026, 3, 1), 7);
  ASSERT_TRUE(pem) << pem.error().message;
  detail::X509CrlPtr crl = parse(*pem);
  ASSERT_TRUE(crl);
  const auto reasonCode = [&](std::string_view serial_hex) {
    detail::OpenSslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free> code(
        static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entryOf(crl.get(), serial_hex),
                                                               NID_crl_reason, nullptr, nullptr)));
    return code ? ASN1_ENUMERATED_get(code.get()) : -1;
  };
  EXPECT_EQ(reasonCode("1e07"), 1);  // keyCompromise
  EXPECT_EQ(reasonCode("1e08"), -1);
  EXPECT_EQ(reasonCode("1e09"), 5);  // cessationOfOperation

  const std::filesystem::path dir = makeTempDir();
  writeText(dir / "reasons.crl", *pem);
  const auto [status, text] = run("openssl crl -noout -text -in " + (dir / "reasons.crl").string());
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << text;
  EXPECT_NE(printedEntry(text, "1E07").find("Key Compromise"), std::string::npos) << text;
  const std::string unspecified = printedEntry(text, "1E08");
  ASSERT_FALSE(unspecified.empty()) << text;
  EXPECT_EQ(unspecified.find("Reason"), std::string::npos) << text;
  EXPECT_NE(printedEntry(text, "1E09").find("Cessation Of Operation"), std::string::npos) << text;
}

TEST(CrlTest, ReadsTheRfc5280ReasonNames) {
  EXPECT_EQ(revocationReasonFromName("unspecified"), RevocationReason::unspecified);
  EXPECT_EQ(revocationReasonFromName("keyCompromise"), RevocationReason::key_compromise);
  EXPECT_EQ(revocationReasonFromName("cACompromise"), RevocationReason::ca_compromise);
  EXPECT_EQ(revocationReasonFromName("aACompromise"), RevocationReason::aa_compromise);
  EXPECT_EQ(revocationReasonFromName("privilegeWithdrawn"), RevocationReason::privilege_withdrawn);
  EXPECT_EQ(revocationReasonFromName("KeyCompromise"), std::nullopt);  // names are exact
  EXPECT_EQ(revocationReasonFromName(""), std::nullopt);
}

TEST(CrlTest, EmptyCrlIsValid) {
  const Issued ca = issue(caSpec("CRL CA", 1), nullptr);
  auto pem = issueCrl(ca.certificate, ca.key, {}, day(2026, 2, 1), day(2026, 3, 1), 1);
  ASSERT_TRUE(pem);
  detail::X509CrlPtr crl = parse(*pem);
  ASSERT_TRUE(crl);
  EXPECT_EQ(X509_CRL_get_REVOKED(crl.get()), nullptr);  // no entries: the field is absent
}

TEST(CrlTest, RefusesBadInput) {
  const Issued ca = issue(caSpec("CRL CA", 1), nullptr);
  const Issued other = issue(caSpec("Other CA", 2), nullptr);
  const std::vector<RevokedCertificate> bad_serial = {{"xyz", day(2026, 1, 2)}};
  EXPECT_EQ(issueCrl(ca.certificate, ca.key, bad_serial, day(2026, 2, 1), day(2026, 3, 1), 1)
                .error()
                .kind,
            core::ErrorKind::invalid);
  EXPECT_FALSE(issueCrl(ca.certificate, ca.key, {}, day(2026, 3, 1), day(2026, 2, 1), 1));
  EXPECT_FALSE(issueCrl(ca.certificate, other.key, {}, day(2026, 2, 1), day(2026, 3, 1), 1));
}

}  // namespace
}  // namespace pki
