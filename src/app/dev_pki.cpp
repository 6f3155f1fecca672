#include "app/dev_pki.hpp"

#include "ca/product_profile.hpp"
#include "pki/certificate.hpp"
#include "pki/certificate_builder.hpp"
#include "pki/crl.hpp"
#include "pki/key.hpp"
#include "pki/pkcs12.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>

namespace app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using ca::dev_policy::kServerPolicy;
// Person login certificates carry the authentication policy of the persons products.
constexpr const char* kPersonAuthenticationPolicy = ca::dev_policy::kAuthenticationPolicy;
// The .invalid TLD (RFC 2606) guarantees that nothing ever fetches these.
constexpr char kCrlBaseUrl[] = "http://crl.mijncertificaten.invalid/";
constexpr char kTspOrganisation[] = "MijnCertificaten DEV TSP";
constexpr char kTspOrganisationIdentifier[] = "NTRNL-99999999";
constexpr char kPkcs12Password[] = "demo";

// A CA of the development hierarchy; `name` is its file stem under pki/.
struct DevCa {
  std::string name;
  pki::PrivateKey key;
  pki::Certificate certificate;
  std::vector<const DevCa*> chain;  ///< issuers up to the root, nearest first
};

// What distinguishes one CA from another in the hierarchy.
struct CaProfile {
  std::string name;
  std::vector<pki::SubjectAttribute> subject;
  int lifetime_years;
  std::optional<int> path_length;
  std::vector<std::string> policies;
};

std::vector<pki::SubjectAttribute> stateSubject(const std::string& cn) {
  return {{"C", "NL"}, {"O", "Staat der Nederlanden"}, {"CN", "MijnCertificaten DEV " + cn}};
}

std::vector<pki::SubjectAttribute> tspSubject(const std::string& cn) {
  return {{"C", "NL"},
          {"O", kTspOrganisation},
          {"organizationIdentifier", kTspOrganisationIdentifier},
          {"CN", "MijnCertificaten DEV " + cn}};
}

std::vector<pki::SubjectAttribute> personSubject(const DevPersonCertificate& person) {
  const bool foreign = person.state == DevCertificateState::foreign;
  std::vector<pki::SubjectAttribute> subject{{"C", foreign ? "XX" : "NL"}};
  if (!person.organisation.empty()) subject.push_back({"O", person.organisation});
  if (!person.title.empty()) subject.push_back({"title", person.title});
  subject.push_back({"givenName", person.given_name});
  subject.push_back({"SN", person.surname});
  subject.push_back({"serialNumber", person.subject_serial});
  subject.push_back({"CN", person.given_name + " " + person.surname});
  return subject;
}

// Calendar years (std::chrono::years is an average year and would end at odd times of day).
core::TimePoint addYears(core::TimePoint time, int years) {
  const auto midnight = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day date{midnight};
  date += std::chrono::years{years};
  if (!date.ok()) date = date.year() / date.month() / std::chrono::last;  // 29 February
  return std::chrono::sys_days{date} + (time - midnight);
}

std::string crlUrl(const DevCa& issuer) {
  return kCrlBaseUrl + issuer.name + ".crl";
}

core::Error fileError(const fs::path& path, int error) {
  return core::makeError(core::ErrorKind::internal,
                         "cannot write " + path.string() + ": " + std::strerror(error));
}

// Writes `data` with exactly `mode`: a private key is never readable by others, not even for
// a moment, and an existing file with looser permissions is tightened.
core::Result<void> writeFile(const fs::path& path, std::string_view data, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return fileError(path, errno);
  int error = ::fchmod(fd, mode) == 0 ? 0 : errno;
  while (error == 0 && !data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno != EINTR) error = errno;
    if (written > 0) data.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) return fileError(path, error);
  return {};
}

core::Result<void> writePublic(const fs::path& path, std::string_view data) {
  return writeFile(path, data, 0644);
}

