#pragma once
// The one key check of every path that certifies a key (ADR 0024): server orders, mobile
// enrolment, card CSRs, and the CA itself at the moment of signing. It applies policy's rules
// with the keys known to be bad as they are now: the Servicedesk's blocklist (read per check,
// so a key blocked after ordering is refused at issuance) and the Debian weak keys loaded at
// start-up (config `ca.weak_keys_file`).

#include "core/error.hpp"
#include "pki/certificate_request.hpp"
#include "pki/public_key.hpp"
#include "policy/csr_rules.hpp"
#include "policy/weak_keys.hpp"
#include "storage/blocked_keys.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace ca {

/// A CSR whose envelope and key passed (for CSRs that carry a key only: mobile, cards).
struct CheckedRequest {
  pki::CertificateRequest request;
  pki::PublicKey public_key;
};

/// Checks keys and CSRs against policy and the current lists of bad keys.
class KeyCheck {
 public:
  /// Reads the blocklist from `blocked` at each check; `debian` outlives this object.
  KeyCheck(storage::BlockedKeyRepository& blocked, const policy::DebianWeakKeys& debian)
      : blocked_(blocked), debian_(debian) {}

  /// policy::checkPublicKey with the current lists: invalid on field "csr" with a "csr." key.
  core::Result<void> checkKey(const pki::PublicKey& key) const;
  /// policy::checkCsr with the current lists: a server CSR with its names.
  core::Result<policy::CheckedCsr> checkServerCsr(std::span<const std::uint8_t> csr) const;
  /// A CSR that only carries a key (mobile enrolment, card CSRs): policy::readCsr (one object, a
  /// valid signature without SHA-1/MD5) and checkKey; its subject and names are not looked at.
  core::Result<CheckedRequest> checkKeyRequest(std::span<const std::uint8_t> csr) const;
  /// The same for a CSR given as text (PEM, or DER bytes in a string).
  core::Result<CheckedRequest> checkKeyRequest(std::string_view csr) const;

 private:
  core::Result<policy::KnownBadKeys> known() const;

  storage::BlockedKeyRepository& blocked_;
  const policy::DebianWeakKeys& debian_;
};

}  // namespace ca
