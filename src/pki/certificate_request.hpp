#pragma once
// RAII view of one PKCS#10 certificate signing request (RFC 2986): what a customer uploads to
// order a server certificate. Parsing only; the rules a CSR must meet live in policy/csr_rules.

#include "core/error.hpp"
#include "pki/certificate_builder.hpp"
#include "pki/public_key.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct X509_req_st;

namespace pki {

/// The subjectAltName entries requested in a CSR's extensionRequest (RFC 2985 §5.4.2).
struct RequestedNames {
  std::vector<std::string> dns_names;  ///< dNSName entries, as written
  std::vector<std::string>
      ip_addresses;                ///< iPAddress entries, as text ("192.0.2.1", "2001:db8::1")
  std::vector<std::string> other;  ///< any other type, e.g. "email:a@b.nl", "URI:https://…"
};

/// An immutable PKCS#10 request; copies share the underlying OpenSSL object.
class CertificateRequest {
 public:
  /// Largest accepted input: a CSR with 100 names and a 4096-bit key is about 5 KiB, so anything
  /// far larger is not a CSR worth parsing.
  static constexpr std::size_t max_size = 16 * 1024;
  /// The error message of parse(), fromPem() and fromDer() for input that holds more than one
  /// object (a second PEM block, or bytes after the DER): which one would be meant is unclear.
  static constexpr char kMoreThanOneObject[] = "more than one object in certificate request input";

  /// Parses PEM ("-----BEGIN CERTIFICATE REQUEST-----") or DER, whichever `bytes` is;
  /// ErrorKind::too_large beyond max_size.
  static core::Result<CertificateRequest> parse(std::span<const std::uint8_t> bytes);
  /// Parses one PEM request (also the legacy "NEW CERTIFICATE REQUEST" label); a second PEM
  /// block of any kind is an error (kMoreThanOneObject).
  static core::Result<CertificateRequest> fromPem(std::string_view pem);
  /// Parses one DER request; trailing bytes are an error (kMoreThanOneObject).
  static core::Result<CertificateRequest> fromDer(std::span<const std::uint8_t> der);

  /// PEM text.
  std::string toPem() const;
  /// DER bytes.
  std::vector<std::uint8_t> toDer() const;

  /// True if the request is signed by the private half of its own public key (proof of
  /// possession, RFC 2986 §3).
  bool hasValidSignature() const;
  /// OpenSSL's short name of the digest of the self-signature ("SHA256", "SHA1", "MD5"); "" when
  /// the algorithm names no separate digest (RSA-PSS parameters, Ed25519).
  std::string signatureDigest() const;
  /// Every value of a subject attribute by OpenSSL short or long name ("CN", "O", …), UTF-8, in
  /// order; empty if absent.
  std::vector<std::string> subjectAttributes(std::string_view name) const;
  /// True if the subject is exactly `subject`: the same attributes (compared by OID, so "GN" and
  /// "givenName" are one), with the same UTF-8 values, in the same order, and nothing else.
  bool subjectIs(const std::vector<SubjectAttribute>& subject) const;
  /// The subjectAltName entries of the extensionRequest; empty if there is none.
  RequestedNames requestedNames() const;
  /// The subject's public key; an error if the key cannot be decoded.
  core::Result<PublicKey> publicKey() const;

  /// The OpenSSL object, for the pki and ca layers only.
  X509_req_st* handle() const { return handle_.get(); }

 private:
  explicit CertificateRequest(std::shared_ptr<X509_req_st> handle) : handle_(std::move(handle)) {}
  std::shared_ptr<X509_req_st> handle_;
};

}  // namespace pki
