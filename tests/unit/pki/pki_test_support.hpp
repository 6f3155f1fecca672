#pragma once
// Small CA hierarchies for the pki unit tests (issued with the code under test).

#include "core/clock.hpp"
#include "pki/certificate.hpp"
#include "pki/certificate_builder.hpp"
#include "pki/key.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>

namespace pki::test {

using namespace std::chrono_literals;

/// Midnight UTC of a calendar day.
inline core::TimePoint day(int y, unsigned m, unsigned d) {
  return core::TimePoint{std::chrono::sys_days{std::chrono::year{y} / m / d}};
}

/// A fixed "now" for certificates that must be valid when the tests run (well inside validity).
inline core::TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

/// A key and its certificate.
struct Issued {
  PrivateKey key;
  Certificate certificate;
};

/// Spec of a CA named `cn`, valid around now for a year.
inline CertificateSpec caSpec(const std::string& cn, std::uint8_t serial) {
  CertificateSpec spec;
  spec.subject = {{"C", "NL"}, {"O", "Test"}, {"CN", cn}};
  spec.serial = {0x0c, serial};
  spec.not_before = now() - 24h;
  spec.not_after = now() + 24h * 365;
  spec.is_ca = true;
  spec.key_usage = {"keyCertSign", "cRLSign"};
  return spec;
}

/// Spec of a client-authentication leaf named `cn`, valid around now.
inline CertificateSpec leafSpec(const std::string& cn, std::uint8_t serial) {
  CertificateSpec spec;
  spec.subject = {{"C", "NL"}, {"CN", cn}, {"serialNumber", "PERSON-" + cn}};
  spec.serial = {0x1e, serial};
  spec.not_before = now() - 24h;
  spec.not_after = now() + 24h * 30;
  spec.key_usage = {"digitalSignature"};
  spec.extended_key_usage = {"clientAuth"};
  return spec;
}

/// Issues `spec` for a fresh P-256 key; self-signed when `issuer` is null.
inline Issued issue(const CertificateSpec& spec, const Issued* issuer) {
  PrivateKey key = PrivateKey::generate(KeyType::ec_p256);
  auto certificate = issueCertificate(spec, key, issuer ? &issuer->certificate : nullptr,
                                      issuer ? issuer->key : key);
  EXPECT_TRUE(certificate.has_value()) << (certificate ? "" : certificate.error().message);
  return Issued{key, certificate.value()};
}

/// A fresh empty directory under the system temp directory.
inline std::filesystem::path makeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mijncert-pki-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

/// Writes `text` to `path`.
inline void writeText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// Runs a shell command, returning its exit status and combined output.
inline std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, output};
  std::array<char, 512> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace pki::test
