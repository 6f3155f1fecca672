#pragma once
// Where an issuing CA's private key lives. The CA never touches key material itself: it asks a
// Signer for a signing key, which is a key read from a PEM file or a handle to a key inside a
// PKCS#11 token (libp11; SoftHSM2 in tests, an HSM in production). See docs/adr/0004.

#include "core/error.hpp"
#include "pki/key.hpp"
#include "pki/pkcs11_key.hpp"

#include <filesystem>
#include <memory>

namespace ca {

/// A source of the issuing key.
class Signer {
 public:
  virtual ~Signer() = default;
  /// The key that signs certificates and CRLs; valid as long as the Signer lives.
  virtual const pki::PrivateKey& key() const = 0;
};

/// A key read from an unencrypted PEM file (development, or a key protected by the host).
class KeyFileSigner final : public Signer {
 public:
  /// Reads the key; invalid naming the file if it is unreadable or not a key.
  static core::Result<std::unique_ptr<KeyFileSigner>> open(const std::filesystem::path& file);
  const pki::PrivateKey& key() const override { return key_; }

 private:
  explicit KeyFileSigner(pki::PrivateKey key) : key_(std::move(key)) {}
  pki::PrivateKey key_;
};

/// Where a key in a PKCS#11 token is found.
using Pkcs11Settings = pki::Pkcs11KeyLocation;

/// A key inside a PKCS#11 token: signing happens in the token; the key never leaves it.
class Pkcs11Signer final : public Signer {
 public:
  /// Loads the module, logs in to the token and finds the key; unavailable if any step fails.
  static core::Result<std::unique_ptr<Pkcs11Signer>> open(const Pkcs11Settings& settings);
  const pki::PrivateKey& key() const override { return token_->key(); }

 private:
  explicit Pkcs11Signer(std::unique_ptr<pki::Pkcs11Key> token) : token_(std::move(token)) {}
  std::unique_ptr<pki::Pkcs11Key> token_;
};

}  // namespace ca
