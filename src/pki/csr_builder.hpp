#pragma once
// Making a PKCS#10 certificate signing request (RFC 2986) for a fresh key: what the signer app
// sends to enrol a mobile certificate (docs/mobile-protocol.md §Enrolment), and what the demo card
// bureau hands the CA per certificate of a card (docs/card-production.md).

#include "core/error.hpp"
#include "pki/certificate_builder.hpp"
#include "pki/certificate_request.hpp"
#include "pki/key.hpp"

#include <string_view>
#include <vector>

namespace pki {

/// A request with subject CN=`common_name` for `key`'s public key, self-signed with `key`
/// (SHA-256; SHA-384 for P-384). The portal ignores the subject; the signature proves possession.
core::Result<CertificateRequest> buildCertificateRequest(const PrivateKey& key,
                                                         std::string_view common_name);
/// A request with exactly `subject` (in that order) for `key`'s public key, self-signed with
/// `key`.
core::Result<CertificateRequest> buildCertificateRequest(
    const PrivateKey& key, const std::vector<SubjectAttribute>& subject);

}  // namespace pki
