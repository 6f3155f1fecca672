#pragma once
// Builds and signs X.509 certificates from a plain description. It checks nothing about business
// rules (profiles live in `ca`/`policy`); it only encodes what it is told.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pki {

/// One RDN of a subject, by OpenSSL short name ("C", "O", "OU", "CN", "serialNumber", "givenName",
/// "SN", "title", "organizationIdentifier") and UTF-8 value. Order is encoding order.
struct SubjectAttribute {
  std::string type;
  std::string value;
};

/// Everything that goes into a certificate.
struct CertificateSpec {
  std::vector<SubjectAttribute> subject;
  std::vector<std::uint8_t> serial;  ///< big-endian, positive (high bit clear), 1–20 bytes
  core::TimePoint not_before;
  core::TimePoint not_after;
  bool is_ca = false;
  std::optional<int> path_length;               ///< basicConstraints pathLenConstraint (CA only)
  std::vector<std::string> key_usage;           ///< "digitalSignature", "nonRepudiation",
                                                ///< "keyEncipherment", "keyAgreement",
                                                ///< "keyCertSign", "cRLSign"
  std::vector<std::string> extended_key_usage;  ///< "serverAuth", "clientAuth", "emailProtection",
                                                ///< "OCSPSigning" or a dotted OID
  std::vector<std::string> dns_names;           ///< subjectAltName dNSName
  std::vector<std::string> ip_addresses;        ///< subjectAltName iPAddress (dev server only)
  std::vector<std::string> email_addresses;     ///< subjectAltName rfc822Name
  std::vector<std::string> policy_oids;         ///< certificatePolicies
  std::vector<std::string> crl_distribution_points;  ///< URIs
};

/// Signs `spec` for `subject_key`'s public key. With `issuer` absent the certificate is
/// self-signed by `issuer_key` (a root). Adds subjectKeyIdentifier and authorityKeyIdentifier.
/// RSA issuers sign with RSA-PSS/SHA-256 if `rsa_pss`, else PKCS#1 v1.5 SHA-256; EC with ECDSA
/// SHA-256 (P-256) or SHA-384 (P-384).
core::Result<Certificate> issueCertificate(const CertificateSpec& spec,
                                           const PrivateKey& subject_key, const Certificate* issuer,
                                           const PrivateKey& issuer_key, bool rsa_pss = false);

}  // namespace pki
