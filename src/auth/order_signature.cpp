#include "auth/order_signature.hpp"

#include "policy/certificate_identity.hpp"

#include <algorithm>

namespace auth {

core::Result<OrderSignatureVerifier> OrderSignatureVerifier::create(
    const pki::ServerTlsSettings& tls, const core::Clock& clock) {
  auto trust = pki::SignatureTrust::fromFiles(tls.client_ca_file, tls.crl_files);
  if (!trust) return trust.error();
  return OrderSignatureVerifier(std::move(*trust), clock);
}

core::Result<SignatureEvidence> OrderSignatureVerifier::verifySigner(
    std::string_view document, std::string_view signature) const {
  // Validity and revocation are judged now, when the signature reaches us, not at the signer's
  // own signingTime claim: a backdated claim must not hide a revocation (PRODUCT.md §4).
  const core::TimePoint now = clock_.now();
  // Replay of another order's signature fails here as a document mismatch: every order document
  // holds its own order number and a nonce, so no two orders share signed bytes.
  auto verified = pki::verifyDetachedSignature(signature, document, trust_, now);
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

}  // namespace auth
