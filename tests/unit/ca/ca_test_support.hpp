#pragma once
// Shared set-up of the CA tests: a small G4-shaped hierarchy (root → tls-ca, persons-ca) made
// with our own pki code, a migrated SQLite database, and `openssl verify` as the judge.

#include "../storage/storage_test_support.hpp"
#include "ca/certificate_authority.hpp"
#include "ca/signer.hpp"
#include "core/time_format.hpp"
#include "pki/certificate_builder.hpp"
#include "pki/key.hpp"
#include "policy/weak_keys.hpp"
#include "storage/blocked_keys.hpp"
#include "storage/certificate_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ca_test {

using namespace std::chrono_literals;

/// A signer over a key in memory.
class MemorySigner final : public ca::Signer {
 public:
  explicit MemorySigner(pki::PrivateKey key) : key_(std::move(key)) {}
  const pki::PrivateKey& key() const override { return key_; }

 private:
  pki::PrivateKey key_;
};

/// Random bytes from a script: each fill() takes the next entry (the last one repeats), so a
/// test can force a serial collision.
class ScriptedRandom final : public core::RandomSource {
 public:
  explicit ScriptedRandom(std::vector<std::uint8_t> fills) : fills_(std::move(fills)) {}
  void fill(std::span<std::uint8_t> out) override {
    const std::uint8_t byte = fills_[std::min(next_++, fills_.size() - 1)];
    for (auto& b : out) b = byte;
  }

 private:
  std::vector<std::uint8_t> fills_;
  std::size_t next_ = 0;
};

/// Writes `text` to `path`.
inline void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// Reads `path`.
inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Runs a shell command; its exit status and combined output.
inline std::pair<int, std::string> run(const std::string& command,
                                       const std::filesystem::path& output) {
  const int status = std::system((command + " >" + output.string() + " 2>&1").c_str());
  return {status, readFile(output)};
}

/// A CA fixture: hierarchy, database, store and a CertificateAuthority over built-in profiles.
class CaTest : public storage_test::SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    root_key_ = pki::PrivateKey::generate(pki::KeyType::ec_p384);
    root_ = makeCa("Test Root CA", nullptr, root_key_, 15);
    tls_key_ = pki::PrivateKey::generate(pki::KeyType::ec_p256);
    tls_ca_ = makeCa("Test TLS CA", &*root_, tls_key_, 11);
    persons_key_ = pki::PrivateKey::generate(pki::KeyType::ec_p256);
    persons_ca_ = makeCa("Test Persons CA", &*root_, persons_key_, 11);
    writeFile(dir_.path() / "chain.pem", root_->toPem() + tls_ca_->toPem() + persons_ca_->toPem());
    tls_signer_ = std::make_unique<MemorySigner>(tls_key_);
    persons_signer_ = std::make_unique<MemorySigner>(persons_key_);
    store_ = std::make_unique<storage::CertificateStore>(*database_, clock_);
    ca_blocked_keys_ = std::make_unique<storage::BlockedKeyRepository>(*database_, clock_);
    key_check_ = std::make_unique<ca::KeyCheck>(*ca_blocked_keys_, weak_keys_);
  }

  /// A CA certificate valid `years` from the test start.
  pki::Certificate makeCa(const std::string& cn, const pki::Certificate* issuer,
                          const pki::PrivateKey& key, int years) {
    pki::CertificateSpec spec;
    spec.subject = {{"C", "NL"}, {"O", "Test TSP"}, {"CN", cn}};
    spec.serial = {0x01, static_cast<std::uint8_t>(cn.size())};
    spec.not_before = storage_test::testStart() - 24h;
    spec.not_after = storage_test::testStart() + std::chrono::days{365 * years};
    spec.is_ca = true;
    spec.path_length = issuer ? 0 : 1;
    spec.key_usage = {"keyCertSign", "cRLSign"};
    auto certificate = pki::issueCertificate(spec, key, issuer, issuer ? root_key_ : key);
    EXPECT_TRUE(certificate) << certificate.error().message;
    return *certificate;
  }

  /// The issuing CAs: tls-ca and persons-ca, CRLs in the temp directory.
  std::vector<ca::IssuingCa> issuers(const ca::Signer* tls_signer = nullptr) {
    return {{"tls-ca", *tls_ca_, tls_signer ? tls_signer : tls_signer_.get(),
             dir_.path() / "tls-ca.crl", 24h * 7, "https://localhost/crl/tls-ca.crl"},
            {"persons-ca", *persons_ca_, persons_signer_.get(), dir_.path() / "persons-ca.crl",
             24h * 7, ""}};
  }

  /// A CA with the built-in products and `random`.
  std::unique_ptr<ca::CertificateAuthority> authority(core::RandomSource& random,
                                                      const ca::Signer* tls_signer = nullptr) {
    return std::make_unique<ca::CertificateAuthority>(issuers(tls_signer), ca::builtInProfiles(),
                                                      *store_, *key_check_, clock_, random);
  }

  /// A server certificate request for Voorbeeld B.V.
  static ca::IssuanceRequest serverRequest(const std::string& cn = "www.voorbeeld.nl") {
    return {.product = "server-private",
            .subject = {{"C", "NL"},
                        {"O", "Voorbeeld B.V."},
                        {"organizationIdentifier", "NTRNL-12345678"},
                        {"CN", cn}},
            .dns_names = {cn, "alt." + cn}};
  }

  /// `openssl verify -x509_strict -purpose PURPOSE` of `pem` against the test chain.
  std::pair<int, std::string> verify(const std::string& pem, const std::string& purpose) {
    writeFile(dir_.path() / "leaf.pem", pem);
    // -attime: the tests' clock stands at 2026-01-01, not at the wall clock.
    return run("openssl verify -x509_strict -purpose " + purpose + " -attime " +
                   std::to_string(core::toUnixSeconds(clock_.now()) + 60) + " -CAfile " +
                   (dir_.path() / "chain.pem").string() + " " + (dir_.path() / "leaf.pem").string(),
               dir_.path() / "verify.out");
  }

  /// The state of every issuance, in id order.
  std::vector<std::string> issuanceStates() {
    auto sql = rawSession();
    std::vector<std::string> states(100);
    *sql << "SELECT state FROM issuances ORDER BY id", soci::into(states);
    return states;
  }

  /// How many certificates are stored.
  int certificateCount() { return rows("certificates"); }

  pki::PrivateKey root_key_ = pki::PrivateKey::generate(pki::KeyType::ec_p256);
  pki::PrivateKey tls_key_ = root_key_;
  pki::PrivateKey persons_key_ = root_key_;
  std::optional<pki::Certificate> root_;
  std::optional<pki::Certificate> tls_ca_;
  std::optional<pki::Certificate> persons_ca_;
  std::unique_ptr<MemorySigner> tls_signer_;
  std::unique_ptr<MemorySigner> persons_signer_;
  std::unique_ptr<storage::CertificateStore> store_;
  /// The key check of every CA made here: the blocklist in the test database and weak_keys_.
  std::unique_ptr<storage::BlockedKeyRepository> ca_blocked_keys_;
  policy::DebianWeakKeys weak_keys_;
  std::unique_ptr<ca::KeyCheck> key_check_;
  audit::Actor actor_ = audit::Actor::system("test");
};

}  // namespace ca_test
