#include "ca/certificate_authority.hpp"

#include "ca_test_support.hpp"
#include "core/time_format.hpp"
#include "metrics/registry.hpp"
#include "pki/crypto.hpp"
#include "pki/public_key.hpp"
#include "policy/weak_keys.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

using ca_test::CaTest;
using namespace std::chrono_literals;

pki::PublicKey freshKey() {
  return pki::PublicKey::of(pki::PrivateKey::generate(pki::KeyType::ec_p256));
}

bool hasField(const core::Error& error, const std::string& field) {
  return std::any_of(error.fields.begin(), error.fields.end(),
                     [&](const core::FieldError& f) { return f.field == field; });
}

/// A signer that notes, whenever its key is taken to sign, which issuances are on record.
class RecordWatchingSigner final : public ca::Signer {
 public:
  RecordWatchingSigner(pki::PrivateKey key, storage::CertificateStore& store)
      : key_(std::move(key)), store_(store) {}
  const pki::PrivateKey& key() const override {
    on_record_ = store_.unfinishedIssuances().value();
    return key_;
  }
  mutable std::vector<storage::UnfinishedIssuance> on_record_;

 private:
  pki::PrivateKey key_;
  storage::CertificateStore& store_;
};

TEST_F(CaTest, IssuesServerCertificateThatMatchesItsProfileAndVerifies) {
  pki::SystemRandom random;
  auto ca = authority(random);
  auto issued = ca->issue(serverRequest(), freshKey(), actor_);
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_GT(issued->id, 0);
  EXPECT_EQ(issued->issuing_ca, "tls-ca");
  EXPECT_EQ(issued->key_description, "ECDSA P-256");
  EXPECT_EQ(issued->not_after - issued->not_before, std::chrono::days{730});
  EXPECT_EQ(issued->serial_hex.size(), 32u);  // 16 octets, no leading zero
  const auto [status, output] = verify(issued->pem, "sslserver");
  EXPECT_EQ(status, 0) << output;
  const ca::CheckContext context{tls_ca_->notAfter(), clock_.now(), false};
  const auto checked = ca::checkCertificate(
      issued->pem, *ca::findProfile(ca->profiles(), "server-private"), context);
  EXPECT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(issuanceStates().front(), "stored");
}

// ADR 0018: one commit before signing holds the serial, the check's result and the order.
TEST_F(CaTest, TheSerialIsOnRecordAsCheckedBeforeAnythingIsSigned) {
  pki::SystemRandom random;
  RecordWatchingSigner signer(tls_key_, *store_);
  auto ca = authority(random, &signer);
  auto issued = ca->issue(serverRequest(), freshKey(), actor_);
  ASSERT_TRUE(issued) << issued.error().message;
  ASSERT_EQ(signer.on_record_.size(), 1u);
  EXPECT_EQ(signer.on_record_.front().state, storage::IssuanceState::checked);
  EXPECT_EQ(signer.on_record_.front().serial_hex, issued->serial_hex);
  EXPECT_EQ(issuanceStates().front(), "stored");
}

// ADR 0018: a signed certificate is stored with its audit record or kept for reconcile.
TEST_F(CaTest, KeepsASignedCertificateThatCouldNotBeStoredForReconcile) {
  pki::SystemRandom random;
  auto ca = authority(random);
  auto request = serverRequest();
  request.owner.organisation = 424242;  // unknown: the certificate's row is refused
  auto issued = ca->issue(request, freshKey(), actor_);
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().message, "certificate.unknown_owner");
  EXPECT_EQ(certificateCount(), 0);
  const auto unfinished = store_->unfinishedIssuances().value();
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished.front().state, storage::IssuanceState::signed_);
  const auto kept = pki::Certificate::fromPem(unfinished.front().pem);
  ASSERT_TRUE(kept) << "the signed certificate is on record";
  EXPECT_EQ(kept->serialHex(), unfinished.front().serial_hex);
}

