#pragma once
// Everything a product profile speaks about, read out of a certificate (signed or still being
// built), so that the profile checks in `ca` need no OpenSSL.

#include "core/clock.hpp"
#include "pki/certificate.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace pki {

/// One subject attribute in encoding order, by OpenSSL short name ("C", "O", "CN",
/// "organizationIdentifier", "serialNumber", "GN", "SN", "title", …).
struct SubjectEntry {
  std::string type;
  std::string value;
  bool operator==(const SubjectEntry&) const = default;
};

/// The profile-relevant fields of a certificate.
struct CertificateContents {
  std::vector<SubjectEntry> subject;
  std::size_t serial_octets = 0;  ///< length of the serial's encoding (RFC 5280 §4.1.2.2)
  bool serial_positive = false;
  core::TimePoint not_before;
  core::TimePoint not_after;
  bool has_basic_constraints = false;
  bool basic_constraints_critical = false;
  bool is_ca = false;
  bool key_usage_critical = false;
  std::vector<std::string> key_usage;           ///< names as in CertificateSpec::key_usage
  std::vector<std::string> extended_key_usage;  ///< short names ("serverAuth") or dotted OIDs
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> email_addresses;
  std::vector<std::string> other_names;  ///< any other GeneralName type, by type name
  std::vector<std::string> policy_oids;  ///< dotted
  std::string key_description;           ///< "ECDSA P-256", "RSA 3072"
  bool rsa_key = false;
};

/// Reads `certificate`'s contents; also works on a certificate that is not signed yet.
CertificateContents readContents(const Certificate& certificate);

/// True if `certificate`'s signature verifies with `issuer`'s public key and names it as issuer.
bool isSignedBy(const Certificate& certificate, const Certificate& issuer);

}  // namespace pki
