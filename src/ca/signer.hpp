#pragma once
// Where an issuing CA's private key lives. The CA never touches key material itself: it asks a
// Signer for a signing key, which is a key read from a PEM file or a handle to a key inside a
// PKCS#11 token (libp11; SoftHSM2 in tests, an HSM in production). See docs/adr/0004.

#include "core/error.hpp"
#include "pki/key.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

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
struct Pkcs11Settings {
  std::string module;       ///< the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so
  std::string token_label;  ///< CKA_LABEL of the token
  std::string key_label;    ///< CKA_LABEL of the private key
  std::string pin;          ///< user PIN (from an environment variable, never the config file)
};

/// A key inside a PKCS#11 token: signing happens in the token; the key never leaves it.
class Pkcs11Signer final : public Signer {
 public:
  /// Loads the module, logs in to the token and finds the key; unavailable if any step fails.
  static core::Result<std::unique_ptr<Pkcs11Signer>> open(const Pkcs11Settings& settings);
  ~Pkcs11Signer() override;
  Pkcs11Signer(const Pkcs11Signer&) = delete;
  Pkcs11Signer& operator=(const Pkcs11Signer&) = delete;
  const pki::PrivateKey& key() const override { return *key_; }

 private:
  struct Session;
  Pkcs11Signer(std::unique_ptr<Session> session, pki::PrivateKey key);
  std::unique_ptr<Session> session_;
  std::optional<pki::PrivateKey> key_;
};

}  // namespace ca
