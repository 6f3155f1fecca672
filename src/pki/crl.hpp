#pragma once
// Certificate revocation lists.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pki {

/// One revoked certificate as listed on a CRL.
struct RevokedCertificate {
  std::string serial_hex;  ///< as Certificate::serialHex()
  core::TimePoint revoked_at;
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
