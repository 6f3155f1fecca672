#include "ra/order_signature.hpp"

#include "policy/certificate_identity.hpp"

#include <algorithm>

namespace ra {

core::Result<OrderSignatureVerifier> OrderSignatureVerifier::create(
    const pki::ServerTlsSettings& tls, const core::Clock& clock) {
  auto trust = pki::SignatureTrust::fromFiles(tls.client_ca_file, tls.crl_files);
  if (!trust) return trust.error();
  return OrderSignatureVerifier(tls, std::move(*trust), clock);
}

OrderSignatureVerifier::OrderSignatureVerifier(pki::ServerTlsSettings files,
                                               pki::SignatureTrust trust, const core::Clock& clock)
    : files_(std::move(files)),
      trust_(std::make_shared<const pki::SignatureTrust>(std::move(trust))),
      clock_(clock) {}

OrderSignatureVerifier::OrderSignatureVerifier(OrderSignatureVerifier&& other) noexcept
    : files_(std::move(other.files_)), trust_(other.current()), clock_(other.clock_) {}

std::shared_ptr<const pki::SignatureTrust> OrderSignatureVerifier::current() const {
  std::lock_guard lock(mutex_);
  return trust_;
}

core::Result<void> OrderSignatureVerifier::reload() {
  auto trust = pki::SignatureTrust::fromFiles(files_.client_ca_file, files_.crl_files);
  if (!trust) return trust.error();
  auto fresh = std::make_shared<const pki::SignatureTrust>(std::move(*trust));
  std::lock_guard lock(mutex_);
  trust_ = std::move(fresh);
  return {};
}

core::Result<SignatureEvidence> OrderSignatureVerifier::verifySigner(
    std::string_view document, std::string_view signature) const {
  // Validity and revocation are judged now, when the signature reaches us, not at the signer's
  // own signingTime claim: a backdated claim must not hide a revocation (PRODUCT.md §4).
  const core::TimePoint now = clock_.now();
  // Replay of another order's signature fails here as a document mismatch: every order document
  // holds its own order number and a nonce, so no two orders share signed bytes.
  auto verified = pki::verifyDetachedSignature(signature, document, *current(), now);
  if (!verified) return verified.error();
  const auto identity = policy::identityOf(verified->signer);
  if (!identity)
    return core::makeError(core::ErrorKind::invalid, "signature.other_person",
                           {{"signature", "signature.other_person"}});
  return SignatureEvidence{verified->signer.toPem(), *identity, now, verified->signing_time,
                           verified->signer.sha256Fingerprint()};
}

core::Result<SignatureEvidence> OrderSignatureVerifier::verify(
    std::string_view document, std::string_view signature,
    std::span<const core::CertificateIdentity> identities) const {
  auto evidence = verifySigner(document, signature);
  if (!evidence) return evidence.error();
  // Same person as the logged-in user: issuer DN + subject serialNumber, stable across card
  // renewals (PRODUCT.md §3), so any of the person's registered certificates may sign.
  if (std::ranges::find(identities, evidence->identity) == identities.end())
    return core::makeError(core::ErrorKind::invalid, "signature.other_person",
                           {{"signature", "signature.other_person"}});
  return evidence;
}

}  // namespace ra
