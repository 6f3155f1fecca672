#include "policy/weak_keys.hpp"

#include "core/encoding.hpp"
#include "pki/certificate.hpp"
#include "pki/certificate_request.hpp"
#include "pki/crypto.hpp"
#include "pki/key.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

namespace policy {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kModulusPrefix = "Modulus=";

core::Error invalid(std::string message) {
  return core::makeError(core::ErrorKind::invalid, std::move(message));
}

bool isHex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string trimmedLine(std::string_view line) {
  const auto first = line.find_first_not_of(" \t\r");
  if (first == line.npos) return {};
  const auto last = line.find_last_not_of(" \t\r");
  return std::string(line.substr(first, last - first + 1));
}

// The fingerprint of a modulus written in hex, as BN_print writes it for `openssl rsa -modulus`:
// upper case, without leading zero digits.
std::string fingerprintOfHex(std::string hex) {
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return char(std::toupper(c)); });
  const auto first = hex.find_first_not_of('0');
  hex = first == hex.npos ? "0" : hex.substr(first);
  const std::string digest = pki::sha1Hex(std::string(kModulusPrefix) + hex + "\n");
  return digest.substr(digest.size() - DebianWeakKeys::kFingerprintLength);
}

// The public key of one PEM block: a certificate, CSR, public key or private key.
std::optional<pki::PublicKey> keyOfBlock(std::string_view block) {
  if (auto certificate = pki::Certificate::fromPem(block))
    return pki::PublicKey::ofCertificate(*certificate);
  if (auto request = pki::CertificateRequest::fromPem(block))
    if (auto key = request->publicKey()) return *key;
  if (auto key = pki::PublicKey::fromPem(block)) return *key;
  if (auto key = pki::PrivateKey::fromPem(block)) return pki::PublicKey::of(*key);
  return std::nullopt;
}

}  // namespace

std::string DebianWeakKeys::fingerprintOfModulus(std::span<const std::uint8_t> modulus) {
  return fingerprintOfHex(core::toHex(modulus));
}

core::Result<DebianWeakKeys> DebianWeakKeys::parse(std::string_view text) {
  DebianWeakKeys list;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const std::string entry = trimmedLine(line);
    if (entry.empty() || entry.front() == '#') continue;
    if (entry.size() != kFingerprintLength || !isHex(entry))
      return invalid("line " + std::to_string(number) + ": not a fingerprint of " +
                     std::to_string(kFingerprintLength) + " hex digits");
    std::string lower = entry;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    list.fingerprints_.insert(std::move(lower));
  }
  return list;
}

core::Result<DebianWeakKeys> DebianWeakKeys::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return core::makeError(core::ErrorKind::not_found, file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto list = parse(text.str());
  if (!list) return invalid(file.string() + ": " + list.error().message);
  return list;
}

core::Result<std::vector<std::string>> DebianWeakKeys::fingerprintsIn(std::string_view text) {
  std::vector<std::string> fingerprints;
  std::size_t position = 0;
  int number = 0;
  while (position < text.size()) {
    const std::size_t line_end = std::min(text.find('\n', position), text.size());
    const std::string line = trimmedLine(text.substr(position, line_end - position));
    ++number;
    if (line.starts_with(kBegin)) {
      // The block runs to the end of its END line.
      const std::size_t end = text.find(kEnd, position);
      if (end == text.npos)
        return invalid("line " + std::to_string(number) + ": unended PEM block");
      const std::size_t block_end = std::min(text.find('\n', end), text.size());
      const std::string_view block = text.substr(position, block_end - position);
      const auto key = keyOfBlock(block);
      if (!key)
        return invalid("line " + std::to_string(number) +
                       ": not a certificate, request, public or private key");
      if (key->algorithm() != pki::KeyAlgorithm::rsa)
        return invalid("line " + std::to_string(number) + ": not an RSA key");
      fingerprints.push_back(fingerprintOfModulus(key->rsaModulus()));
      number += static_cast<int>(std::count(block.begin(), block.end(), '\n'));
      position = block_end + 1;
      continue;
    }
    if (!line.empty() && line.front() != '#') {
      const std::string hex =
          line.starts_with(kModulusPrefix) ? line.substr(kModulusPrefix.size()) : line;
      if (!isHex(hex))
        return invalid("line " + std::to_string(number) + ": not a PEM block or an RSA modulus");
      fingerprints.push_back(fingerprintOfHex(hex));
    }
    position = line_end + 1;
  }
  return fingerprints;
}

bool DebianWeakKeys::contains(const pki::PublicKey& key) const {
  if (key.algorithm() != pki::KeyAlgorithm::rsa || fingerprints_.empty()) return false;
  return fingerprints_.contains(fingerprintOfModulus(key.rsaModulus()));
}

bool DebianWeakKeys::add(const std::string& fingerprint) {
  return fingerprints_.insert(fingerprint).second;
}

}  // namespace policy
