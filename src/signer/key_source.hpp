#pragma once
// Where the signer's key and certificate come from: PEM files, a PKCS#12 file, or a PKCS#11
// token (a smartcard, SoftHSM2), so that the app doubles as the desktop signer for card holders.

#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"
#include "pki/pkcs11_key.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signer {

/// The key options of the command line; exactly one of key_file, p12_file and pkcs11_uri is set.
struct KeyOptions {
  std::string key_file;    ///< --key: unencrypted PEM private key
  std::string cert_file;   ///< --cert: PEM certificate, optionally followed by its chain
  std::string chain_file;  ///< --chain: more PEM CA certificates to include
  std::string p12_file;    ///< --p12: PKCS#12 with key, certificate and chain
  std::optional<std::string> password;  ///< --password
  std::string password_env;             ///< --password-env: variable holding the password
  std::string pkcs11_uri;               ///< --pkcs11: pkcs11:token=NAME;object=LABEL
  std::string module;                   ///< --module: the PKCS#11 library
  std::string pin_env;                  ///< --pin-env: variable holding the PIN
};

/// What an RFC 7512 PKCS#11 URI selects.
struct Pkcs11Uri {
  std::string token;        ///< token label
  std::string object;       ///< key (and certificate) label
  std::string module_path;  ///< from the query attribute module-path; empty if absent
};

/// Parses `pkcs11:token=NAME;object=LABEL[;type=private][?module-path=PATH]` (percent-encoding
/// decoded; informational attributes such as manufacturer or serial ignored). A PIN in the URI
/// (pin-value, pin-source) or a selection by id only is refused: invalid with the reason.
core::Result<Pkcs11Uri> parsePkcs11Uri(std::string_view uri);

/// A key with its certificate and chain, ready to sign.
struct SigningIdentity {
  std::unique_ptr<pki::Pkcs11Key> token;  ///< the token session of a PKCS#11 key; outlives `key`
  pki::PrivateKey key;
  pki::Certificate certificate;
  std::vector<pki::Certificate> chain;
};

/// The value of environment variable `name` (named by `option`); invalid if unset.
core::Result<std::string> environmentValue(const std::string& name, std::string_view option);

/// Loads the identity the options name. Errors say what is wrong: a missing or unreadable file,
/// a wrong PKCS#12 password, an unset variable, a refused PIN, a key that does not belong to the
/// certificate.
core::Result<SigningIdentity> loadIdentity(const KeyOptions& options);

}  // namespace signer