core::Result<void> writeSecret(const fs::path& path, std::string_view data) {
  return writeFile(path, data, 0600);
}

std::string pemChain(std::span<const pki::Certificate> certificates) {
  std::string pem;
  for (const pki::Certificate& certificate : certificates) pem += certificate.toPem();
  return pem;
}

// Builds the hierarchy and writes each file as soon as it exists.
class DevPkiWriter {
 public:
  DevPkiWriter(fs::path dir, const core::Clock& clock, core::RandomSource& random)
      : dir_(std::move(dir)), now_(clock.now()), random_(random) {}

  const fs::path& dir() const { return dir_; }

  core::Result<void> makeDirectories() const {
    std::error_code ec;
    for (const char* sub : {"pki/crl", "tls", "users"}) {
      fs::create_directories(dir_ / sub, ec);
      if (ec) return fileError(dir_ / sub, ec.value());
    }
    return {};
  }

  // Issues a CA (self-signed when `parent` is null) and writes pki/NAME.{crt,key}.
  core::Result<DevCa> makeCa(const CaProfile& profile, const DevCa* parent) {
    pki::CertificateSpec spec;
    spec.subject = profile.subject;
    spec.serial = serial();
    spec.not_before = start();
    spec.not_after = addYears(start(), profile.lifetime_years);
    spec.is_ca = true;
    spec.path_length = profile.path_length;
    spec.key_usage = {"keyCertSign", "cRLSign"};
    spec.policy_oids = profile.policies;
    if (parent) spec.crl_distribution_points = {crlUrl(*parent)};
    pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p384);
    auto certificate = pki::issueCertificate(spec, key, parent ? &parent->certificate : nullptr,
                                             parent ? parent->key : key);
    if (!certificate) return certificate.error();
    DevCa ca{profile.name, key, *certificate, {}};
    if (parent) {
      ca.chain.push_back(parent);
      ca.chain.insert(ca.chain.end(), parent->chain.begin(), parent->chain.end());
    }
    const fs::path base = dir_ / "pki" / profile.name;
    if (auto written = writePublic(fs::path(base).concat(".crt"), certificate->toPem()); !written) {
      return written.error();
    }
    if (auto written = writeSecret(fs::path(base).concat(".key"), key.toPem()); !written) {
      return written.error();
    }
    return ca;
  }

  // Issues an end-entity certificate for a fresh P-256 key.
  core::Result<std::pair<pki::Certificate, pki::PrivateKey>> issueLeaf(pki::CertificateSpec spec,
                                                                       const DevCa& issuer) {
    spec.serial = serial();
    spec.crl_distribution_points = {crlUrl(issuer)};
    pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
    auto certificate = pki::issueCertificate(spec, key, &issuer.certificate, issuer.key);
    if (!certificate) return certificate.error();
    return std::pair{*certificate, key};
  }

  // Writes pki/crl/NAME.crl listing `revoked`; the dev CRLs last a year so a demo keeps working.
  core::Result<fs::path> writeCrl(const DevCa& ca,
                                  std::span<const pki::RevokedCertificate> revoked) {
    auto crl = pki::issueCrl(ca.certificate, ca.key, revoked, now_ - 1h, now_ + 365 * 24h, 1);
    if (!crl) return crl.error();
    const fs::path path = dir_ / "pki" / "crl" / (ca.name + ".crl");
    if (auto written = writePublic(path, *crl); !written) return written.error();
    return path;
  }

  // users/NAME.crt (the leaf only, as browsers' and Playwright's certPath expect), NAME.key and
  // NAME.p12 (password "demo", with the chain so an import shows the whole path).
  core::Result<void> writeUser(const std::string& name, const pki::Certificate& certificate,
                               const pki::PrivateKey& key, const DevCa& issuer) {
    std::vector<pki::Certificate> chain{issuer.certificate};
    for (const DevCa* ca : issuer.chain) chain.push_back(ca->certificate);
    auto p12 = pki::makePkcs12(certificate, key, chain, kPkcs12Password,
                               certificate.subjectAttribute("CN").value_or(name));
    if (!p12) return p12.error();
    const fs::path base = dir_ / "users" / name;
    if (auto written = writePublic(fs::path(base).concat(".crt"), certificate.toPem()); !written) {
      return written;
    }
    if (auto written = writeSecret(fs::path(base).concat(".key"), key.toPem()); !written) {
      return written;
    }
    const std::string_view der(reinterpret_cast<const char*>(p12->data()), p12->size());
    return writeSecret(fs::path(base).concat(".p12"), der);
  }

  // Backdated by a day so that clocks a little behind still accept the new certificates.
  core::TimePoint start() const { return now_ - 24h; }
  core::TimePoint now() const { return now_; }

 private:
  // RFC 5280 §4.1.2.2 / CA/B BR §7.1: positive, ≤ 20 octets, ≥ 64 bits from a CSPRNG.
  std::vector<std::uint8_t> serial() {
    std::vector<std::uint8_t> bytes(16);
    random_.fill(bytes);
    bytes[0] &= 0x7F;
    if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; }))
      bytes[15] = 1;
    return bytes;
  }

  fs::path dir_;
  core::TimePoint now_;
  core::RandomSource& random_;
};