TEST_F(CaTest, IssuesCardCertificatesThatVerifyForTheirPurpose) {
  pki::SystemRandom random;
  auto ca = authority(random);
  const std::vector<pki::SubjectAttribute> subject{
      {"C", "NL"},      {"O", "Voorbeeld B.V."},       {"GN", "Sanne"},
      {"SN", "Jansen"}, {"serialNumber", "900000002"}, {"CN", "Sanne Jansen"}};
  for (const auto& [product, purpose] :
       std::vector<std::pair<std::string, std::string>>{{"personal-authentication", "sslclient"},
                                                        {"personal-signature", "smimesign"},
                                                        {"personal-encryption", "any"}}) {
    auto issued = ca->issue(
        {.product = product, .subject = subject, .email_addresses = {"s.jansen@voorbeeld.nl"}},
        freshKey(), actor_);
    ASSERT_TRUE(issued) << product << ": " << issued.error().message;
    const auto [status, output] = verify(issued->pem, purpose);
    EXPECT_EQ(status, 0) << product << ": " << output;
  }
}

TEST_F(CaTest, NeverSignsAnOverlongValidityAndRecordsTheIssuanceFailed) {
  pki::SystemRandom random;
  auto ca = authority(random);
  auto request = serverRequest();
  const auto* profile = ca::findProfile(ca::builtInProfiles(), request.product);
  ASSERT_NE(profile, nullptr);
  request.not_after = clock_.now() + std::chrono::days{profile->max_validity_days + 1};
  auto issued = ca->issue(request, freshKey(), actor_);
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().message, "certificate.profile_mismatch");
  EXPECT_TRUE(hasField(issued.error(), "validity"));
  EXPECT_EQ(issuanceStates().front(), "failed");
  EXPECT_EQ(certificateCount(), 0);
}

