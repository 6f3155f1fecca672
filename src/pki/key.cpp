#include "pki/key.hpp"

#include "pki/openssl_support.hpp"

#include <openssl/pem.h>

#include <stdexcept>

namespace pki {
namespace {

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

// Keys are read unencrypted only: without this callback OpenSSL would prompt on the terminal.
int refusePassphrase(char*, int, int, void*) {
  return -1;
}

EVP_PKEY* generateKey(KeyType type) {
  switch (type) {
    case KeyType::ec_p256:
      return EVP_EC_gen("P-256");
    case KeyType::ec_p384:
      return EVP_EC_gen("P-384");
    case KeyType::rsa_2048:
      return EVP_RSA_gen(2048);
    case KeyType::rsa_3072:
      return EVP_RSA_gen(3072);
    case KeyType::rsa_4096:
      return EVP_RSA_gen(4096);
  }
  return nullptr;
}

}  // namespace

PrivateKey PrivateKey::generate(KeyType type) {
  EVP_PKEY* key = generateKey(type);
  // Only a broken crypto library fails here; callers cannot do anything sensible about it.
  if (key == nullptr) {
    throw std::runtime_error(
        detail::opensslError(core::ErrorKind::internal, "key generation failed").message);
  }
  return PrivateKey(share(key));
}

core::Result<PrivateKey> PrivateKey::fromPem(std::string_view pem) {
  detail::BioPtr bio = detail::memoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr);
  if (key == nullptr)
    return detail::opensslError(core::ErrorKind::invalid, "not a PEM private key");
  return PrivateKey(share(key));
}

std::string PrivateKey::toPem() const {
  detail::BioPtr bio = detail::writableBio();
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), handle(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return {};
  }
  return detail::bioText(bio.get());
}

std::string PrivateKey::publicKeyPem() const {
  detail::BioPtr bio = detail::writableBio();
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), handle()) != 1) return {};
  return detail::bioText(bio.get());
}

PrivateKey PrivateKey::fromHandle(evp_pkey_st* key) {
  EVP_PKEY_up_ref(key);
  return PrivateKey(share(key));
}

}  // namespace pki
