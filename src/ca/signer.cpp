#include "ca/signer.hpp"

#include <fstream>
#include <sstream>

namespace ca {

core::Result<std::unique_ptr<KeyFileSigner>> KeyFileSigner::open(
    const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    return core::makeError(core::ErrorKind::invalid, "cannot read key file " + file.string());
  }
  auto key = pki::PrivateKey::fromPem(text.str());
  if (!key) return core::makeError(core::ErrorKind::invalid, "no private key in " + file.string());
  return std::unique_ptr<KeyFileSigner>(new KeyFileSigner(std::move(*key)));
}

core::Result<std::unique_ptr<Pkcs11Signer>> Pkcs11Signer::open(const Pkcs11Settings& settings) {
  auto token = pki::Pkcs11Key::open(settings);
  if (!token) return token.error();
  return std::unique_ptr<Pkcs11Signer>(new Pkcs11Signer(std::move(*token)));
}

}  // namespace ca
