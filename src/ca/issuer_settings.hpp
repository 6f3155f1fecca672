#pragma once
// The CA's part of the configuration (`[ca]`, `[[ca.issuers]]`, `[[products]]`), and opening the
// configured issuing CAs: their certificates and their keys (PEM file or PKCS#11 token).

#include "ca/certificate_authority.hpp"
#include "ca/product_profile.hpp"
#include "ca/signer.hpp"
#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ca {

/// One `[[ca.issuers]]` table.
struct IssuerSettings {
  std::string name;
  std::filesystem::path certificate_file;
  std::filesystem::path key_file;        ///< PEM key; empty when the key is in a token
  std::optional<Pkcs11Settings> pkcs11;  ///< token key; PIN already read from its variable
  std::filesystem::path chain_file;      ///< PEM: the CAs above this one (intermediates, root)
  std::filesystem::path crl_file;
  std::chrono::hours crl_validity{7 * 24};
  std::string crl_url;
};

/// The `[ca]` section with its issuers, and the products.
struct CaSettings {
  std::vector<IssuerSettings> issuers;
  std::vector<ProductProfile> products = builtInProfiles();
  std::chrono::minutes stale_issuance_after{15};  ///< reconcile finishes older unstored ones
  /// The Debian weak-key list (policy::DebianWeakKeys, ADR 0024), loaded at start-up.
  std::filesystem::path weak_keys_file = "/var/lib/mijncert/debian-weak-keys.txt";
};

/// The current CRL of each configured CA, as `/crl/<ca>.crl` serves it.
class CrlFiles {
 public:
  /// CRL files (PEM, as publishCrl writes them) by CA name.
  explicit CrlFiles(std::map<std::string, std::filesystem::path> files)
      : files_(std::move(files)) {}
  /// The crl_file of each configured CA that has one (no key is opened: serving needs none).
  static CrlFiles of(const std::vector<IssuerSettings>& issuers);
  /// The DER of `ca_name`'s CRL as it is on disk now; nullopt for a name that is not a
  /// configured CA; unavailable if the file cannot be read.
  core::Result<std::optional<std::vector<std::uint8_t>>> der(const std::string& ca_name) const;

 private:
  std::map<std::string, std::filesystem::path> files_;
};

/// The certificate chain of each configured CA, offered with every certificate it issued.
class IssuerChains {
 public:
  /// The certificate and chain files of each configured CA (no key is opened).
  static IssuerChains of(const std::vector<IssuerSettings>& issuers);
  /// PEM of `ca_name`'s certificate followed by the CAs above it, as on disk now; nullopt for
  /// a name that is not a configured CA; unavailable if a file cannot be read.
  core::Result<std::optional<std::string>> pem(const std::string& ca_name) const;

 private:
  std::map<std::string, std::vector<std::filesystem::path>> files_;
};

/// The opened issuing CAs; owns their signers, so it must outlive the CertificateAuthority.
class OpenedIssuers {
 public:
  /// Reads each CA certificate and opens its key; the first failure names the CA.
  static core::Result<OpenedIssuers> open(const std::vector<IssuerSettings>& settings);
  /// The issuers for a CertificateAuthority.
  const std::vector<IssuingCa>& issuers() const { return issuers_; }

 private:
  std::vector<std::unique_ptr<Signer>> signers_;
  std::vector<IssuingCa> issuers_;
};

}  // namespace ca
