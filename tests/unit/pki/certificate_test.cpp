#include "pki/certificate.hpp"

#include "core/encoding.hpp"
#include "pki/crypto.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

namespace pki {
namespace {

using namespace test;

class CertificateTest : public ::testing::Test {
 protected:
  CertificateTest() {
    CertificateSpec spec = caSpec("Zoë IJsselmeer CA", 1);
    spec.subject = {{"C", "NL"},
                    {"O", "Voorbeeld B.V."},
                    {"organizationIdentifier", "NTRNL-12345678"},
                    {"CN", "Zoë IJsselmeer CA"}};
    ca_ = issue(spec, nullptr);
    CertificateSpec leaf = leafSpec("Jan Jansen", 2);
    leaf.serial = {0x00, 0x0a, 0xbc};
    leaf.subject = {{"C", "NL"},         {"O", "Voorbeeld B.V."},       {"givenName", "Jan"},
                    {"SN", "Jansen"},    {"serialNumber", "900001234"}, {"title", "Notaris"},
                    {"CN", "Jan Jansen"}};
    leaf.not_before = day(2025, 1, 2);
    leaf.not_after = day(2051, 3, 4) + 5h + 6min + 7s;  // GeneralizedTime from 2050 on
    leaf.dns_names = {"www.voorbeeld.nl", "voorbeeld.nl"};
    leaf.ip_addresses = {"127.0.0.1"};
    leaf_ = issue(leaf, &*ca_);
  }

  std::optional<Issued> ca_;
  std::optional<Issued> leaf_;
};

TEST_F(CertificateTest, PrintsDistinguishedNamesInRfc2253WithUtf8) {
  EXPECT_EQ(ca_->certificate.subjectDn(),
            "CN=Zoë IJsselmeer CA,organizationIdentifier=NTRNL-12345678,O=Voorbeeld B.V.,C=NL");
  EXPECT_EQ(leaf_->certificate.issuerDn(), ca_->certificate.subjectDn());
  EXPECT_EQ(leaf_->certificate.subjectDn(),
            "CN=Jan Jansen,title=Notaris,serialNumber=900001234,SN=Jansen,GN=Jan,"
            "O=Voorbeeld B.V.,C=NL");
}

TEST_F(CertificateTest, ReadsSubjectAttributesByShortOrLongName) {
  const Certificate& leaf = leaf_->certificate;
  EXPECT_EQ(leaf.subjectAttribute("serialNumber"), "900001234");
  EXPECT_EQ(leaf.subjectAttribute("givenName"), "Jan");
  EXPECT_EQ(leaf.subjectAttribute("GN"), "Jan");
  EXPECT_EQ(leaf.subjectAttribute("SN"), "Jansen");
  EXPECT_EQ(leaf.subjectAttribute("commonName"), "Jan Jansen");
  EXPECT_EQ(leaf.subjectAttribute("title"), "Notaris");
  EXPECT_EQ(ca_->certificate.subjectAttribute("CN"), "Zoë IJsselmeer CA");
  EXPECT_EQ(ca_->certificate.subjectAttribute("organizationIdentifier"), "NTRNL-12345678");
  EXPECT_EQ(leaf.subjectAttribute("OU"), std::nullopt);
  EXPECT_EQ(leaf.subjectAttribute("noSuchAttribute"), std::nullopt);
}

TEST_F(CertificateTest, SerialIsLowerCaseHexWithoutLeadingZeros) {
  EXPECT_EQ(leaf_->certificate.serialHex(), "abc");
  EXPECT_EQ(ca_->certificate.serialHex(), "c01");
}

TEST_F(CertificateTest, ValidityRoundTripsToTheSecond) {
  EXPECT_EQ(leaf_->certificate.notBefore(), day(2025, 1, 2));
  EXPECT_EQ(leaf_->certificate.notAfter(), day(2051, 3, 4) + 5h + 6min + 7s);
}

TEST_F(CertificateTest, PemAndDerRoundTrip) {
  const Certificate& leaf = leaf_->certificate;
  auto from_pem = Certificate::fromPem(leaf.toPem());
  ASSERT_TRUE(from_pem);
  EXPECT_EQ(from_pem->toDer(), leaf.toDer());
  auto from_der = Certificate::fromDer(leaf.toDer());
  ASSERT_TRUE(from_der);
  EXPECT_EQ(from_der->toPem(), leaf.toPem());
  EXPECT_TRUE(leaf.toPem().starts_with("-----BEGIN CERTIFICATE-----\n"));
}

TEST_F(CertificateTest, RejectsMalformedInput) {
  EXPECT_EQ(Certificate::fromPem("hello").error().kind, core::ErrorKind::invalid);
  std::vector<std::uint8_t> der = leaf_->certificate.toDer();
  der.push_back(0);
  EXPECT_EQ(Certificate::fromDer(der).error().kind, core::ErrorKind::invalid);
  der.resize(der.size() / 2);
  EXPECT_FALSE(Certificate::fromDer(der));
  EXPECT_FALSE(Certificate::fromDer({}));
}

TEST_F(CertificateTest, ParsesBundlesInOrder) {
  auto chain = Certificate::chainFromPem(leaf_->certificate.toPem() + ca_->certificate.toPem());
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0].toDer(), leaf_->certificate.toDer());
  EXPECT_EQ((*chain)[1].toDer(), ca_->certificate.toDer());
  EXPECT_FALSE(Certificate::chainFromPem(""));
  EXPECT_FALSE(Certificate::chainFromPem("no pem here"));
  const std::string broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_FALSE(Certificate::chainFromPem(leaf_->certificate.toPem() + broken));
}

TEST_F(CertificateTest, FingerprintIsSha256OfDer) {
  const Certificate& leaf = leaf_->certificate;
  EXPECT_EQ(leaf.sha256Fingerprint(), core::toHex(sha256(leaf.toDer())));
  EXPECT_EQ(leaf.sha256Fingerprint().size(), 64u);
  // Independent cross-check with the openssl CLI.
  const auto dir = makeTempDir();
  writeText(dir / "leaf.pem", leaf.toPem());
  auto [status, output] =
      run("openssl x509 -noout -fingerprint -sha256 -in " + (dir / "leaf.pem").string());
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << output;
  EXPECT_NE(output.find(core::toColonHex(sha256(leaf.toDer()))), std::string::npos) << output;
}

TEST_F(CertificateTest, ReadsDnsNamesAndCaFlag) {
  EXPECT_EQ(leaf_->certificate.dnsNames(),
            (std::vector<std::string>{"www.voorbeeld.nl", "voorbeeld.nl"}));
  EXPECT_TRUE(ca_->certificate.dnsNames().empty());
  EXPECT_TRUE(ca_->certificate.isCa());
  EXPECT_FALSE(leaf_->certificate.isCa());
}

TEST_F(CertificateTest, FromHandleSharesTheObject) {
  const Certificate copy = Certificate::fromHandle(leaf_->certificate.handle());
  EXPECT_EQ(copy.handle(), leaf_->certificate.handle());
  EXPECT_EQ(copy.serialHex(), "abc");
}

}  // namespace
}  // namespace pki
