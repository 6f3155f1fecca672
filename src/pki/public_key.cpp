#include "pki/public_key.hpp"

#include <array>
#include <stdexcept>
#include <vector>

#include "core/encoding.hpp"
#include "pki/certificate.hpp"
#include "pki/crypto.hpp"
#include "pki/openssl_support.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

namespace pki {
namespace {

using BnCtxPtr = detail::OpenSslPtr<BN_CTX, BN_CTX_free>;

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

// The curve's OpenSSL name, or empty if the key carries explicit parameters instead of a named
// curve (RFC 5480 §2.1.1: only namedCurve is allowed) or is not an EC key.
std::string namedCurve(const EVP_PKEY* key) {
  char text[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, text, sizeof text,
                                     &length) == 1 &&
      std::string_view(text, length) != OSSL_PKEY_EC_ENCODING_GROUP) {
    return {};
  }
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, text, sizeof text, &length) !=
      1) {
    return {};
  }
  return std::string(text, length);
}

std::vector<std::uint8_t> rsaNumber(const EVP_PKEY* key, const char* parameter) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_is_a(key, "RSA") != 1 || EVP_PKEY_get_bn_param(key, parameter, &number) != 1) {
    return {};
  }
  detail::BigNumPtr owned(number);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(BN_num_bytes(number)));
  BN_bn2bin(number, bytes.data());
  return bytes;
}

// floor(sqrt(n)) by Newton's iteration, starting above the root so that it decreases to it.
detail::BigNumPtr squareRoot(const BIGNUM* n, BN_CTX* ctx) {
  detail::BigNumPtr x(BN_new());
  detail::BigNumPtr y(BN_new());
  BN_zero(x.get());
  if (BN_is_zero(n)) return x;
  BN_set_bit(x.get(), (BN_num_bits(n) + 1) / 2);
  for (;;) {
    BN_div(y.get(), nullptr, n, x.get(), ctx);
    BN_add(y.get(), y.get(), x.get());
    BN_rshift1(y.get(), y.get());
    if (BN_cmp(y.get(), x.get()) >= 0) return x;
    std::swap(x, y);
  }
}

// Whether `x` may be a perfect square, by its residues modulo 64, 63, 65 and 11 (a square is a
// quadratic residue modulo each): fewer than 1 in 100 non-squares get through, so Fermat's
// rounds rarely need a square root (GMP's mpz_perfect_square_p filters alike).
bool mayBeSquare(const BIGNUM* x) {
  static constexpr std::array<unsigned, 4> kModuli{64, 63, 65, 11};
  static const auto residues = [] {
    std::array<std::vector<bool>, kModuli.size()> tables;
    for (std::size_t i = 0; i < kModuli.size(); ++i) {
      tables[i].assign(kModuli[i], false);
      for (unsigned k = 0; k < kModuli[i]; ++k) tables[i][k * k % kModuli[i]] = true;
    }
    return tables;
  }();
  // One division by the product of the moduli (2,882,880) gives all four residues.
  const BN_ULONG remainder = BN_mod_word(x, 64 * 63 * 65 * 11);
  for (std::size_t i = 0; i < kModuli.size(); ++i) {
    if (!residues[i][remainder % kModuli[i]]) return false;
  }
  return true;
}

}  // namespace

