#pragma once
// The public half of a key pair, e.g. from a CSR: what the CA puts into a certificate it
// signs without ever seeing the subject's private key.

#include "core/error.hpp"
#include "pki/key.hpp"

#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace pki {

/// A public key; copies share the OpenSSL object.
class PublicKey {
 public:
  /// The public half of `key`.
  static PublicKey of(const PrivateKey& key);
  /// Reads a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  static core::Result<PublicKey> fromPem(std::string_view pem);
  /// SubjectPublicKeyInfo PEM.
  std::string toPem() const;
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

/// Algorithm and size of an OpenSSL key: "ECDSA P-256", "RSA 3072" (pki/ca only).
std::string describeKey(const evp_pkey_st* key);

}  // namespace pki
