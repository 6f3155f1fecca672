#pragma once
// The public half of a key pair, e.g. from a CSR: what the CA puts into a certificate it
// signs without ever seeing the subject's private key.

#include "core/error.hpp"
#include "pki/key.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;

namespace pki {

class Certificate;

/// The key algorithms the CSR rules tell apart (PRODUCT.md §8); everything else is `other`.
enum class KeyAlgorithm { rsa, ec, other };

/// A public key; copies share the OpenSSL object.
class PublicKey {
 public:
  /// The public half of `key`.
  static PublicKey of(const PrivateKey& key);
  /// Reads a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  static core::Result<PublicKey> fromPem(std::string_view pem);
  /// The subject key of `certificate`.
  static PublicKey ofCertificate(const Certificate& certificate);
  /// Wraps an OpenSSL key, taking a new reference (the caller keeps its own).
  static PublicKey fromHandle(evp_pkey_st* key);
  /// SubjectPublicKeyInfo PEM.
  std::string toPem() const;
  /// SubjectPublicKeyInfo DER.
  std::vector<std::uint8_t> toDer() const;
  /// SHA-256 of the SubjectPublicKeyInfo DER, lower-case hex: compares keys across certificates,
  /// CSRs and the blocklist of compromised keys.
  std::string sha256Hex() const;
  /// RSA, EC or other (DSA, Ed25519, …).
  KeyAlgorithm algorithm() const;
  /// Size in bits (the modulus length for RSA, the field size for EC).
  int bits() const;
  /// RSA modulus n, big-endian without leading zeros; empty for other keys.
  std::vector<std::uint8_t> rsaModulus() const;
  /// RSA public exponent e, big-endian without leading zeros; empty for other keys.
  std::vector<std::uint8_t> rsaExponent() const;
  /// OpenSSL name of a named EC curve ("prime256v1", "secp384r1"); empty for explicit curve
  /// parameters and for other keys.
  std::string curveName() const;
  /// Algorithm and size as shown to people: "ECDSA P-256", "RSA 3072".
  std::string description() const;
  /// True for an RSA key (the profile then also allows keyEncipherment).
  bool isRsa() const;
  /// The OpenSSL object, for the pki and ca layers only.
  evp_pkey_st* handle() const { return handle_.get(); }

 private:
  explicit PublicKey(std::shared_ptr<evp_pkey_st> handle) : handle_(std::move(handle)) {}
  std::shared_ptr<evp_pkey_st> handle_;
};

/// True if Fermat's method factors the RSA modulus `modulus` (big-endian) within `rounds`
/// steps, i.e. its primes are so close together that the key is broken.
bool hasFermatFactorization(std::span<const std::uint8_t> modulus, int rounds);

/// Algorithm and size of an OpenSSL key: "ECDSA P-256", "RSA 3072" (pki/ca only).
std::string describeKey(const evp_pkey_st* key);

}  // namespace pki