// ADR 0016: issuances are counted per product and result, and issued ones timed.
TEST_F(CaTest, CountsIssuancesByKindProductAndResult) {
  pki::SystemRandom random;
  metrics::Registry registry;
  ca::CertificateAuthority ca(issuers(), ca::builtInProfiles(), *store_, *key_check_, clock_,
                              random, &registry);
  const std::string labels = R"({kind="server",product="server-private",result=")";
  const std::string before = registry.exposition();
  EXPECT_NE(before.find("mijncert_certificate_issuances_total" + labels + "issued\"} 0\n"),
            std::string::npos)
      << "every product's series exists from the start:\n"
      << before;
  ASSERT_TRUE(ca.issue(serverRequest(), freshKey(), actor_));
  auto overlong = serverRequest("b.voorbeeld.nl");
  overlong.not_after = clock_.now() + std::chrono::days{10000};
  ASSERT_FALSE(ca.issue(overlong, freshKey(), actor_));
  ASSERT_FALSE(ca.issue({.product = "no-such-product"}, freshKey(), actor_));

  const std::string text = registry.exposition();
  EXPECT_NE(text.find("mijncert_certificate_issuances_total" + labels + "issued\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mijncert_certificate_issuances_total" + labels + "failed\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("mijncert_certificate_issuance_duration_seconds_count{kind=\"server\","
                      "product=\"server-private\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("no-such-product"), std::string::npos) << "no series for unknown products";
}

TEST_F(CaTest, NeverSignsBeyondTheIssuingCasEnd) {
  pki::SystemRandom random;
  auto ca = authority(random);
  clock_.advance(std::chrono::days{365 * 11 - 100});  // the CA ends in 100 days, the term is 730
  auto issued = ca->issue(serverRequest(), freshKey(), actor_);
  ASSERT_FALSE(issued);
  EXPECT_TRUE(hasField(issued.error(), "validity"));
  EXPECT_EQ(certificateCount(), 0);
}

TEST_F(CaTest, NeverSignsWhatABrokenProfileWouldProduce) {
  pki::SystemRandom random;
  auto profiles = ca::builtInProfiles();
  // A profile that demands a subject field the product's requests never carry must be refused
  // before signing. (A wildcard name no longer reaches the profile check: the CA refuses it with
  // the name rules first, ChecksTheKeyAndTheNamesAgainBeforeSigning.)
  profiles.front().required_subject.push_back("serialNumber");
  ca::CertificateAuthority broken(issuers(), profiles, *store_, *key_check_, clock_, random);
  auto issued = broken.issue(serverRequest(), freshKey(), actor_);
  ASSERT_FALSE(issued);
  EXPECT_TRUE(hasField(issued.error(), "subject.serialNumber"));
  EXPECT_EQ(issuanceStates().front(), "failed");
  EXPECT_EQ(certificateCount(), 0);
}

TEST_F(CaTest, RefusesBackdatingUnlessTheDemoAsksForIt) {
  pki::SystemRandom random;
  auto ca = authority(random);
  auto request = serverRequest();
  request.not_before = clock_.now() - std::chrono::days{400};
  request.not_after = clock_.now() - std::chrono::days{5};
  ASSERT_FALSE(ca->issue(request, freshKey(), actor_));
  request.demo_backdating = true;
  auto issued = ca->issue(request, freshKey(), actor_);
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(core::statusAt(issued->not_after, std::nullopt, clock_.now()),
            core::CertificateStatus::expired);
}

TEST_F(CaTest, DrawsAnotherSerialWhenTheRandomSourceRepeats) {
  // Fills: first issuance 0x11…; second issuance 0x11… again (taken), then 0x22….
  ca_test::ScriptedRandom random({0x11, 0x11, 0x22});
  auto ca = authority(random);
  auto first = ca->issue(serverRequest("www.voorbeeld.nl"), freshKey(), actor_);
  auto second = ca->issue(serverRequest("api.voorbeeld.nl"), freshKey(), actor_);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(first->serial_hex, second->serial_hex);
  EXPECT_EQ(certificateCount(), 2);
}

TEST_F(CaTest, CrlListsRevokedCertificatesWithIncreasingNumbers) {
  pki::SystemRandom random;
  auto ca = authority(random);
  auto kept = ca->issue(serverRequest("www.voorbeeld.nl"), freshKey(), actor_);
  auto revoked = ca->issue(serverRequest("old.voorbeeld.nl"), freshKey(), actor_);
  ASSERT_TRUE(kept && revoked);
  ASSERT_TRUE(ca->revoke(revoked->id, "keyCompromise", actor_));
  EXPECT_FALSE(ca->revoke(revoked->id, "keyCompromise", actor_));  // once only
  ASSERT_TRUE(ca->publishCrl("tls-ca"));
  auto crl = ca->publishCrl("tls-ca");
  ASSERT_TRUE(crl) << crl.error().message;
  EXPECT_EQ(ca_test::readFile(dir_.path() / "tls-ca.crl"), *crl);
  const auto [status, text] =
      ca_test::run("openssl crl -noout -text -in " + (dir_.path() / "tls-ca.crl").string(),
                   dir_.path() / "crl.out");
  ASSERT_EQ(status, 0) << text;
  std::string upper = revoked->serial_hex;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_NE(text.find(upper), std::string::npos) << text;
  std::string kept_upper = kept->serial_hex;
  std::transform(kept_upper.begin(), kept_upper.end(), kept_upper.begin(), ::toupper);
  EXPECT_EQ(text.find(kept_upper), std::string::npos);
  EXPECT_NE(text.find("X509v3 CRL Number: \n                2"), std::string::npos) << text;
}

TEST_F(CaTest, CrlEntriesCarryTheRecordedRevocationReason) {
  pki::SystemRandom random;
  auto ca = authority(random);
  auto compromised = ca->issue(serverRequest("lost.voorbeeld.nl"), freshKey(), actor_);
  auto unspecified = ca->issue(serverRequest("old.voorbeeld.nl"), freshKey(), actor_);
  ASSERT_TRUE(compromised && unspecified);
  ASSERT_TRUE(ca->revoke(compromised->id, "keyCompromise", actor_));
  ASSERT_TRUE(ca->revoke(unspecified->id, "unspecified", actor_));
  ASSERT_TRUE(ca->publishCrl("tls-ca"));
  const auto [status, text] =
      ca_test::run("openssl crl -noout -text -in " + (dir_.path() / "tls-ca.crl").string(),
                   dir_.path() / "crl.out");
  ASSERT_EQ(status, 0) << text;
  // The lines printed for one entry: from its serial to the next entry's.
  const auto printedEntry = [&](std::string serial_hex) {
    std::transform(serial_hex.begin(), serial_hex.end(), serial_hex.begin(), ::toupper);
    const std::size_t start = text.find("Serial Number: " + serial_hex);
    if (start == std::string::npos) return std::string();
    return text.substr(start, text.find("Serial Number:", start + 1) - start);
  };
  const std::string compromised_entry = printedEntry(compromised->serial_hex);
  EXPECT_NE(compromised_entry.find("Key Compromise"), std::string::npos) << text;
  const std::string unspecified_entry = printedEntry(unspecified->serial_hex);
  ASSERT_FALSE(unspecified_entry.empty()) << text;
  EXPECT_EQ(unspecified_entry.find("Reason"), std::string::npos) << text;
}

TEST_F(CaTest, ACrlIsDueWithoutOneAtHalfItsValidityAndAfterARevocation) {
  pki::SystemRandom random;
  auto ca = authority(random);
  EXPECT_TRUE(*ca->crlDue("tls-ca"));  // none published yet
  ASSERT_TRUE(ca->publishCrl("tls-ca"));
  EXPECT_FALSE(*ca->crlDue("tls-ca"));
  clock_.advance(24h * 3);
  EXPECT_FALSE(*ca->crlDue("tls-ca"));  // 3 of 7 days
  clock_.advance(12h);
  EXPECT_TRUE(*ca->crlDue("tls-ca"));  // half of 7 days
  ASSERT_TRUE(ca->publishCrl("tls-ca"));
  ASSERT_TRUE(ca->publishCrl("persons-ca"));
  EXPECT_FALSE(*ca->crlDue("tls-ca"));
  auto revoked = ca->issue(serverRequest("old.voorbeeld.nl"), freshKey(), actor_);
  ASSERT_TRUE(revoked);
  clock_.advance(1min);
  ASSERT_TRUE(ca->revoke(revoked->id, "keyCompromise", actor_));
  EXPECT_TRUE(*ca->crlDue("tls-ca"));
  EXPECT_FALSE(*ca->crlDue("persons-ca"));  // the revoked certificate is not one of its own
  EXPECT_FALSE(ca->crlDue("unknown-ca"));
}

TEST_F(CaTest, SyncCrlFileWritesTheNewestPublishedCrlWhereTheFileDiffers) {
  pki::SystemRandom random;
  auto ca = authority(random);
  const auto file = dir_.path() / "tls-ca.crl";
  EXPECT_FALSE(*ca->syncCrlFile("tls-ca"));  // nothing published: the file is left alone
  ASSERT_TRUE(ca->publishCrl("tls-ca"));
  const auto newest = ca->publishCrl("tls-ca");
  ASSERT_TRUE(newest);
  EXPECT_FALSE(*ca->syncCrlFile("tls-ca"));  // this node wrote it itself
  // Another node published: this node's file still holds an older CRL.
  ca_test::writeFile(file, "an older CRL");
  EXPECT_TRUE(*ca->syncCrlFile("tls-ca"));
  EXPECT_EQ(ca_test::readFile(file), *newest);
  EXPECT_FALSE(*ca->syncCrlFile("tls-ca"));
}

TEST_F(CaTest, ReconcileStoresASignedButUnstoredIssuanceAndFailsAbandonedOnes) {
  pki::SystemRandom random;
  auto ca = authority(random);
  // A crash after step 4 (signed) and before step 5 (stored): the record holds the certificate.
  pki::CertificateSpec spec;
  spec.subject = {{"C", "NL"},
                  {"O", "Voorbeeld B.V."},
                  {"organizationIdentifier", "NTRNL-12345678"},
                  {"CN", "crash.voorbeeld.nl"}};
  spec.serial = std::vector<std::uint8_t>(16, 0x5a);
  spec.not_before = clock_.now();
  spec.not_after = clock_.now() + std::chrono::days{730};
  spec.key_usage = {"digitalSignature"};
  spec.extended_key_usage = {"serverAuth", "clientAuth"};
  spec.dns_names = {"crash.voorbeeld.nl"};
  spec.policy_oids = {"2.16.528.1.1003.1.2.5.6"};
  auto certificate = pki::issueCertificate(spec, pki::PrivateKey::generate(pki::KeyType::ec_p256),
                                           &*tls_ca_, tls_key_);
  ASSERT_TRUE(certificate);
  auto crashed = store_->reserveChecked("tls-ca", certificate->serialHex(), "server-private",
                                        R"({"organisation":null,"actor":"person:7"})", "tbs");
  ASSERT_TRUE(crashed);
  ASSERT_TRUE(store_->markSigned(*crashed, certificate->toPem()));
  // A crash before signing, or between signing and storing (the signed certificate never left
  // the process): nothing to finish once it is older than the limit.
  ASSERT_TRUE(store_->reserveSerial("tls-ca", "7a7a", "server-private", "{}"));
  ASSERT_TRUE(store_->reserveChecked("tls-ca", "7b7b", "server-private", "{}", "tbs"));
  // Just now, both may still be under way (e.g. on another node): left alone.
  auto early = ca->reconcile(15min);
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(early->stored + early->failed, 0);
  EXPECT_EQ(certificateCount(), 0);
  clock_.advance(20min);

  auto report = ca->reconcile(15min);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->stored, 1);
  EXPECT_EQ(report->failed, 2);
  EXPECT_EQ(certificateCount(), 1);
  const auto states = issuanceStates();
  EXPECT_EQ(states.at(0), "stored");
  EXPECT_EQ(states.at(1), "failed");
  EXPECT_EQ(states.at(2), "failed");
  auto again = ca->reconcile(15min);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->stored + again->failed, 0);
}

