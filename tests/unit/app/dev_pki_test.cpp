#include "app/dev_pki.hpp"

#include "pki/certificate.hpp"
#include "pki/crypto.hpp"
#include "pki/pkcs12.hpp"
#include "pki/tls.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>

namespace app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Exit status and output of a shell command (the openssl CLI as an independent verifier).
std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, output};
  std::array<char, 512> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

class DevPkiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "mijncert-devpki-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = new fs::path(pattern);
    const std::vector<DevPersonCertificate> people{
        {"contact", "Sanne", "Jansen", "900000002", "Voorbeeld B.V.", "", "s.jansen@voorbeeld.nl"},
        {"professional", "Eva", "de Boer", "900000005", "", "Notaris", "notaris@example.nl"},
        {"expired", "Lotte", "Verlopen", "900000008", "Voorbeeld B.V.", "", "l@voorbeeld.nl",
         DevCertificateState::expired},
        {"revoked", "Daan", "Ingetrokken", "900000009", "Voorbeeld B.V.", "", "d@voorbeeld.nl",
         DevCertificateState::revoked},
        {"foreign", "Alex", "Buitenland", "900000010", "Elders Ltd", "", "alex@elders.example",
         DevCertificateState::foreign},
    };
    core::SystemClock clock;
    pki::SystemRandom random;
    // A relative directory must still yield absolute paths.
    const fs::path previous = fs::current_path();
    fs::current_path(*dir_);
    auto created = createDevPki("demo", people, clock, random);
    fs::current_path(previous);
    ASSERT_TRUE(created) << created.error().message;
    pki_ = new DevPki(*created);
    // openssl verify takes a single -CRLfile, so the test bundles them.
    std::string crls;
    for (const fs::path& file : pki_->crl_files) crls += readFile(file);
    std::ofstream(root() / "all.crl") << crls;
  }

  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete pki_;
    delete dir_;
  }

  static fs::path root() { return *dir_ / "demo"; }

  static std::pair<int, std::string> verify(const std::string& purpose, const fs::path& ca_file,
                                            const fs::path& certificate,
                                            const std::string& extra = "") {
    return run("openssl verify -x509_strict -purpose " + purpose + " -CAfile " + ca_file.string() +
               " -crl_check_all -CRLfile " + (root() / "all.crl").string() + " " + extra + " " +
               certificate.string());
  }

  static std::pair<int, std::string> verifyPerson(const std::string& name) {
    return verify("sslclient", pki_->client_ca_bundle, root() / "users" / (name + ".crt"));
  }

  static pki::Certificate certificate(const fs::path& path) {
    return pki::Certificate::fromPem(readFile(path)).value();
  }

  static fs::path* dir_;
  static DevPki* pki_;
};

fs::path* DevPkiTest::dir_ = nullptr;
DevPki* DevPkiTest::pki_ = nullptr;

TEST_F(DevPkiTest, ReturnsAbsolutePathsThatExist) {
  for (const fs::path& path : {pki_->server_certificate_chain, pki_->server_private_key,
                               pki_->client_ca_bundle, pki_->root_certificate}) {
    EXPECT_TRUE(path.is_absolute()) << path;
    EXPECT_TRUE(fs::exists(path)) << path;
  }
  EXPECT_EQ(pki_->root_certificate, root() / "pki" / "root-ca.crt");
  ASSERT_EQ(pki_->crl_files.size(), 5u);
  for (const fs::path& path : pki_->crl_files) {
    EXPECT_TRUE(path.is_absolute() && fs::exists(path)) << path;
    EXPECT_EQ(path.parent_path(), root() / "pki" / "crl");
  }
  for (const char* name : {"root-ca", "persons-intermediate-ca", "tls-intermediate-ca",
                           "persons-ca", "tls-ca", "foreign-ca"}) {
    EXPECT_TRUE(fs::exists(root() / "pki" / (std::string(name) + ".crt"))) << name;
    EXPECT_TRUE(fs::exists(root() / "pki" / (std::string(name) + ".key"))) << name;
  }
}

TEST_F(DevPkiTest, ValidPersonCertificatesVerify) {
  for (const char* name : {"contact", "professional"}) {
    auto [status, output] = verifyPerson(name);
    EXPECT_EQ(status, 0) << name << ": " << output;
  }
}

TEST_F(DevPkiTest, RevokedExpiredAndForeignCertificatesFail) {
  auto [revoked, revoked_output] = verifyPerson("revoked");
  EXPECT_NE(revoked, 0);
  EXPECT_NE(revoked_output.find("certificate revoked"), std::string::npos) << revoked_output;
  auto [expired, expired_output] = verifyPerson("expired");
  EXPECT_NE(expired, 0);
  EXPECT_NE(expired_output.find("certificate has expired"), std::string::npos) << expired_output;
  auto [foreign, foreign_output] = verifyPerson("foreign");
  EXPECT_NE(foreign, 0) << foreign_output;
}

TEST_F(DevPkiTest, ServerCertificateVerifiesAgainstTheTlsBranchOnly) {
  const fs::path server = pki_->server_certificate_chain;
  auto [status, output] =
      verify("sslserver", pki_->root_certificate, server, "-untrusted " + server.string());
  EXPECT_EQ(status, 0) << output;
  // The client bundle holds only the persons branch: the TLS CAs are not in it.
  auto [wrong, wrong_output] = verify("sslserver", pki_->client_ca_bundle, server);
  EXPECT_NE(wrong, 0) << wrong_output;
  auto chain = pki::Certificate::chainFromPem(readFile(server));
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0].dnsNames(), std::vector<std::string>{"localhost"});
  EXPECT_EQ((*chain)[1].subjectAttribute("CN"), "MijnCertificaten DEV TSP Server CA - G4");
  EXPECT_EQ((*chain)[2].subjectAttribute("CN"),
            "MijnCertificaten DEV Domein Private Services CA - G4");
  EXPECT_LE((*chain)[0].notAfter() - (*chain)[0].notBefore(), 398 * 24h);
}

