#pragma once
// Key pairs: generation for the dev PKI and the CA, PEM import/export.

#include "core/error.hpp"

#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace pki {

/// Kinds of key the project generates.
enum class KeyType { ec_p256, ec_p384, rsa_2048, rsa_3072, rsa_4096 };

/// A private key (and its public half); copies share the OpenSSL object.
class PrivateKey {
 public:
  /// Generates a fresh key pair.
  static PrivateKey generate(KeyType type);
  /// Reads an unencrypted PKCS#8 or traditional PEM private key.
  static core::Result<PrivateKey> fromPem(std::string_view pem);
  /// PKCS#8 PEM, unencrypted (files are protected by permissions: 0600).
  std::string toPem() const;
  /// SubjectPublicKeyInfo PEM of the public half.
  std::string publicKeyPem() const;
  /// The OpenSSL object, for the pki and ca layers only.
  evp_pkey_st* handle() const { return handle_.get(); }
  /// Wraps an OpenSSL key, taking a new reference.
  static PrivateKey fromHandle(evp_pkey_st* key);

 private:
  explicit PrivateKey(std::shared_ptr<evp_pkey_st> handle) : handle_(std::move(handle)) {}
  std::shared_ptr<evp_pkey_st> handle_;
};

}  // namespace pki