pki::CertificateSpec personSpec(const DevPersonCertificate& person, const DevPkiWriter& writer) {
  pki::CertificateSpec spec;
  spec.subject = personSubject(person);
  // Authentication certificates: digitalSignature only (nonRepudiation is for signing certs).
  spec.key_usage = {"digitalSignature"};
  spec.extended_key_usage = {"clientAuth", "emailProtection"};
  if (!person.email.empty()) spec.email_addresses = {person.email};
  spec.policy_oids = {kPersonAuthenticationPolicy};
  if (person.state == DevCertificateState::expired) {
    spec.not_before = writer.now() - 400 * 24h;
    spec.not_after = writer.now() - 35 * 24h;
  } else {
    spec.not_before = writer.start();
    spec.not_after = addYears(writer.start(), 3);
  }
  return spec;
}

pki::CertificateSpec serverSpec(const DevPkiWriter& writer) {
  pki::CertificateSpec spec;
  spec.subject = {{"C", "NL"}, {"O", kTspOrganisation}, {"CN", "localhost"}};
  spec.not_before = writer.start();
  spec.not_after = writer.start() + 365 * 24h;
  spec.key_usage = {"digitalSignature"};
  spec.extended_key_usage = {"serverAuth"};
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  spec.policy_oids = {kServerPolicy};
  return spec;
}

}  // namespace

