#pragma once
// RAII view of one X.509 certificate (OpenSSL stays behind this layer: docs/architecture.md).

#include "core/clock.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct x509_st;

namespace pki {

/// An immutable X.509 certificate; copies share the underlying OpenSSL object.
class Certificate {
 public:
  /// Parses one PEM certificate (the first in `pem`).
  static core::Result<Certificate> fromPem(std::string_view pem);
  /// Parses one DER certificate.
  static core::Result<Certificate> fromDer(std::span<const std::uint8_t> der);
  /// Parses every certificate in a PEM bundle, in order; an empty bundle is an error.
  static core::Result<std::vector<Certificate>> chainFromPem(std::string_view pem);
  /// Wraps an OpenSSL certificate, taking a new reference (the caller keeps its own).
  static Certificate fromHandle(x509_st* certificate);

  /// PEM text ("-----BEGIN CERTIFICATE-----…").
  std::string toPem() const;
  /// DER bytes.
  std::vector<std::uint8_t> toDer() const;

  /// Subject DN in RFC 2253 form, e.g. "CN=Jan Jansen,O=Voorbeeld B.V.,C=NL".
  std::string subjectDn() const;
  /// Issuer DN in RFC 2253 form (the key of a CertificateIdentity together with the serialNumber).
  std::string issuerDn() const;
  /// First value of a subject attribute by OpenSSL short or long name ("CN", "serialNumber",
  /// "givenName", "SN", "title", "O", "organizationIdentifier", …), UTF-8.
  std::optional<std::string> subjectAttribute(std::string_view name) const;
  /// Certificate serial number as lower-case hex without leading zeros.
  std::string serialHex() const;
  /// Start of validity.
  core::TimePoint notBefore() const;
  /// End of validity.
  core::TimePoint notAfter() const;
  /// SHA-256 over the DER encoding, lower-case hex (binds sessions to the client certificate).
  std::string sha256Fingerprint() const;
  /// dNSName entries of the subjectAltName extension.
  std::vector<std::string> dnsNames() const;
  /// True if the certificate is a CA (basicConstraints cA=TRUE).
  bool isCa() const;

  /// The OpenSSL object, for the pki and ca layers only.
  x509_st* handle() const { return handle_.get(); }

 private:
  explicit Certificate(std::shared_ptr<x509_st> handle) : handle_(std::move(handle)) {}
  std::shared_ptr<x509_st> handle_;
};

}  // namespace pki
