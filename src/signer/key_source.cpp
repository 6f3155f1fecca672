#include "signer/key_source.hpp"

#include "core/encoding.hpp"
#include "pki/pkcs12.hpp"
#include "pki/public_key.hpp"
#include "signer/files.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace signer {
namespace {

core::Error invalid(std::string message) {
  return core::makeError(core::ErrorKind::invalid, std::move(message));
}

// RFC 3986 percent-decoding of one attribute value.
std::optional<std::string> percentDecoded(std::string_view value) {
  std::string decoded;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      decoded += value[i];
      continue;
    }
    const std::string hex(value.substr(i + 1, 2));
    const auto is_hex = [](unsigned char c) { return std::isxdigit(c) != 0; };
    if (hex.size() != 2 || !std::ranges::all_of(hex, is_hex)) return std::nullopt;
    decoded += static_cast<char>(std::stoi(hex, nullptr, 16));
    i += 2;
  }
  return decoded;
}

// Calls `visit(name, value)` for each `name=value` in `text` separated by `separator`.
template <class Visit>
core::Result<void> forEachAttribute(std::string_view text, char separator, Visit visit) {
  while (!text.empty()) {
    const std::string_view item = text.substr(0, text.find(separator));
    text.remove_prefix(std::min(text.size(), item.size() + 1));
    if (item.empty()) continue;
    const auto equals = item.find('=');
    if (equals == std::string_view::npos)
      return invalid("PKCS#11 URI: no value for " + std::string(item));
    auto value = percentDecoded(item.substr(equals + 1));
    if (!value) return invalid("PKCS#11 URI: bad percent-encoding in " + std::string(item));
    auto visited = visit(item.substr(0, equals), std::move(*value));
    if (!visited) return visited.error();
  }
  return {};
}

// The key belongs to the certificate: otherwise the portal would refuse every signature. A token
// key shows its public half only if the token holds its public key or certificate object.
core::Result<void> checkPair(const pki::PrivateKey& key, const pki::Certificate& certificate) {
  const std::string public_key = key.publicKeyPem();
  if (public_key.empty()) {
    return invalid(
        "the key's public half is unknown: the token needs the key's public key or "
        "certificate object (same id)");
  }
  if (public_key != pki::PublicKey::ofCertificate(certificate).toPem())
    return invalid("the key does not belong to the certificate " + certificate.subjectDn());
  return {};
}

core::Result<std::vector<pki::Certificate>> readCertificates(const std::string& path,
                                                             std::string_view what) {
  auto text = readFile(path, what);
  if (!text) return text.error();
  auto certificates = pki::Certificate::chainFromPem(*text);
  if (!certificates) return invalid("no PEM certificate in " + std::string(what) + " " + path);
  return certificates;
}

core::Result<SigningIdentity> fromPemFiles(const KeyOptions& options) {
  if (options.cert_file.empty()) return invalid("--key needs --cert FILE");
  auto text = readFile(options.key_file, "key file");
  if (!text) return text.error();
  auto key = pki::PrivateKey::fromPem(*text);
  if (!key) {
    return invalid("no unencrypted PEM private key in " + options.key_file +
                   " (an encrypted key: put it in a PKCS#12 file and use --p12)");
  }
  auto certificates = readCertificates(options.cert_file, "certificate file");
  if (!certificates) return certificates.error();
  pki::Certificate certificate = certificates->front();
  certificates->erase(certificates->begin());
  return SigningIdentity{nullptr, std::move(*key), std::move(certificate),
                         std::move(*certificates)};
}

core::Result<SigningIdentity> fromPkcs12(const KeyOptions& options) {
  std::string password = options.password.value_or("");
  if (!options.password_env.empty()) {
    auto value = environmentValue(options.password_env, "--password-env");
    if (!value) return value.error();
    password = std::move(*value);
  }
  auto der = readFile(options.p12_file, "PKCS#12 file");
  if (!der) return der.error();
  auto contents = pki::readPkcs12(core::asBytes(*der), password);
  if (!contents) {
    const bool wrong_password = contents.error().message.starts_with("wrong PKCS#12 password");
    return invalid(wrong_password ? "wrong password for " + options.p12_file
                                  : "cannot open " + options.p12_file +
                                        ": not a PKCS#12 file "
                                        "with a key and certificate, or the wrong password");
  }
  return SigningIdentity{nullptr, std::move(contents->key), std::move(contents->certificate),
                         std::move(contents->chain)};
}