TEST_F(CaTest, AdoptsOnlyCertificatesItsCaSigned) {
  pki::SystemRandom random;
  auto ca = authority(random);
  auto issued = ca->issue(serverRequest(), freshKey(), actor_);
  ASSERT_TRUE(issued);
  // Signed by the persons CA, claimed for a tls-ca product.
  pki::CertificateSpec spec;
  spec.subject = {{"CN", "x"}};
  spec.serial = {0x42};
  spec.not_before = clock_.now();
  spec.not_after = clock_.now() + 24h;
  auto foreign = pki::issueCertificate(spec, pki::PrivateKey::generate(pki::KeyType::ec_p256),
                                       &*persons_ca_, persons_key_);
  ASSERT_TRUE(foreign);
  auto adopted = ca->adopt(foreign->toPem(), "server-private", {}, actor_);
  ASSERT_FALSE(adopted);
  EXPECT_EQ(adopted.error().message, "certificate.not_ours");
}

}  // namespace

namespace {

const std::filesystem::path kWeakKeys =
    std::filesystem::path(MIJNCERT_SOURCE_DIR) / "tests/fixtures/debian-weak-keys";

// ADR 0024: the CA checks the key and the names again when it signs, whoever asks it to: a key
// blocked or listed as a Debian weak key after ordering, or a name the rules refuse, is never
// signed and leaves nothing on record.
TEST_F(CaTest, ChecksTheKeyAndTheNamesAgainBeforeSigning) {
  pki::SystemRandom random;
  auto ca = authority(random);
  const pki::PublicKey blocked = freshKey();
  ASSERT_TRUE(ca_blocked_keys_->add(blocked.sha256Hex(), "Gelekt", std::nullopt, actor_));
  const auto refused = ca->issue(serverRequest(), blocked, actor_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().fields,
            (std::vector<core::FieldError>{{"csr", "csr.weak_key.blocklisted"}}));

  const pki::PublicKey weak =
      pki::PublicKey::of(*pki::PrivateKey::fromPem(ca_test::readFile(kWeakKeys / "0.key")));
  ASSERT_TRUE(ca->issue(serverRequest("a.voorbeeld.nl"), weak, actor_)) << "not listed yet";
  weak_keys_.add(policy::DebianWeakKeys::fingerprintOfModulus(weak.rsaModulus()));
  const auto debian = ca->issue(serverRequest("b.voorbeeld.nl"), weak, actor_);
  ASSERT_FALSE(debian);
  EXPECT_EQ(debian.error().fields, (std::vector<core::FieldError>{{"csr", "csr.weak_key.debian"}}));

  for (const std::string name : {"xn--n3h.voorbeeld.nl", "intranet.local", "*.voorbeeld.nl"}) {
    SCOPED_TRACE(name);
    auto request = serverRequest();
    request.dns_names.push_back(name);
    EXPECT_FALSE(ca->issue(request, freshKey(), actor_));
  }
  EXPECT_EQ(certificateCount(), 1);
  EXPECT_EQ(issuanceStates().size(), 1u);
}

}  // namespace
