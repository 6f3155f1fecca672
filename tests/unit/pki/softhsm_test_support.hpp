#pragma once
// A SoftHSM2 token of a test's own, in a directory of the test (SOFTHSM2_CONF points there), with
// keys and certificates imported by the OpenSC pkcs11-tool: the PKCS#11 tests of ca, pki and
// the signer app.

#include "pki/certificate.hpp"
#include "pki/key.hpp"
#include "pki_test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

namespace pki::test {

/// SoftHSM2's module as Debian installs it.
inline constexpr char kSoftHsmModule[] = "/usr/lib/softhsm/libsofthsm2.so";
/// The user PIN of every test token.
inline constexpr char kSoftHsmPin[] = "1234";

/// True if SoftHSM2 and pkcs11-tool are installed (tests skip otherwise).
inline bool softHsmAvailable() {
  return std::filesystem::exists(kSoftHsmModule) &&
         std::system("command -v softhsm2-util >/dev/null") == 0 &&
         std::system("command -v pkcs11-tool >/dev/null") == 0;
}

/// An initialised token labelled `label` (user PIN kSoftHsmPin) with its files under `dir`.
class SoftHsmToken {
 public:
  SoftHsmToken(std::filesystem::path dir, std::string label)
      : dir_(std::move(dir)), label_(std::move(label)) {
    const auto tokens = dir_ / "tokens";
    std::filesystem::create_directories(tokens);
    writeText(dir_ / "softhsm2.conf", "directories.tokendir = " + tokens.string() +
                                          "\nobjectstore.backend = file\nlog.level = ERROR\n");
    ::setenv("SOFTHSM2_CONF", (dir_ / "softhsm2.conf").c_str(), 1);
    check("softhsm2-util --init-token --free --label " + label_ + " --so-pin 5678 --pin " +
          kSoftHsmPin);
  }

  /// Imports `key` (as PKCS#8 DER) under `label` with CKA_ID `id` (two hex digits) and, as a
  /// key pair made on a card would have, its public key object unless `with_public` is false.
  void importKey(const PrivateKey& key, const std::string& label, const std::string& id,
                 bool with_public = true) {
    const auto pem = dir_ / (label + ".key");
    writeText(pem, key.toPem());
    check("openssl pkcs8 -topk8 -nocrypt -outform DER -in " + pem.string() + " -out " +
          pem.string() + ".der");
    write(pem.string() + ".der", "privkey", label, id);
    if (!with_public) return;
    check("openssl pkey -pubout -outform DER -in " + pem.string() + " -out " + pem.string() +
          ".pub");
    write(pem.string() + ".pub", "pubkey", label, id);
  }

  /// Imports `certificate` under `label` with CKA_ID `id`.
  void importCertificate(const Certificate& certificate, const std::string& label,
                         const std::string& id) {
    const auto pem = dir_ / (label + ".crt");
    writeText(pem, certificate.toPem());
    check("openssl x509 -outform DER -in " + pem.string() + " -out " + pem.string() + ".der");
    write(pem.string() + ".der", "cert", label, id);
  }

 private:
  void write(const std::string& file, const std::string& type, const std::string& label,
             const std::string& id) {
    check(std::string("pkcs11-tool --module ") + kSoftHsmModule + " --token-label " + label_ +
          " --login --pin " + kSoftHsmPin + " --write-object " + file + " --type " + type +
          " --label " + label + " --id " + id);
  }

  static void check(const std::string& command) {
    const auto [status, output] = run(command);
    ASSERT_EQ(status, 0) << command << "\n" << output;
  }

  std::filesystem::path dir_;
  std::string label_;
};

}  // namespace pki::test
