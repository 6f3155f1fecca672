#pragma once
// A persons PKI on disk for the order signature tests (pki and auth), with signatures made by the
// openssl CLI as PRODUCT.md §4 tells users to: `openssl cms -sign -binary …`.

#include "pki/cms.hpp"
#include "pki/crl.hpp"
#include "pki_test_support.hpp"

#include <atomic>
#include <iterator>
#include <map>

namespace pki::test {

/// Root → persons CA with its people, an unrelated root, and the CRLs of both dev CAs, as files.
class SigningPki {
 public:
  SigningPki()
      : dir_(makeTempDir()),
        root_(issue(caSpec("Signing Root", 1), nullptr)),
        persons_(issue(caSpec("Persons CA", 2), &root_)),
        foreign_root_(issue(caSpec("Foreign Root", 3), nullptr)) {
    add("contact", person("contact", "PERSON-contact", 1), persons_);
    add("representative", person("representative", "PERSON-representative", 2), persons_);
    // A renewed card of the contact: another key and serial, the same issuer and serialNumber.
    CertificateSpec card = person("contact card", "PERSON-contact", 3);
    card.key_usage = {"nonRepudiation"};
    card.extended_key_usage = {};
    add("card", card, persons_);
    CertificateSpec expired = person("expired", "PERSON-expired", 4);
    expired.not_before = now() - 24h * 400;
    expired.not_after = now() - 24h * 35;
    add("expired", expired, persons_);
    add("revoked", person("revoked", "PERSON-revoked", 5), persons_);
    CertificateSpec server = person("server", "PERSON-server", 6);
    server.extended_key_usage = {"serverAuth"};
    add("server", server, persons_);
    add("foreign", person("foreign", "PERSON-foreign", 7), foreign_root_);

    writeText(dir_ / "cas.pem", root_.certificate.toPem() + persons_.certificate.toPem());
    writeText(dir_ / "root.crl",
              issueCrl(root_.certificate, root_.key, {}, now() - 1h, now() + 24h, 1).value());
    writeText(dir_ / "persons.crl", personsCrl({"revoked"}, 1));
  }
  ~SigningPki() { std::filesystem::remove_all(dir_); }
  SigningPki(const SigningPki&) = delete;
  SigningPki& operator=(const SigningPki&) = delete;

  /// The trusted CA bundle (root and persons CA), PEM.
  std::string caFile() const { return (dir_ / "cas.pem").string(); }
  /// The CRLs of the root and the persons CA, PEM.
  std::vector<std::string> crlFiles() const {
    return {(dir_ / "root.crl").string(), (dir_ / "persons.crl").string()};
  }
  /// A CRL (PEM) of the persons CA with number `number` that revokes the people `names`.
  std::string personsCrl(const std::vector<std::string>& names, std::int64_t number) const {
    std::vector<RevokedCertificate> revoked;
    for (const auto& name : names)
      revoked.push_back({people_.at(name).certificate.serialHex(), now() - 1h});
    return issueCrl(persons_.certificate, persons_.key, revoked, now() - 1h, now() + 24h, number)
        .value();
  }
  /// The certificate of a person: contact, representative, card (the contact's nonRepudiation
  /// card certificate), expired, revoked, server (serverAuth only) or foreign (unrelated root).
  const Certificate& certificate(const std::string& name) const {
    return people_.at(name).certificate;
  }
  /// The private key of a person (see certificate()).
  const PrivateKey& key(const std::string& name) const { return people_.at(name).key; }
  /// The persons CA, issuer of every person but foreign.
  const Certificate& personsCa() const { return persons_.certificate; }
  /// Where NAME.crt and NAME.key of every person are.
  const std::filesystem::path& dir() const { return dir_; }

  /// `document` signed by `names` with `openssl cms -sign -binary` and extra `options` (default:
  /// detached DER); the signature file's bytes, empty if openssl failed.
  std::string sign(const std::vector<std::string>& names, const std::string& document,
                   const std::string& options = "-outform DER") const {
    const std::string base = (dir_ / ("sig-" + std::to_string(counter_++))).string();
    writeText(base + ".txt", document);
    std::string command = "openssl cms -sign -binary -in " + base + ".txt -out " + base + ".p7s ";
    for (const std::string& name : names) {
      const std::string path = (dir_ / name).string();
      command += "-signer " + path + ".crt -inkey " + path + ".key ";
    }
    const auto [status, output] = run(command + options);
    EXPECT_EQ(status, 0) << output;
    return status == 0 ? readBytes(base + ".p7s") : std::string();
  }

  /// `document` signed by one person (see the other overload).
  std::string sign(const std::string& name, const std::string& document,
                   const std::string& options = "-outform DER") const {
    return sign(std::vector<std::string>{name}, document, options);
  }

  /// Runs `command` with {in} replaced by a file holding `input`; the bytes it writes to {out}.
  std::string convert(const std::string& input, const std::string& command) const {
    const std::string base = (dir_ / ("conv-" + std::to_string(counter_++))).string();
    writeText(base + ".in", input);
    std::string expanded = command;
    expanded.replace(expanded.find("{in}"), 4, base + ".in");
    expanded.replace(expanded.find("{out}"), 5, base + ".out");
    const auto [status, output] = run(expanded);
    EXPECT_EQ(status, 0) << output;
    return readBytes(base + ".out");
  }

 private:
  static CertificateSpec person(const std::string& cn, const std::string& serial_number,
                                std::uint8_t serial) {
    CertificateSpec spec = leafSpec(cn, serial);
    spec.subject = {{"C", "NL"}, {"CN", cn}, {"serialNumber", serial_number}};
    spec.extended_key_usage = {"clientAuth", "emailProtection"};
    return spec;
  }

  void add(const std::string& name, const CertificateSpec& spec, const Issued& issuer) {
    const Issued& issued = people_.emplace(name, issue(spec, &issuer)).first->second;
    writeText(dir_ / (name + ".crt"), issued.certificate.toPem());
    writeText(dir_ / (name + ".key"), issued.key.toPem());
  }

  static std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  std::filesystem::path dir_;
  Issued root_, persons_, foreign_root_;
  std::map<std::string, Issued> people_;
  mutable std::atomic<int> counter_{0};
};

/// A test suite sharing one SigningPki (made once per suite: it generates many keys) and a
/// SignatureTrust of its CAs and CRLs.
class SigningPkiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new SigningPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    auto trust = SignatureTrust::fromFiles(pki_->caFile(), pki_->crlFiles());
    ASSERT_TRUE(trust) << trust.error().message;
    trust_.emplace(*trust);
  }

  /// Verifies DER signature bytes (as pki::signDetached makes them) over `document` now.
  core::Result<VerifiedSignature> verifyBytes(const std::vector<std::uint8_t>& signature,
                                              std::string_view document) const {
    return verifyDetachedSignature(
        std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()),
        document, *trust_, now());
  }

  static inline SigningPki* pki_ = nullptr;
  std::optional<SignatureTrust> trust_;
};

/// An order document as PRODUCT.md §4 describes it: every field, the order number and a nonce.
inline std::string orderDocument(const std::string& number, const std::string& nonce) {
  return "MijnCertificaten bestelling " + number +
         "\nProduct: server-private\nSAN: www.voorbeeld.nl\nOrigin: "
         "https://localhost:8443\nNonce: " +
         nonce + "\n";
}

}  // namespace pki::test
