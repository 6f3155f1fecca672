#pragma once
// Making CMS (PKCS#7, RFC 5652) detached signatures over a document, the counterpart of
// pki/cms.hpp: what `openssl cms -sign -binary -md sha256 -outform DER` writes. Used by the
// reference signer app (docs/mobile-protocol.md) to answer login and signing requests.

#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace pki {

/// A DER CMS SignedData over exactly `document`'s bytes (no MIME canonicalisation), content
/// detached: SHA-256, signed attributes (content type, signing time, message digest), `signer`
/// and `chain` included. `key` may live in a token (pki/pkcs11_key.hpp). A key that does not
/// belong to `signer` is ErrorKind::invalid; other failures are ErrorKind::internal.
core::Result<std::vector<std::uint8_t>> signDetached(std::string_view document,
                                                     const Certificate& signer,
                                                     const PrivateKey& key,
                                                     std::span<const Certificate> chain);

}  // namespace pki
