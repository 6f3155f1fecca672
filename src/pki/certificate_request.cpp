#include "pki/certificate_request.hpp"

#include "core/encoding.hpp"
#include "pki/openssl_support.hpp"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace pki {
namespace {

void freeExtensionStack(STACK_OF(X509_EXTENSION) * stack) {
  sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
}
using ExtensionStackPtr = detail::OpenSslPtr<STACK_OF(X509_EXTENSION), freeExtensionStack>;

std::shared_ptr<X509_REQ> share(X509_REQ* request) {
  return std::shared_ptr<X509_REQ>(request, X509_REQ_free);
}

std::string asciiText(const ASN1_STRING* value) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

// An iPAddress entry is 4 (IPv4) or 16 (IPv6) bytes (RFC 5280 §4.2.1.6); anything else is shown
// as hex so that it still reaches the rules (which refuse every IP address).
std::string ipAddressText(const ASN1_OCTET_STRING* address) {
  const auto bytes = std::span(ASN1_STRING_get0_data(address),
                               static_cast<std::size_t>(ASN1_STRING_length(address)));
  char text[INET6_ADDRSTRLEN] = {};
  const int family = bytes.size() == 4 ? AF_INET : bytes.size() == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC || inet_ntop(family, bytes.data(), text, sizeof text) == nullptr) {
    return core::toHex(bytes);
  }
  return text;
}

std::string generalNameText(GENERAL_NAME* name) {
  detail::BioPtr bio = detail::writableBio();
  if (!bio || GENERAL_NAME_print(bio.get(), name) != 1) return "unknown";
  return detail::bioText(bio.get());
}

}  // namespace

core::Result<CertificateRequest> CertificateRequest::parse(std::span<const std::uint8_t> bytes) {
  if (bytes.size() > max_size) {
    return core::makeError(core::ErrorKind::too_large, "certificate request too large");
  }
  // DER starts with a SEQUENCE tag (0x30); PEM is text and may be preceded by blank lines.
  const auto first = std::find_if_not(bytes.begin(), bytes.end(),
                                      [](std::uint8_t byte) { return std::isspace(byte) != 0; });
  if (first != bytes.end() && *first == 0x30) return fromDer(bytes);
  return fromPem(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

core::Result<CertificateRequest> CertificateRequest::fromPem(std::string_view pem) {
  // RFC 7468 allows explanatory text around a block, but a second block (two CSRs, or a CSR
  // with a certificate or key) leaves unclear what was meant: refused, not silently dropped.
  constexpr std::string_view kBegin = "-----BEGIN ";
  const std::size_t first = pem.find(kBegin);
  if (first != pem.npos && pem.find(kBegin, first + kBegin.size()) != pem.npos) {
    return core::makeError(core::ErrorKind::invalid, kMoreThanOneObject);
  }
  detail::BioPtr bio = detail::memoryBio(pem);
  X509_REQ* request = PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr);
  if (request == nullptr) {
    return detail::opensslError(core::ErrorKind::invalid, "not a PEM certificate request");
  }
  return CertificateRequest(share(request));
}

core::Result<CertificateRequest> CertificateRequest::fromDer(std::span<const std::uint8_t> der) {
  const unsigned char* cursor = der.data();
  X509_REQ* request = d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size()));
  if (request == nullptr) {
    return detail::opensslError(core::ErrorKind::invalid, "not a DER certificate request");
  }
  auto shared = share(request);
  // Trailing bytes would make two different uploads parse as the same request.
  if (cursor != der.data() + der.size()) {
    return core::makeError(core::ErrorKind::invalid, kMoreThanOneObject);
  }
  return CertificateRequest(std::move(shared));
}

std::string CertificateRequest::toPem() const {
  detail::BioPtr bio = detail::writableBio();
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), handle()) != 1) return {};
  return detail::bioText(bio.get());
}

std::vector<std::uint8_t> CertificateRequest::toDer() const {
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(handle(), &der);
  if (length <= 0) return {};
  std::vector<std::uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  return bytes;
}

bool CertificateRequest::hasValidSignature() const {
  EVP_PKEY* key = X509_REQ_get0_pubkey(handle());
  const bool valid = key != nullptr && X509_REQ_verify(handle(), key) == 1;
  // A failed verification leaves reasons queued; they must not leak into a later error.
  ERR_clear_error();
  return valid;
}

std::string CertificateRequest::signatureDigest() const {
  int digest = NID_undef;
  int key_type = NID_undef;
  if (OBJ_find_sigid_algs(X509_REQ_get_signature_nid(handle()), &digest, &key_type) != 1 ||
      digest == NID_undef)
    return "";
  return OBJ_nid2sn(digest);
}

std::vector<std::string> CertificateRequest::subjectAttributes(std::string_view name) const {
  std::vector<std::string> values;
  const int nid = OBJ_txt2nid(std::string(name).c_str());
  if (nid == NID_undef) return values;
  const X509_NAME* subject = X509_REQ_get_subject_name(handle());
  for (int index = X509_NAME_get_index_by_NID(subject, nid, -1); index >= 0;
       index = X509_NAME_get_index_by_NID(subject, nid, index)) {
    unsigned char* utf8 = nullptr;
    const int length =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    if (length < 0) continue;
    values.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
  }
  return values;
}

bool CertificateRequest::subjectIs(const std::vector<SubjectAttribute>& subject) const {
  const X509_NAME* name = X509_REQ_get_subject_name(handle());
  if (X509_NAME_entry_count(name) != static_cast<int>(subject.size())) return false;
  for (std::size_t index = 0; index < subject.size(); ++index) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, static_cast<int>(index));
    const int nid = OBJ_txt2nid(subject[index].type.c_str());
    if (nid == NID_undef || OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)) != nid) return false;
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (length < 0) return false;
    const bool same = std::string_view(reinterpret_cast<const char*>(utf8),
                                       static_cast<std::size_t>(length)) == subject[index].value;
    OPENSSL_free(utf8);
    if (!same) return false;
  }
  return true;
}

RequestedNames CertificateRequest::requestedNames() const {
  RequestedNames requested;
  ExtensionStackPtr extensions(X509_REQ_get_extensions(handle()));
  ERR_clear_error();  // a request without extensions is normal, not an error
  if (!extensions) return requested;
  detail::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(extensions.get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      requested.dns_names.push_back(asciiText(name->d.dNSName));
    } else if (name->type == GEN_IPADD) {
      requested.ip_addresses.push_back(ipAddressText(name->d.iPAddress));
    } else {
      requested.other.push_back(generalNameText(name));
    }
  }
  return requested;
}

core::Result<PublicKey> CertificateRequest::publicKey() const {
  EVP_PKEY* key = X509_REQ_get0_pubkey(handle());
  if (key == nullptr) {
    return detail::opensslError(core::ErrorKind::invalid, "unreadable public key in request");
  }
  return PublicKey::fromHandle(key);
}

}  // namespace pki