core::Result<DevPki> createDevPki(const std::filesystem::path& dir,
                                  const std::vector<DevPersonCertificate>& people,
                                  const core::Clock& clock, core::RandomSource& random) {
  DevPkiWriter writer(fs::absolute(dir).lexically_normal(), clock, random);
  if (auto made = writer.makeDirectories(); !made) return made.error();
  const fs::path pki_dir = writer.dir() / "pki";

  // G4-shaped: one root, an intermediate per domain, a TSP issuing CA below each. CA lifetimes
  // nest and exceed 10 years, so no demo renewal is capped by a CA (PRODUCT.md §9).
  auto root = writer.makeCa({.name = "root-ca",
                             .subject = stateSubject("Staat der Nederlanden Root CA - G4"),
                             .lifetime_years = 15},
                            nullptr);
  if (!root) return root.error();
  auto persons_intermediate =
      writer.makeCa({.name = "persons-intermediate-ca",
                     .subject = stateSubject("Domein Organisatie Persoon CA - G4"),
                     .lifetime_years = 12,
                     .path_length = 1,
                     .policies = {kPersonAuthenticationPolicy}},
                    &*root);
  if (!persons_intermediate) return persons_intermediate.error();
  auto tls_intermediate = writer.makeCa({.name = "tls-intermediate-ca",
                                         .subject = stateSubject("Domein Private Services CA - G4"),
                                         .lifetime_years = 12,
                                         .path_length = 1,
                                         .policies = {kServerPolicy}},
                                        &*root);
  if (!tls_intermediate) return tls_intermediate.error();
  auto persons_ca = writer.makeCa({.name = "persons-ca",
                                   .subject = tspSubject("TSP Persoon CA - G4"),
                                   .lifetime_years = 11,
                                   .path_length = 0,
                                   .policies = {kPersonAuthenticationPolicy}},
                                  &*persons_intermediate);
  if (!persons_ca) return persons_ca.error();
  auto tls_ca = writer.makeCa({.name = "tls-ca",
                               .subject = tspSubject("TSP Server CA - G4"),
                               .lifetime_years = 11,
                               .path_length = 0,
                               .policies = {kServerPolicy}},
                              &*tls_intermediate);
  if (!tls_ca) return tls_ca.error();
  // Unrelated to the hierarchy and never in the bundle: its certificates must be refused.
  auto foreign =
      writer.makeCa({.name = "foreign-ca",
                     .subject = {{"C", "XX"}, {"O", "Elders"}, {"CN", "Foreign Test Root CA"}},
                     .lifetime_years = 15},
                    nullptr);
  if (!foreign) return foreign.error();

  DevPki result;
  result.root_certificate = pki_dir / "root-ca.crt";
  result.person_issuer_dn = persons_ca->certificate.subjectDn();
  result.client_ca_bundle = pki_dir / "client-cas.pem";
  const std::vector<pki::Certificate> client_cas{
      root->certificate, persons_intermediate->certificate, persons_ca->certificate};
  if (auto written = writePublic(result.client_ca_bundle, pemChain(client_cas)); !written) {
    return written.error();
  }

  auto server = writer.issueLeaf(serverSpec(writer), *tls_ca);
  if (!server) return server.error();
  result.server_certificate_chain = writer.dir() / "tls" / "server.crt";
  result.server_private_key = writer.dir() / "tls" / "server.key";
  const std::vector<pki::Certificate> server_chain{server->first, tls_ca->certificate,
                                                   tls_intermediate->certificate};
  if (auto written = writePublic(result.server_certificate_chain, pemChain(server_chain));
      !written) {
    return written.error();
  }
  if (auto written = writeSecret(result.server_private_key, server->second.toPem()); !written) {
    return written.error();
  }

  std::vector<pki::RevokedCertificate> revoked;
  for (const DevPersonCertificate& person : people) {
    const bool is_foreign = person.state == DevCertificateState::foreign;
    const DevCa& issuer = is_foreign ? *foreign : *persons_ca;
    auto issued = writer.issueLeaf(personSpec(person, writer), issuer);
    if (!issued) return issued.error();
    if (auto written = writer.writeUser(person.file_name, issued->first, issued->second, issuer);
        !written) {
      return written.error();
    }
    if (person.state == DevCertificateState::revoked) {
      revoked.push_back({issued->first.serialHex(), writer.now() - 2h});
    }
    result.identities.push_back({issuer.certificate.subjectDn(), person.subject_serial});
  }

  // One CRL per CA of the dev hierarchy: with CRL checks on every level a missing one fails all.
  for (const auto& [ca, entries] :
       {std::pair{&*root, std::span<const pki::RevokedCertificate>{}},
        std::pair{&*persons_intermediate, std::span<const pki::RevokedCertificate>{}},
        std::pair{&*tls_intermediate, std::span<const pki::RevokedCertificate>{}},
        std::pair{&*persons_ca, std::span<const pki::RevokedCertificate>{revoked}},
        std::pair{&*tls_ca, std::span<const pki::RevokedCertificate>{}}}) {
    auto crl = writer.writeCrl(*ca, entries);
    if (!crl) return crl.error();
    result.crl_files.push_back(*crl);
  }
  return result;
}

}  // namespace app
