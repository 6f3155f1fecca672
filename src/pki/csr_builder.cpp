#include "pki/csr_builder.hpp"

#include "pki/openssl_support.hpp"

#include <string>

namespace pki {

core::Result<CertificateRequest> buildCertificateRequest(const PrivateKey& key,
                                                         std::string_view common_name) {
  using RequestPtr = detail::OpenSslPtr<X509_REQ, X509_REQ_free>;
  RequestPtr request(X509_REQ_new());
  const std::string name(common_name);
  if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(request.get()), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                                 0) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.handle()) != 1) {
    return detail::opensslError(core::ErrorKind::invalid, "cannot build certificate request");
  }
  auto signing = detail::signingContext(key.handle(), false);
  if (!signing) return signing.error();
  if (X509_REQ_sign_ctx(request.get(), signing->get()) <= 0) {
    return detail::opensslError(core::ErrorKind::internal, "cannot sign certificate request");
  }
  detail::BioPtr bio = detail::writableBio();
  if (!bio || i2d_X509_REQ_bio(bio.get(), request.get()) != 1) {
    return detail::opensslError(core::ErrorKind::internal, "cannot encode certificate request");
  }
  const std::string der = detail::bioText(bio.get());
  return CertificateRequest::fromDer(
      std::span(reinterpret_cast<const std::uint8_t*>(der.data()), der.size()));
}

}  // namespace pki
