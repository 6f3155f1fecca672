#pragma once
// Certificate revocation lists.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pki {

/// Why a certificate was revoked: the CRLReason codes of RFC 5280 §5.3.1 (7 is not used).
enum class RevocationReason {
  unspecified = 0,
  key_compromise = 1,
  ca_compromise = 2,
  affiliation_changed = 3,
  superseded = 4,
  cessation_of_operation = 5,
  certificate_hold = 6,
  remove_from_crl = 8,
  privilege_withdrawn = 9,
  aa_compromise = 10,
};

/// The reason of an RFC 5280 name ("keyCompromise", "cACompromise", …); nullopt for any other.
std::optional<RevocationReason> revocationReasonFromName(std::string_view name);

/// One revoked certificate as listed on a CRL.
struct RevokedCertificate {
  std::string serial_hex;  ///< as Certificate::serialHex()
  core::TimePoint revoked_at;
  /// The entry's reasonCode extension; left out for unspecified, as RFC 5280 §5.3.1 asks.
  RevocationReason reason = RevocationReason::unspecified;
};

/// Issues a v2 CRL (with CRL number and authority key identifier), PEM encoded.
core::Result<std::string> issueCrl(const Certificate& issuer, const PrivateKey& issuer_key,
                                   std::span<const RevokedCertificate> revoked,
                                   core::TimePoint this_update, core::TimePoint next_update,
                                   std::int64_t crl_number);

/// The DER encoding of a PEM CRL (what `/crl/<ca>.crl` serves: RFC 5280 §4.2.1.13 CRLs are
/// fetched as DER, `application/pkix-crl`, RFC 2585 §4.2).
core::Result<std::vector<std::uint8_t>> crlPemToDer(std::string_view pem);

}  // namespace pki
