#pragma once
// The Debian weak keys (CVE-2008-0166; CA/Browser Forum BR §6.1.1.3: a CA rejects a request for a
// key "known to be weak", such as a Debian weak key): RSA keys made by Debian's OpenSSL 0.9.8c-1
// to 0.9.8g-9, whose only randomness was the process id. The list is kept as other CAs and
// Debian's openssl-blacklist package keep it (ADR 0024): one line per key, the last 20 hex digits
// of SHA-1("Modulus=<MODULUS IN UPPER-CASE HEX>\n"), '#' starts a comment. A truncated hash names
// a modulus without the list holding the keys themselves.

#include "core/error.hpp"
#include "pki/public_key.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace policy {

/// The fingerprints of known Debian weak RSA keys.
class DebianWeakKeys {
 public:
  /// Hex digits kept of each SHA-1 (as openssl-blacklist: 80 bits).
  static constexpr std::size_t kFingerprintLength = 20;
  /// The comment a new list file starts with.
  static constexpr char kHeader[] =
      "# Debian weak keys (CVE-2008-0166), openssl-blacklist format: per RSA key the last 20 hex\n"
      "# digits of SHA-1(\"Modulus=<upper-case hex>\\n\"). Add keys with `mijncert keys "
      "import-weak`.\n";

  /// The fingerprint of an RSA modulus given big-endian.
  static std::string fingerprintOfModulus(std::span<const std::uint8_t> modulus);
  /// Reads a list: fingerprints (any case), blank lines and '#' comments; invalid "line N: …" on
  /// anything else.
  static core::Result<DebianWeakKeys> parse(std::string_view text);
  /// Reads the list file; not_found when it does not exist.
  static core::Result<DebianWeakKeys> load(const std::filesystem::path& file);
  /// The fingerprints of every key in `text`: PEM certificates, CSRs, public keys or (RSA)
  /// private keys, and lines holding a modulus in hex ("Modulus=C0FFEE…", as `openssl rsa
  /// -modulus` prints it, or the hex alone); invalid naming the block or line that is none of
  /// these or not RSA.
  static core::Result<std::vector<std::string>> fingerprintsIn(std::string_view text);

  /// True for an RSA key whose modulus is listed; false for every other key.
  bool contains(const pki::PublicKey& key) const;
  /// Adds a fingerprint (as fingerprintOfModulus gives it); false if it was listed already.
  bool add(const std::string& fingerprint);
  /// How many fingerprints are listed.
  std::size_t size() const { return fingerprints_.size(); }

 private:
  std::unordered_set<std::string> fingerprints_;
};

}  // namespace policy