core::Result<SigningIdentity> fromToken(const KeyOptions& options) {
  auto uri = parsePkcs11Uri(options.pkcs11_uri);
  if (!uri) return uri.error();
  const std::string module = options.module.empty() ? uri->module_path : options.module;
  if (module.empty()) {
    return invalid(
        "--pkcs11 needs --module PATH (the PKCS#11 library, e.g. "
        "/usr/lib/softhsm/libsofthsm2.so or /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so)");
  }
  if (options.pin_env.empty()) return invalid("--pkcs11 needs --pin-env VAR (the PIN's variable)");
  auto pin = environmentValue(options.pin_env, "--pin-env");
  if (!pin) return pin.error();
  auto token = pki::Pkcs11Key::open({module, uri->token, uri->object, *pin});
  if (!token) {
    const bool refused = token.error().message == "PKCS#11: login refused";
    return refused ? invalid("PKCS#11: token " + uri->token + " refused the PIN in " +
                             options.pin_env + " (wrong PIN, or the PIN is blocked)")
                   : token.error();
  }
  std::vector<pki::Certificate> certificates;
  if (!options.cert_file.empty()) {
    auto read = readCertificates(options.cert_file, "certificate file");
    if (!read) return read.error();
    certificates = std::move(*read);
  } else if ((*token)->certificate()) {
    certificates.push_back(*(*token)->certificate());
  } else {
    return invalid("no certificate labelled " + uri->object + " on token " + uri->token +
                   ": give it with --cert FILE");
  }
  pki::PrivateKey key = (*token)->key();
  pki::Certificate certificate = certificates.front();
  certificates.erase(certificates.begin());
  return SigningIdentity{std::move(*token), std::move(key), std::move(certificate),
                         std::move(certificates)};
}

}  // namespace

core::Result<Pkcs11Uri> parsePkcs11Uri(std::string_view uri) {
  constexpr std::string_view kScheme = "pkcs11:";
  if (!uri.starts_with(kScheme)) return invalid("not a PKCS#11 URI (pkcs11:token=…;object=…)");
  uri.remove_prefix(kScheme.size());
  const std::string_view path = uri.substr(0, uri.find('?'));
  const std::string_view query =
      path.size() < uri.size() ? uri.substr(path.size() + 1) : std::string_view();
  Pkcs11Uri parsed;
  auto in_path = forEachAttribute(
      path, ';', [&](std::string_view name, std::string value) -> core::Result<void> {
        if (name == "token")
          parsed.token = std::move(value);
        else if (name == "object")
          parsed.object = std::move(value);
        else if (name == "type" && value != "private" && value != "cert")
          return invalid("PKCS#11 URI: type=" + value + " is not a private key");
        else if (name == "pin-value" || name == "pin-source")
          return invalid("PKCS#11 URI: no PIN in the URI; use --pin-env VAR");
        return {};
      });
  if (!in_path) return in_path.error();
  auto in_query = forEachAttribute(
      query, '&', [&](std::string_view name, std::string value) -> core::Result<void> {
        if (name == "module-path")
          parsed.module_path = std::move(value);
        else if (name == "pin-value" || name == "pin-source")
          return invalid("PKCS#11 URI: no PIN in the URI; use --pin-env VAR");
        return {};
      });
  if (!in_query) return in_query.error();
  if (parsed.token.empty() || parsed.object.empty())
    return invalid("PKCS#11 URI: token=NAME and object=LABEL are required");
  return parsed;
}

core::Result<std::string> environmentValue(const std::string& name, std::string_view option) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return invalid("environment variable " + name + " (" + std::string(option) + ") is not set");
  }
  return std::string(value);
}

core::Result<SigningIdentity> loadIdentity(const KeyOptions& options) {
  const int sources = (options.key_file.empty() ? 0 : 1) + (options.p12_file.empty() ? 0 : 1) +
                      (options.pkcs11_uri.empty() ? 0 : 1);
  if (sources != 1) {
    return invalid("give exactly one key: --key FILE --cert FILE, --p12 FILE or --pkcs11 URI");
  }
  auto identity = !options.key_file.empty()   ? fromPemFiles(options)
                  : !options.p12_file.empty() ? fromPkcs12(options)
                                              : fromToken(options);
  if (!identity) return identity.error();
  if (!options.chain_file.empty()) {
    auto chain = readCertificates(options.chain_file, "chain file");
    if (!chain) return chain.error();
    identity->chain.insert(identity->chain.end(), chain->begin(), chain->end());
  }
  auto pair = checkPair(identity->key, identity->certificate);
  if (!pair) return pair.error();
  return identity;
}

}  // namespace signer
