#include "pki/public_key.hpp"

#include "pki/openssl_support.hpp"

#include <openssl/core_names.h>
#include <openssl/pem.h>

namespace pki {
namespace {

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

}  // namespace

PublicKey PublicKey::of(const PrivateKey& key) {
  // Re-reading the SubjectPublicKeyInfo drops the private half, so nothing that holds a
  // PublicKey can sign with it.
  return *fromPem(key.publicKeyPem());
}

core::Result<PublicKey> PublicKey::fromPem(std::string_view pem) {
  detail::BioPtr bio = detail::memoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return detail::opensslError(core::ErrorKind::invalid, "not a PEM public key");
  return PublicKey(share(key));
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
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &length) != 1) {
      return "ECDSA " + std::to_string(EVP_PKEY_get_bits(key));
    }
    const std::string name(group, length);
    // NIST names, as PKIoverheid and the CA/B Forum BR §6.1.5 write them.
    if (name == "prime256v1") return "ECDSA P-256";
    if (name == "secp384r1") return "ECDSA P-384";
    if (name == "secp521r1") return "ECDSA P-521";
    return "ECDSA " + name;
  }
  return EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "unknown";
}

}  // namespace pki
