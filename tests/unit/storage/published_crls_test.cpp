// Published CRLs in the database (ADR 0011), so that every node serves the same CRL, and the
// question a node asks before regenerating one: does it list every revocation?

#include "storage/certificate_store.hpp"

#include "backend_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using backend_test::Backend;
using core::ErrorKind;
using namespace std::chrono_literals;

class PublishedCrlTest : public backend_test::BackendTest {
 protected:
  storage::CertificateStore store() { return {*database_, clock_}; }

  storage::PublishedCrl crl(const std::string& issuing_ca, std::int64_t number) {
    return {issuing_ca,
            number,
            "-----BEGIN X509 CRL-----\n" + std::to_string(number),
            clock_.now(),
            clock_.now() + 24h,
            0};
  }

  /// A server certificate of `issuing_ca` stored through every issuance step; returns its id.
  core::CertificateId issued(const std::string& issuing_ca, const std::string& serial) {
    auto s = store();
    auto issuance = s.reserveChecked(issuing_ca, serial, "server-private", "{}", "tbs").value();
    core::IssuedCertificate c;
    c.kind = core::CertificateKind::server;
    c.product = "server-private";
    c.common_name = "www.voorbeeld.nl";
    c.dns_names = {"www.voorbeeld.nl"};
    c.subject_dn = "CN=www.voorbeeld.nl";
    c.issuer_dn = "CN=" + issuing_ca;
    c.issuing_ca = issuing_ca;
    c.serial_hex = serial;
    c.not_before = clock_.now();
    c.not_after = clock_.now() + std::chrono::days{365};
    c.key_description = "ECDSA P-256";
    c.sha256_fingerprint = "fp-" + issuing_ca + serial;
    c.pem = "PEM";
    c.issued_at = clock_.now();
    return s.storeIssued(issuance, c, servicedesk_).value();
  }
};

TEST_P(PublishedCrlTest, TheLatestCrlIsTheOneWithTheHighestNumber) {
  auto s = store();
  EXPECT_EQ(s.latestCrl("tls-ca").value(), std::nullopt);
  ASSERT_TRUE(s.recordCrl(crl("tls-ca", 1)));
  clock_.advance(1h);
  ASSERT_TRUE(s.recordCrl(crl("tls-ca", 3)));
  ASSERT_TRUE(s.recordCrl(crl("tls-ca", 2)));  // a slower node publishes late
  ASSERT_TRUE(s.recordCrl(crl("persons-ca", 7)));

  EXPECT_EQ(s.latestCrl("tls-ca").value(), crl("tls-ca", 3)) << "read back with every field";
  EXPECT_EQ(s.latestCrl("persons-ca").value()->number, 7);
  EXPECT_EQ(s.latestCrl("other-ca").value(), std::nullopt);
}

TEST_P(PublishedCrlTest, ACrlNumberIsPublishedOncePerCa) {
  auto s = store();
  ASSERT_TRUE(s.recordCrl(crl("tls-ca", 1)));
  auto again = s.recordCrl(crl("tls-ca", 1));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ(again.error().message, "crl.number_taken");
  EXPECT_TRUE(s.recordCrl(crl("persons-ca", 1)));
}

TEST_P(PublishedCrlTest, RevokedCountCountsOneCasRevokedCertificates) {
  const auto first = issued("tls-ca", "01");
  const auto second = issued("tls-ca", "02");
  const auto other = issued("persons-ca", "01");
  auto s = store();
  EXPECT_EQ(s.revokedCount("tls-ca").value(), 0);
  ASSERT_TRUE(s.revoke(first, clock_.now(), "keyCompromise", servicedesk_));
  EXPECT_EQ(s.revokedCount("tls-ca").value(), 1);
  EXPECT_EQ(s.revokedCount("persons-ca").value(), 0) << "another CA's certificates";
  // Backdated (a revocation recorded with an earlier time) counts all the same.
  ASSERT_TRUE(s.revoke(second, clock_.now() - 24h, "superseded", servicedesk_));
  EXPECT_EQ(s.revokedCount("tls-ca").value(), 2);
  ASSERT_TRUE(s.revoke(other, clock_.now(), "superseded", servicedesk_));
  EXPECT_EQ(s.revokedCount("persons-ca").value(), 1);
}

TEST_P(PublishedCrlTest, ACrlKeepsHowManyRevocationsItLists) {
  auto s = store();
  auto published = crl("tls-ca", 4);
  published.revoked_count = 12;
  ASSERT_TRUE(s.recordCrl(published));
  EXPECT_EQ(s.latestCrl("tls-ca").value(), published);
}

INSTANTIATE_TEST_SUITE_P(Backends, PublishedCrlTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
