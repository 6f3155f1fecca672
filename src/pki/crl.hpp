#pragma once
// Certificate revocation lists.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"

#include <cstdint>
#include <span>
#include <string>
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

}  // namespace pki
