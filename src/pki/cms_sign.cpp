#include "pki/cms_sign.hpp"

#include "pki/openssl_support.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>

#include <algorithm>

namespace pki {
namespace {

using CmsPtr = detail::OpenSslPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using detail::opensslError;

// Binary: the bytes are signed as they are (no CRLF conversion); detached: the document travels
// apart from the signature; partial: the signer is added below, with SHA-256 instead of the key's
// default digest.
constexpr unsigned int kFlags = CMS_BINARY | CMS_DETACHED | CMS_PARTIAL;

}  // namespace

core::Result<std::vector<std::uint8_t>> signDetached(std::string_view document,
                                                     const Certificate& signer,
                                                     const PrivateKey& key,
                                                     std::span<const Certificate> chain) {
  if (X509_check_private_key(signer.handle(), key.handle()) != 1) {
    ERR_clear_error();
    return core::makeError(core::ErrorKind::invalid, "the key does not belong to the certificate");
  }
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags));
  if (!cms) return opensslError(core::ErrorKind::internal, "cannot start a CMS signature");
  if (CMS_add1_signer(cms.get(), signer.handle(), key.handle(), EVP_sha256(), kFlags) == nullptr) {
    return opensslError(core::ErrorKind::internal, "cannot add the signer");
  }
  std::vector<const X509*> included = {signer.handle()};
  for (const Certificate& certificate : chain) {
    // OpenSSL 3.0 refuses a certificate that is already in the SignedData.
    const auto same = [&](const X509* other) { return X509_cmp(other, certificate.handle()) == 0; };
    if (std::ranges::any_of(included, same)) continue;
    included.push_back(certificate.handle());
    if (CMS_add1_cert(cms.get(), certificate.handle()) != 1) {
      return opensslError(core::ErrorKind::internal, "cannot add a chain certificate");
    }
  }
  detail::BioPtr content = detail::memoryBio(document);
  if (!content || CMS_final(cms.get(), content.get(), nullptr, kFlags) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot sign the document");
  }
  detail::BioPtr out = detail::writableBio();
  if (!out || i2d_CMS_bio(out.get(), cms.get()) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot encode the signature");
  }
  const std::string der = detail::bioText(out.get());
  return std::vector<std::uint8_t>(der.begin(), der.end());
}

}  // namespace pki
