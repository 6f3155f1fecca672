#pragma once
// Who signed an order (PRODUCT.md §4): a CMS detached signature over the order document, by a
// trusted certificate fit for signing, of the same person as the logged-in user.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "pki/cms.hpp"
#include "pki/tls.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ra {

/// What is kept as evidence of a verified order signature, next to the document and signature.
struct SignatureEvidence {
  std::string signer_certificate_pem;
  core::CertificateIdentity identity;  ///< issuer DN + subject serialNumber of the signer
  core::TimePoint verified_at;         ///< when chain, validity and revocation were checked (now)
  std::optional<core::TimePoint> claimed_signing_time;  ///< the signer's signingTime attribute
  std::string signer_fingerprint;  ///< SHA-256 (hex) of the signer certificate's DER
};

/// Verifies uploaded order signatures against the same trust as the TLS login.
class OrderSignatureVerifier {
 public:
  /// Trusts the client CA bundle and CRLs of `tls` (the files of the certificate login).
  static core::Result<OrderSignatureVerifier> create(const pki::ServerTlsSettings& tls,
                                                     const core::Clock& clock);

  /// Verifies `signature` (DER or PEM) over exactly `document` at the clock's now, whoever the
  /// signer is (mobile login maps the signer to a person afterwards). Refusals carry a key on
  /// field "signature": those of pki::verifyDetachedSignature. Changes nothing.
  core::Result<SignatureEvidence> verifySigner(std::string_view document,
                                               std::string_view signature) const;
  /// verifySigner, and the signer is one of `identities` (the logged-in person's registered
  /// certificate identities): else signature.other_person.
  core::Result<SignatureEvidence> verify(
      std::string_view document, std::string_view signature,
      std::span<const core::CertificateIdentity> identities) const;
  /// Re-reads the CA bundle and CRLs (after a new CRL arrived); on failure the trust in use
  /// stays. Verifications under way finish with the trust they started with.
  core::Result<void> reload();

  OrderSignatureVerifier(OrderSignatureVerifier&& other) noexcept;

 private:
  OrderSignatureVerifier(pki::ServerTlsSettings files, pki::SignatureTrust trust,
                         const core::Clock& clock);
  std::shared_ptr<const pki::SignatureTrust> current() const;

  pki::ServerTlsSettings files_;
  mutable std::mutex mutex_;
  std::shared_ptr<const pki::SignatureTrust> trust_;  ///< guarded by mutex_
  const core::Clock& clock_;
};

}  // namespace ra
