#pragma once
// Builds and signs X.509 certificates from a plain description. It checks nothing about business
// rules (profiles live in `ca`/`policy`); it only encodes what it is told.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"
#include "pki/public_key.hpp"

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

/// A certificate that is built but not signed yet: the CA checks it against its product profile
/// before anything is signed (Boulder's ca.go order: build → check → sign).
class UnsignedCertificate {
 public:
  /// A read-only view for checks (readContents, subjectDn, …); its signature is empty.
  const Certificate& view() const { return certificate_; }
  /// SHA-256 (hex) of the DER of the to-be-signed part, recorded before signing.
  std::string tbsSha256() const;

 private:
  friend core::Result<UnsignedCertificate> buildCertificate(const CertificateSpec&,
                                                            const PublicKey&, const Certificate&);
  friend core::Result<Certificate> signCertificate(UnsignedCertificate, const Certificate&,
                                                   const PrivateKey&, bool);
  explicit UnsignedCertificate(Certificate certificate) : certificate_(std::move(certificate)) {}
  Certificate certificate_;
};

/// Builds `spec` for `subject_key` below `issuer`, unsigned.
core::Result<UnsignedCertificate> buildCertificate(const CertificateSpec& spec,
                                                   const PublicKey& subject_key,
                                                   const Certificate& issuer);

/// Signs a built certificate with `issuer_key` (a key file or a token key, see ca::Signer) and
/// verifies the signature with `issuer`'s public key, so that a wrong key or a faulty token
/// never yields a certificate that relying parties would reject.
core::Result<Certificate> signCertificate(UnsignedCertificate certificate,
                                          const Certificate& issuer, const PrivateKey& issuer_key,
                                          bool rsa_pss);

}  // namespace pki
