#pragma once
// A private key inside a PKCS#11 token (an HSM for the CA, a smartcard or SoftHSM2 for the
// signer app), opened through libp11: signing happens in the token; the key never leaves it.

#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"

#include <memory>
#include <optional>
#include <string>

namespace pki {

/// Where a key in a PKCS#11 token is found.
struct Pkcs11KeyLocation {
  std::string module;       ///< the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so
  std::string token_label;  ///< CKA_LABEL of the token
  std::string key_label;    ///< CKA_LABEL of the private key (and of its certificate, if any)
  std::string pin;          ///< user PIN (from an environment variable, never a file or argument)
};

/// A logged-in token session and the key found in it.
class Pkcs11Key {
 public:
  /// Loads the module, logs in to the token and finds the key; ErrorKind::unavailable naming the
  /// step that failed ("PKCS#11: login refused", "PKCS#11: no key labelled …", …).
  static core::Result<std::unique_ptr<Pkcs11Key>> open(const Pkcs11KeyLocation& location);
  ~Pkcs11Key();
  Pkcs11Key(const Pkcs11Key&) = delete;
  Pkcs11Key& operator=(const Pkcs11Key&) = delete;

  /// The token key; it and its copies are usable as long as this object lives.
  const PrivateKey& key() const { return *key_; }
  /// The certificate object on the token with the key's label, if there is one.
  const std::optional<Certificate>& certificate() const { return certificate_; }

 private:
  struct Session;
  Pkcs11Key(std::unique_ptr<Session> session, PrivateKey key,
            std::optional<Certificate> certificate);
  std::unique_ptr<Session> session_;
  std::optional<PrivateKey> key_;
  std::optional<Certificate> certificate_;
};

}  // namespace pki
