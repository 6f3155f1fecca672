#pragma once
// Product profiles (PRODUCT.md §8), modelled on the PKIoverheid G4 end-entity profiles
// (pkioverheid/g4-trial profiles/*.yaml), and the check of a certificate against its profile:
// run on every to-be-signed certificate before signing, and on any certificate read back.

#include "core/certificate.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "pki/certificate_contents.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ca {

/// Dev policy OIDs under the PKIoverheid arc, carried by the dev hierarchy's CAs
/// (app/dev_pki.cpp) and the built-in profiles; a production config names the real G4 OIDs.
namespace dev_policy {
inline constexpr char kServerPolicy[] = "2.16.528.1.1003.1.2.5.6";
inline constexpr char kAuthenticationPolicy[] = "2.16.528.1.1003.1.2.5.1";
inline constexpr char kSignaturePolicy[] = "2.16.528.1.1003.1.2.5.2";
inline constexpr char kEncryptionPolicy[] = "2.16.528.1.1003.1.2.5.3";
}  // namespace dev_policy

/// What one product's certificates look like.
struct ProductProfile {
  std::string name;  ///< "server-private", "personal-authentication", …
  core::CertificateKind kind = core::CertificateKind::server;
  std::string issuing_ca;                       ///< name of the issuing CA in the config
  std::vector<std::string> required_subject;    ///< OpenSSL short names that must be present
  std::vector<std::string> optional_subject;    ///< further names that may be present
  std::vector<std::string> key_usage;           ///< exact set for EC keys
  std::vector<std::string> rsa_key_usage;       ///< exact set for RSA keys
  std::vector<std::string> extended_key_usage;  ///< exact set, short names or dotted OIDs
  std::vector<std::string> policy_oids;         ///< exact set, dotted
  int term_days = 730;                          ///< the normal validity (PRODUCT.md §5: 2 years)
  int max_validity_days = 730;                  ///< never signed beyond this
  int min_dns_names = 0;                        ///< subjectAltName dNSName count
  int max_dns_names = 0;
  bool common_name_in_dns_names = false;  ///< CN must be one of the SANs (BR §7.1.4.3)
  bool email_addresses = false;           ///< rfc822Name SANs allowed
  bool rsa_pss = true;                    ///< RSA CAs sign with RSA-PSS (G4)
};

/// The built-in products, used when the config names none: server-private, and
/// authentication/signature/encryption for personal, group and professional cards, and
/// mobile-authentication.
std::vector<ProductProfile> builtInProfiles();

/// The profile named `name`, or nullptr.
const ProductProfile* findProfile(const std::vector<ProductProfile>& profiles,
                                  const std::string& name);

/// The circumstances a certificate is judged in.
struct CheckContext {
  core::TimePoint issuer_not_after;  ///< the issuing CA's own end (RFC 5280 §6: no later)
  core::TimePoint now;               ///< the moment of issuance
  /// Allow a not_before in the past (demo data of expired certificates only; the portal never
  /// sets it). Without it, not_before may be at most an hour before `now`.
  bool allow_backdating = false;
};

/// Checks `contents` against `profile`; invalid "certificate.profile_mismatch" with one
/// FieldError per problem (field: the certificate field, message: what is wrong).
core::Result<void> checkProfile(const pki::CertificateContents& contents,
                                const ProductProfile& profile, const CheckContext& context);

/// Reads a PEM or DER certificate and checks it against `profile`.
core::Result<void> checkCertificate(std::string_view pem_or_der, const ProductProfile& profile,
                                    const CheckContext& context);

}  // namespace ca
