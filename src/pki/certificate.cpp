#include "pki/certificate.hpp"

#include "core/encoding.hpp"
#include "pki/openssl_support.hpp"

#include <openssl/pem.h>

namespace pki {
namespace {

using detail::opensslError;

std::shared_ptr<X509> share(X509* certificate) {
  return std::shared_ptr<X509>(certificate, X509_free);
}

// RFC 2253 with UTF-8 values as they are: XN_FLAG_RFC2253 would escape every non-ASCII byte
// as \XX, which is unreadable on a page and unlike how issuer DNs are stored.
constexpr unsigned long kDnFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;

std::string printName(const X509_NAME* name) {
  detail::BioPtr bio = detail::writableBio();
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, kDnFlags) < 0) return {};
  return detail::bioText(bio.get());
}

}  // namespace

core::Result<Certificate> Certificate::fromPem(std::string_view pem) {
  detail::BioPtr bio = detail::memoryBio(pem);
  X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (certificate == nullptr)
    return opensslError(core::ErrorKind::invalid, "not a PEM certificate");
  return Certificate(share(certificate));
}

core::Result<Certificate> Certificate::fromDer(std::span<const std::uint8_t> der) {
  const unsigned char* cursor = der.data();
  X509* certificate = d2i_X509(nullptr, &cursor, static_cast<long>(der.size()));
  if (certificate == nullptr)
    return opensslError(core::ErrorKind::invalid, "not a DER certificate");
  auto shared = share(certificate);
  // Trailing bytes would make two different inputs parse as the same certificate.
  if (cursor != der.data() + der.size()) {
    return core::makeError(core::ErrorKind::invalid, "trailing data after DER certificate");
  }
  return Certificate(std::move(shared));
}

core::Result<std::vector<Certificate>> Certificate::chainFromPem(std::string_view pem) {
  detail::BioPtr bio = detail::memoryBio(pem);
  std::vector<Certificate> chain;
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    chain.push_back(Certificate(share(certificate)));
  }
  if (!detail::reachedEndOfPem())
    return opensslError(core::ErrorKind::invalid, "malformed PEM certificate");
  if (chain.empty()) return core::makeError(core::ErrorKind::invalid, "no certificate in PEM");
  return chain;
}

Certificate Certificate::fromHandle(x509_st* certificate) {
  X509_up_ref(certificate);
  return Certificate(share(certificate));
}

std::string Certificate::toPem() const {
  detail::BioPtr bio = detail::writableBio();
  if (!bio || PEM_write_bio_X509(bio.get(), handle()) != 1) return {};
  return detail::bioText(bio.get());
}

std::vector<std::uint8_t> Certificate::toDer() const {
  const int size = i2d_X509(handle(), nullptr);
  if (size <= 0) return {};
  std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
  unsigned char* cursor = der.data();
  i2d_X509(handle(), &cursor);
  return der;
}

std::string Certificate::subjectDn() const {
  return printName(X509_get_subject_name(handle()));
}

std::string Certificate::issuerDn() const {
  return printName(X509_get_issuer_name(handle()));
}

std::optional<std::string> Certificate::subjectAttribute(std::string_view name) const {
  const int nid = OBJ_txt2nid(std::string(name).c_str());
  if (nid == NID_undef) return std::nullopt;
  const X509_NAME* subject = X509_get_subject_name(handle());
  const int index = X509_NAME_get_index_by_NID(subject, nid, -1);
  if (index < 0) return std::nullopt;
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return text;
}

std::string Certificate::serialHex() const {
  return detail::integerToHex(X509_get0_serialNumber(handle()));
}

core::TimePoint Certificate::notBefore() const {
  return detail::fromAsn1Time(X509_get0_notBefore(handle()));
}

core::TimePoint Certificate::notAfter() const {
  return detail::fromAsn1Time(X509_get0_notAfter(handle()));
}

std::string Certificate::sha256Fingerprint() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(handle(), EVP_sha256(), digest, &length) != 1) return {};
  return core::toHex(std::span<const std::uint8_t>(digest, length));
}

std::vector<std::string> Certificate::dnsNames() const {
  detail::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(handle(), NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> dns;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* value = name->d.dNSName;
    dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
  }
  return dns;
}

bool Certificate::isCa() const {
  return (X509_get_extension_flags(handle()) & EXFLAG_CA) != 0;
}

}  // namespace pki
