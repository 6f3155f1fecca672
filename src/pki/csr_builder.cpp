#include "pki/csr_builder.hpp"

#include "pki/openssl_support.hpp"

#include <string>

namespace pki {

core::Result<CertificateRequest> buildCertificateRequest(const PrivateKey& key,
                                                         std::string_view common_name) {
  return buildCertificateRequest(key,
                                 std::vector<SubjectAttribute>{{"CN", std::string(common_name)}});
}

core::Result<CertificateRequest> buildCertificateRequest(
    const PrivateKey& key, const std::vector<SubjectAttribute>& subject) {
  using RequestPtr = detail::OpenSslPtr<X509_REQ, X509_REQ_free>;
  RequestPtr request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.handle()) != 1) {
    return detail::opensslError(core::ErrorKind::invalid, "cannot build certificate request");
  }
  for (const SubjectAttribute& attribute : subject) {
    // As in a certificate (certificate_builder.cpp): OpenSSL picks the string type per attribute.
    if (X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(request.get()), attribute.type.c_str(),
                                   MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(attribute.value.data()),
                                   static_cast<int>(attribute.value.size()), -1, 0) != 1)
      return detail::opensslError(core::ErrorKind::invalid,
                                  "invalid subject attribute " + attribute.type);
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