bool hasFermatFactorization(std::span<const std::uint8_t> modulus, int rounds) {
  // Fermat: n = a² − b² = (a − b)(a + b); starting at a = ⌈√n⌉, the primes are found after
  // about (p − q)² / (8√n) steps, so only close primes fall within a few rounds (the same test
  // as letsencrypt/boulder goodkey).
  BnCtxPtr ctx(BN_CTX_new());
  detail::BigNumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  if (!ctx || !n || BN_is_zero(n.get())) return false;
  detail::BigNumPtr a = squareRoot(n.get(), ctx.get());
  detail::BigNumPtr square(BN_new());
  detail::BigNumPtr remainder(BN_new());
  BN_sqr(square.get(), a.get(), ctx.get());
  if (BN_cmp(square.get(), n.get()) < 0) BN_add_word(a.get(), 1);
  for (int round = 0; round < rounds; ++round) {
    BN_sqr(square.get(), a.get(), ctx.get());
    BN_sub(remainder.get(), square.get(), n.get());
    if (!mayBeSquare(remainder.get())) {
      BN_add_word(a.get(), 1);
      continue;
    }
    detail::BigNumPtr b = squareRoot(remainder.get(), ctx.get());
    BN_sqr(square.get(), b.get(), ctx.get());
    if (BN_cmp(square.get(), remainder.get()) == 0) return true;
    BN_add_word(a.get(), 1);
  }
  return false;
}

PublicKey PublicKey::of(const PrivateKey& key) {
  // Re-reading the SubjectPublicKeyInfo drops the private half, so nothing that holds a
  // PublicKey can sign with it.
  auto public_key = fromPem(key.publicKeyPem());
  // A token key without a public object has no public half to read (a configuration error).
  if (!public_key) throw std::runtime_error("the private key has no readable public key");
  return std::move(*public_key);
}

core::Result<PublicKey> PublicKey::fromPem(std::string_view pem) {
  detail::BioPtr bio = detail::memoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return detail::opensslError(core::ErrorKind::invalid, "not a PEM public key");
  return PublicKey(share(key));
}

PublicKey PublicKey::ofCertificate(const Certificate& certificate) {
  return PublicKey(share(X509_get_pubkey(certificate.handle())));
}

PublicKey PublicKey::fromHandle(evp_pkey_st* key) {
  EVP_PKEY_up_ref(key);
  return PublicKey(share(key));
}

std::vector<std::uint8_t> PublicKey::toDer() const {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(handle(), &der);
  if (length <= 0) return {};
  std::vector<std::uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  return bytes;
}

std::string PublicKey::sha256Hex() const {
  return core::toHex(sha256(toDer()));
}

KeyAlgorithm PublicKey::algorithm() const {
  if (EVP_PKEY_is_a(handle(), "RSA") == 1) return KeyAlgorithm::rsa;
  if (EVP_PKEY_is_a(handle(), "EC") == 1) return KeyAlgorithm::ec;
  return KeyAlgorithm::other;
}

int PublicKey::bits() const {
  return EVP_PKEY_get_bits(handle());
}

std::vector<std::uint8_t> PublicKey::rsaModulus() const {
  return rsaNumber(handle(), OSSL_PKEY_PARAM_RSA_N);
}

std::vector<std::uint8_t> PublicKey::rsaExponent() const {
  return rsaNumber(handle(), OSSL_PKEY_PARAM_RSA_E);
}

std::string PublicKey::curveName() const {
  return EVP_PKEY_is_a(handle(), "EC") == 1 ? namedCurve(handle()) : std::string();
}

std::string PublicKey::toPem() const {
  detail::BioPtr bio = detail::writableBio();
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), handle()) != 1) return {};
  return detail::bioText(bio.get());
}

std::string PublicKey::description() const {
  return describeKey(handle());
}

bool PublicKey::isRsa() const {
  return EVP_PKEY_is_a(handle(), "RSA") == 1;
}

std::string describeKey(const evp_pkey_st* key) {
  if (EVP_PKEY_is_a(key, "RSA") == 1) return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
  if (EVP_PKEY_is_a(key, "EC") == 1) {
    const std::string name = namedCurve(key);
    if (name.empty()) return "ECDSA " + std::to_string(EVP_PKEY_get_bits(key));
    // NIST names, as PKIoverheid and the CA/B Forum BR §6.1.5 write them.
    if (name == "prime256v1") return "ECDSA P-256";
    if (name == "secp384r1") return "ECDSA P-384";
    if (name == "secp521r1") return "ECDSA P-521";
    return "ECDSA " + name;
  }
  return EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "unknown";
}

}  // namespace pki
