#include "pki/pkcs12.hpp"

#include "pki/openssl_support.hpp"

#include <openssl/err.h>

#include <string>

namespace pki {
namespace {

using detail::opensslError;

// OpenSSL's PKCS12_DEFAULT_ITER; the MAC gets the same count (PKCS12_create defaults it to 1).
constexpr int kIterations = 2048;

core::Result<detail::X509StackPtr> certificateStack(std::span<const Certificate> chain) {
  detail::X509StackPtr stack(sk_X509_new_null());
  if (!stack) return opensslError(core::ErrorKind::internal, "out of memory");
  for (const Certificate& certificate : chain) {
    if (X509_add_cert(stack.get(), certificate.handle(), X509_ADD_FLAG_UP_REF) != 1) {
      return opensslError(core::ErrorKind::internal, "out of memory");
    }
  }
  return stack;
}

}  // namespace

core::Result<std::vector<std::uint8_t>> makePkcs12(const Certificate& certificate,
                                                   const PrivateKey& key,
                                                   std::span<const Certificate> chain,
                                                   std::string_view password,
                                                   std::string_view friendly_name) {
  auto stack = certificateStack(chain);
  if (!stack) return stack.error();
  const std::string pass(password);
  const std::string name(friendly_name);
  // PBES2 (PBKDF2 with HMAC-SHA256) + AES-256-CBC for both bags and a SHA-256 MAC: what
  // OpenSSL 3 writes by default, spelled out so a library default change cannot weaken it.
  detail::Pkcs12Ptr p12(PKCS12_create_ex(
      pass.c_str(), name.empty() ? nullptr : name.c_str(), key.handle(), certificate.handle(),
      stack->get(), NID_aes_256_cbc, NID_aes_256_cbc, kIterations, -1, 0, nullptr, nullptr));
  if (!p12 ||
      PKCS12_set_mac(p12.get(), pass.c_str(), -1, nullptr, 0, kIterations, EVP_sha256()) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot create PKCS#12");
  }
  const int size = i2d_PKCS12(p12.get(), nullptr);
  if (size <= 0) return opensslError(core::ErrorKind::internal, "cannot encode PKCS#12");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
  unsigned char* cursor = der.data();
  i2d_PKCS12(p12.get(), &cursor);
  return der;
}

core::Result<Pkcs12Contents> readPkcs12(std::span<const std::uint8_t> der,
                                        std::string_view password) {
  const unsigned char* cursor = der.data();
  detail::Pkcs12Ptr p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(der.size())));
  if (!p12) return opensslError(core::ErrorKind::invalid, "not a PKCS#12 file");
  const std::string pass(password);
  if (PKCS12_mac_present(p12.get()) &&
      PKCS12_verify_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size())) != 1) {
    return opensslError(core::ErrorKind::invalid, "wrong PKCS#12 password");
  }
  EVP_PKEY* raw_key = nullptr;
  X509* raw_certificate = nullptr;
  STACK_OF(X509)* raw_chain = nullptr;
  const int parsed = PKCS12_parse(p12.get(), pass.c_str(), &raw_key, &raw_certificate, &raw_chain);
  detail::EvpPkeyPtr owned_key(raw_key);
  detail::X509Ptr owned_certificate(raw_certificate);
  detail::X509StackPtr owned_chain(raw_chain);
  if (parsed != 1) return opensslError(core::ErrorKind::invalid, "cannot open PKCS#12");
  if (!owned_key || !owned_certificate) {
    return core::makeError(core::ErrorKind::invalid, "PKCS#12 lacks a key or certificate");
  }
  Pkcs12Contents contents{PrivateKey::fromHandle(owned_key.get()),
                          Certificate::fromHandle(owned_certificate.get()),
                          {}};
  for (int i = 0; owned_chain && i < sk_X509_num(owned_chain.get()); ++i) {
    contents.chain.push_back(Certificate::fromHandle(sk_X509_value(owned_chain.get(), i)));
  }
  return contents;
}

}  // namespace pki
