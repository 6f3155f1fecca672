#pragma once
// The rules a certificate signing request must meet before it can be ordered (PRODUCT.md §8):
// a readable PKCS#10 with a valid self-signature, an allowed and not weak key, and only DNS names
// that a publicly trusted server certificate may carry (CA/Browser Forum BR §7.1.2.7.12,
// §7.1.4.3). Modelled on letsencrypt/boulder goodkey (keys) and policy (names). Every failure is
// ErrorKind::invalid (too_large for oversized input) with field "csr" and a message key under
// "csr." that names the problem and its fix (src/web/messages/*/csr.toml).

#include "core/error.hpp"
#include "pki/certificate_request.hpp"
#include "pki/public_key.hpp"
#include "policy/weak_keys.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace policy {

/// Most subjectAltNames in one server certificate (PRODUCT.md §8).
inline constexpr std::size_t kMaxSans = 100;
/// Fermat steps tried on an RSA modulus (boulder goodkey uses the same order of magnitude).
inline constexpr int kFermatRounds = 100;

/// SHA-256 hashes (lower-case hex, pki::PublicKey::sha256Hex) of SubjectPublicKeyInfos known to
/// be compromised, kept by the Servicedesk.
using KeyBlocklist = std::set<std::string>;

/// The keys known to be bad beyond what a key shows by itself (ADR 0024). ca::KeyCheck fills it
/// with the current blocklist and the Debian weak keys loaded at start-up: use that, not this,
/// outside tests.
struct KnownBadKeys {
  KeyBlocklist blocklist;                  ///< the Servicedesk's blocklist
  const DebianWeakKeys* debian = nullptr;  ///< the Debian weak keys; nullptr: none
};

/// A CSR that passed every rule, with what the order needs from it.
struct CheckedCsr {
  pki::CertificateRequest request;
  pki::PublicKey public_key;
  std::vector<std::string> dns_names;      ///< lower-case, in the order of the CSR
  std::optional<std::string> common_name;  ///< lower-case; always one of dns_names
  std::string key_description;             ///< "ECDSA P-256", "RSA 3072"
  std::string key_sha256;                  ///< of the SubjectPublicKeyInfo, lower-case hex
};

/// Reads a CSR (PEM or DER, at most pki::CertificateRequest::max_size bytes) and checks what
/// every CSR must meet whatever it is for: exactly one object, a self-signature that verifies
/// (proof of possession, RFC 2986 §3) and is made with neither SHA-1 nor MD5 (BR §7.1.3.2).
core::Result<pki::CertificateRequest> readCsr(std::span<const std::uint8_t> input);

/// Checks an uploaded server CSR: readCsr, checkPublicKey and the names.
core::Result<CheckedCsr> checkCsr(std::span<const std::uint8_t> input, const KnownBadKeys& known);

/// Checks a subject key: RSA 2048/3072/4096 with e = 65537 or ECDSA on the named curves P-256 or
/// P-384 (BR §6.1.5, §6.1.6), not weak (small factors, Fermat-close primes, ROCA), not a Debian
/// weak key (BR §6.1.1.3) and not blocklisted.
core::Result<void> checkPublicKey(const pki::PublicKey& key, const KnownBadKeys& known);

/// Checks one requested DNS name (given lower-case): LDH syntax, lengths, no wildcard, no IP
/// address, no internal name (BR §7.1.2.7.12, §4.2.2), and every "xn--" label a valid A-label
/// (IDNA2008, RFC 5891 §5.4: it decodes, and the U-label encodes back to exactly that label).
core::Result<void> checkDnsName(std::string_view name);

/// Refuses a renewal that keeps the key of the certificate it renews (a renewal replaces the key).
core::Result<void> checkRenewalKey(std::string_view new_key_sha256,
                                   std::string_view old_key_sha256);

/// Refuses a server key that is the key of the user's own login certificate: a personal key must
/// never end up on a server.
core::Result<void> checkNotLoginKey(std::string_view new_key_sha256,
                                    std::string_view login_key_sha256);

}  // namespace policy
