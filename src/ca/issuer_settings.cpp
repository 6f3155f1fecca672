#include "ca/issuer_settings.hpp"

#include "pki/crl.hpp"

#include <fstream>
#include <sstream>

namespace ca {
namespace {

std::optional<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return std::nullopt;
  return text.str();
}

core::Result<std::unique_ptr<Signer>> openSigner(const IssuerSettings& settings) {
  if (settings.pkcs11) {
    auto signer = Pkcs11Signer::open(*settings.pkcs11);
    if (!signer) return signer.error();
    return std::unique_ptr<Signer>(std::move(*signer));
  }
  auto signer = KeyFileSigner::open(settings.key_file);
  if (!signer) return signer.error();
  return std::unique_ptr<Signer>(std::move(*signer));
}

}  // namespace

core::Result<std::optional<std::vector<std::uint8_t>>> CrlFiles::der(
    const std::string& ca_name) const {
  const auto found = files_.find(ca_name);
  if (found == files_.end()) return std::optional<std::vector<std::uint8_t>>{};
  const auto pem = readFile(found->second);
  if (!pem) return core::makeError(core::ErrorKind::unavailable, "crl.unreadable");
  auto der = pki::crlPemToDer(*pem);
  if (!der) return core::makeError(core::ErrorKind::unavailable, "crl.unreadable");
  return std::optional{std::move(*der)};
}

core::Result<OpenedIssuers> OpenedIssuers::open(const std::vector<IssuerSettings>& settings) {
  OpenedIssuers opened;
  for (const IssuerSettings& issuer : settings) {
    const auto pem = readFile(issuer.certificate_file);
    auto certificate = pem ? pki::Certificate::fromPem(*pem)
                           : core::Result<pki::Certificate>(core::makeError(
                                 core::ErrorKind::invalid, "cannot read the certificate"));
    if (!certificate) {
      return core::makeError(core::ErrorKind::invalid,
                             "CA " + issuer.name + ": " + certificate.error().message);
    }
    auto signer = openSigner(issuer);
    if (!signer) {
      return core::makeError(signer.error().kind,
                             "CA " + issuer.name + ": " + signer.error().message);
    }
    opened.issuers_.push_back(IssuingCa{issuer.name, *certificate, signer->get(), issuer.crl_file,
                                        issuer.crl_validity, issuer.crl_url});
    opened.signers_.push_back(std::move(*signer));
  }
  return opened;
}

CrlFiles CrlFiles::of(const std::vector<IssuerSettings>& issuers) {
  std::map<std::string, std::filesystem::path> files;
  for (const IssuerSettings& issuer : issuers)
    if (!issuer.crl_file.empty()) files.emplace(issuer.name, issuer.crl_file);
  return CrlFiles(std::move(files));
}

IssuerChains IssuerChains::of(const std::vector<IssuerSettings>& issuers) {
  IssuerChains chains;
  for (const IssuerSettings& issuer : issuers) {
    auto& files = chains.files_[issuer.name];
    files.push_back(issuer.certificate_file);
    if (!issuer.chain_file.empty()) files.push_back(issuer.chain_file);
  }
  return chains;
}

core::Result<std::optional<std::string>> IssuerChains::pem(const std::string& ca_name) const {
  const auto found = files_.find(ca_name);
  if (found == files_.end()) return std::optional<std::string>{};
  std::string chain;
  for (const auto& file : found->second) {
    const auto text = readFile(file);
    if (!text || text->empty())
      return core::makeError(core::ErrorKind::unavailable, "error.unavailable");
    chain += *text;
    if (chain.back() != '\n') chain += '\n';
  }
  return std::optional<std::string>{std::move(chain)};
}

}  // namespace ca
