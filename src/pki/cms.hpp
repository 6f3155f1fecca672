#pragma once
// Verifying CMS (PKCS#7, RFC 5652) detached signatures over an order document (PRODUCT.md §4), as
// made by `openssl cms -sign -binary -in order.txt -signer me.crt -inkey me.key -outform DER`.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "pki/certificate.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct x509_store_st;

namespace pki {

/// Largest signature accepted: a signer certificate with its whole chain fits many times over.
inline constexpr std::size_t kMaxSignatureBytes = 64 * 1024;

/// The CAs a signer certificate must chain to and the CRLs of every CA in that chain; only these
/// files, never the system store (PRODUCT.md §3, §4). Copies share one store; thread-safe.
class SignatureTrust {
 public:
  /// Loads a PEM CA bundle and PEM CRL files (the client CA bundle and CRLs of the TLS login).
  static core::Result<SignatureTrust> fromFiles(const std::string& ca_file,
                                                const std::vector<std::string>& crl_files);

  /// The OpenSSL store, for the pki layer only.
  x509_store_st* handle() const { return store_.get(); }

 private:
  explicit SignatureTrust(std::shared_ptr<x509_store_st> store) : store_(std::move(store)) {}
  std::shared_ptr<x509_store_st> store_;
};

/// A signature that verified: over the document, by a trusted signer fit for signing.
struct VerifiedSignature {
  Certificate signer;
  std::vector<Certificate> certificates;        ///< every certificate included in the signature
  std::optional<core::TimePoint> signing_time;  ///< the signingTime attribute, if signed
};

/// Verifies a DER or PEM ("CMS"/"PKCS7") signature over exactly `document`'s bytes (no MIME
/// canonicalisation): one signer, SHA-2 digest, signature and messageDigest; the signer's chain
/// with validity and revocation (CRLs for every CA) at `at`; key usage fit for signing. Embedded
/// content is accepted only if it equals `document`. Refusals are ErrorKind::invalid (too_large
/// for oversized input) with a message key on field "signature": signature.unreadable,
/// .too_large, .signer_count, .no_certificate, .weak_algorithm, .document_mismatch, .untrusted,
/// .expired, .revoked, .revocation_unknown, .wrong_usage, .invalid.
core::Result<VerifiedSignature> verifyDetachedSignature(std::string_view signature,
                                                        std::string_view document,
                                                        const SignatureTrust& trust,
                                                        core::TimePoint at);

}  // namespace pki