TEST_F(DevPkiTest, ClientBundleIsRootIntermediateAndPersonsCa) {
  auto bundle = pki::Certificate::chainFromPem(readFile(pki_->client_ca_bundle));
  ASSERT_TRUE(bundle);
  ASSERT_EQ(bundle->size(), 3u);
  EXPECT_EQ((*bundle)[0].subjectDn(),
            "CN=MijnCertificaten DEV Staat der Nederlanden Root CA - G4,O=Staat der "
            "Nederlanden,C=NL");
  EXPECT_EQ((*bundle)[2].subjectDn(), pki_->person_issuer_dn);
  EXPECT_EQ(pki_->person_issuer_dn,
            "CN=MijnCertificaten DEV TSP Persoon CA - G4,organizationIdentifier=NTRNL-99999999,"
            "O=MijnCertificaten DEV TSP,C=NL");
}

TEST_F(DevPkiTest, CasOutliveTenYears) {
  const auto ten_years = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::years{10});
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (const char* name :
       {"root-ca", "persons-intermediate-ca", "tls-intermediate-ca", "persons-ca", "tls-ca"}) {
    const pki::Certificate ca = certificate(root() / "pki" / (std::string(name) + ".crt"));
    EXPECT_TRUE(ca.isCa()) << name;
    EXPECT_GT(ca.notAfter(), now + ten_years) << name;
    EXPECT_LT(ca.notBefore(), now) << name;
  }
}

TEST_F(DevPkiTest, PersonCertificatesCarryTheIdentity) {
  const pki::Certificate contact = certificate(root() / "users" / "contact.crt");
  EXPECT_EQ(contact.subjectAttribute("serialNumber"), "900000002");
  EXPECT_EQ(contact.subjectAttribute("CN"), "Sanne Jansen");
  EXPECT_EQ(contact.subjectAttribute("givenName"), "Sanne");
  EXPECT_EQ(contact.subjectAttribute("SN"), "Jansen");
  EXPECT_EQ(contact.subjectAttribute("O"), "Voorbeeld B.V.");
  EXPECT_EQ(contact.issuerDn(), pki_->person_issuer_dn);
  const pki::Certificate professional = certificate(root() / "users" / "professional.crt");
  EXPECT_EQ(professional.subjectAttribute("title"), "Notaris");
  EXPECT_EQ(professional.subjectAttribute("O"), std::nullopt);
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  EXPECT_LT(certificate(root() / "users" / "expired.crt").notAfter(), now);

  ASSERT_EQ(pki_->identities.size(), 5u);
  EXPECT_EQ(pki_->identities[0], (core::CertificateIdentity{pki_->person_issuer_dn, "900000002"}));
  EXPECT_EQ(pki_->identities[4],
            (core::CertificateIdentity{"CN=Foreign Test Root CA,O=Elders,C=XX", "900000010"}));
  EXPECT_EQ(certificate(root() / "users" / "foreign.crt").issuerDn(),
            pki_->identities[4].issuer_dn);
}

TEST_F(DevPkiTest, Pkcs12HoldsKeyAndChainUnderDemo) {
  const std::string der = readFile(root() / "users" / "contact.p12");
  auto contents = pki::readPkcs12(
      std::span(reinterpret_cast<const std::uint8_t*>(der.data()), der.size()), "demo");
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(contents->certificate.toDer(), certificate(root() / "users" / "contact.crt").toDer());
  EXPECT_EQ(contents->chain.size(), 3u);
  auto key = pki::PrivateKey::fromPem(readFile(root() / "users" / "contact.key"));
  ASSERT_TRUE(key);
  EXPECT_EQ(EVP_PKEY_eq(key->handle(), contents->key.handle()), 1);
  auto [status, output] = run("openssl pkcs12 -info -noout -passin pass:demo -in " +
                              (root() / "users" / "contact.p12").string());
  EXPECT_EQ(status, 0) << output;
}

TEST_F(DevPkiTest, PrivateKeysAreOwnerOnly) {
  std::vector<fs::path> secrets{pki_->server_private_key};
  for (const auto& entry : fs::recursive_directory_iterator(root())) {
    const auto extension = entry.path().extension();
    if (extension == ".key" || extension == ".p12") secrets.push_back(entry.path());
  }
  EXPECT_GE(secrets.size(), 17u);
  for (const fs::path& path : secrets) {
    struct stat info {};
    ASSERT_EQ(stat(path.c_str(), &info), 0) << path;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << path;
  }
}

TEST_F(DevPkiTest, PortalTlsContextAcceptsTheFiles) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_server_method()),
                                                            SSL_CTX_free);
  std::vector<std::string> crls;
  for (const fs::path& file : pki_->crl_files) crls.push_back(file.string());
  auto configured = pki::configureServerContext(
      context.get(), {pki_->server_certificate_chain.string(), pki_->server_private_key.string(),
                      pki_->client_ca_bundle.string(), crls});
  EXPECT_TRUE(configured) << configured.error().message;
}

}  // namespace
}  // namespace app
