#include "storage/certificate_store.hpp"

#include "storage/audit_repository.hpp"
#include "storage/registry_repository.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using core::ErrorKind;
using namespace std::chrono_literals;
using storage_test::SqliteTest;

class CertificateStoreTest : public SqliteTest {
 protected:
  storage::CertificateStore store() { return {*database_, clock_}; }

  core::IssuedCertificate certificate(const std::string& serial) {
    core::IssuedCertificate c;
    c.kind = core::CertificateKind::server;
    c.product = "server-private";
    c.common_name = "www.voorbeeld.nl";
    c.dns_names = {"www.voorbeeld.nl", "WWW.voorbeeld.nl", "api.voorbeeld.nl"};
    c.subject_dn = "CN=www.voorbeeld.nl";
    c.issuer_dn = "CN=Test TLS CA";
    c.issuing_ca = "tls-ca";
    c.serial_hex = serial;
    c.not_before = clock_.now();
    c.not_after = clock_.now() + std::chrono::days{730};
    c.key_description = "ECDSA P-256";
    c.sha256_fingerprint = "fp-" + serial;
    c.pem = "PEM";
    c.issued_at = clock_.now();
    return c;
  }

  /// Runs the recorded steps up to stored; returns the certificate id.
  core::CertificateId stored(const std::string& serial) {
    auto s = store();
    auto issuance = s.reserveChecked("tls-ca", serial, "server-private", "{}", "tbs");
    EXPECT_TRUE(issuance);
    auto id = s.storeIssued(*issuance, certificate(serial), servicedesk_);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  std::vector<audit::Record> audit() {
    auto records = storage::AuditRepository(*database_).find({.limit = 100});
    return records ? *records : std::vector<audit::Record>{};
  }
};

TEST_F(CertificateStoreTest, ASerialIsReservedOncePerIssuingCa) {
  auto s = store();
  ASSERT_TRUE(s.reserveSerial("tls-ca", "4abc", "server-private", "{}"));
  auto again = s.reserveSerial("tls-ca", "4abc", "server-private", "{}");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ(again.error().message, "certificate.serial_taken");
  EXPECT_TRUE(s.reserveSerial("persons-ca", "4abc", "personal-authentication", "{}"));
}

TEST_F(CertificateStoreTest, StepsMoveOnlyForwardInOrder) {
  auto s = store();
  auto reserved = s.reserveSerial("tls-ca", "4abb", "server-private", "{}");
  ASSERT_TRUE(reserved);
  EXPECT_FALSE(s.markSigned(*reserved, "PEM"));  // never checked
  EXPECT_FALSE(s.storeIssued(*reserved, certificate("4abb"), servicedesk_));
  ASSERT_TRUE(s.markFailed(*reserved, "profile mismatch"));

  auto issuance = s.reserveChecked("tls-ca", "4abc", "server-private", "{}", "tbs");
  ASSERT_TRUE(issuance);
  auto unfinished = s.unfinishedIssuances();
  ASSERT_TRUE(unfinished);
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ(unfinished->front().state, storage::IssuanceState::checked);
  ASSERT_TRUE(s.markSigned(*issuance, "PEM"));
  EXPECT_FALSE(s.markFailed(*issuance, "too late"));  // a signed certificate is never dropped
  ASSERT_TRUE(s.storeIssued(*issuance, certificate("4abc"), servicedesk_));
  EXPECT_TRUE(s.unfinishedIssuances()->empty());
  EXPECT_FALSE(s.markSigned(*issuance, "PEM"));  // stored is final
}

TEST_F(CertificateStoreTest, StoringWritesNamesAndTheAuditRecordTogether) {
  const auto id = stored("4abc");
  const auto records = audit();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().event.action, "certificate.issue");
  EXPECT_EQ(records.back().event.object, audit::objectName("certificate", id));
  auto sql = rawSession();
  int names = 0;
  *sql << "SELECT COUNT(*) FROM certificate_names WHERE certificate_id = :id", soci::use(id),
      soci::into(names);
  EXPECT_EQ(names, 2);  // www (once, lower-case) and api
}

TEST_F(CertificateStoreTest, RevokesOnceAndListsTheSerialForTheCrl) {
  const auto id = stored("4abc");
  stored("5def");
  auto s = store();
  ASSERT_TRUE(s.revoke(id, clock_.now(), "keyCompromise", servicedesk_));
  auto twice = s.revoke(id, clock_.now(), "keyCompromise", servicedesk_);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "certificate.already_revoked");
  EXPECT_EQ(s.revoke(9999, clock_.now(), "keyCompromise", servicedesk_).error().kind,
            ErrorKind::not_found);
  auto revoked = s.revokedSerials("tls-ca");
  ASSERT_TRUE(revoked);
  ASSERT_EQ(revoked->size(), 1u);
  EXPECT_EQ(revoked->front().serial_hex, "4abc");
  EXPECT_TRUE(s.revokedSerials("persons-ca")->empty());
  EXPECT_EQ(audit().back().event.action, "certificate.revoke");
}

TEST_F(CertificateStoreTest, CrlNumbersIncreasePerCa) {
  auto s = store();
  EXPECT_EQ(*s.nextCrlNumber("tls-ca"), 1);
  EXPECT_EQ(*s.nextCrlNumber("tls-ca"), 2);
  EXPECT_EQ(*s.nextCrlNumber("persons-ca"), 1);
}

TEST_F(CertificateStoreTest, CreatesCardsWithTheirAuditRecord) {
  auto s = store();
  auto card = s.createCard({.type = core::CardType::group, .group_name = "Receptie"}, servicedesk_);
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(audit().back().event.action, "card.create");
  auto unknown_holder =
      s.createCard({.type = core::CardType::personal, .holder = 4242}, servicedesk_);
  EXPECT_FALSE(unknown_holder);
}

}  // namespace
