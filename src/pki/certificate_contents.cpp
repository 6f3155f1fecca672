#include "pki/certificate_contents.hpp"

#include "pki/openssl_support.hpp"
#include "pki/public_key.hpp"

#include <openssl/err.h>

#include <array>
#include <string_view>

namespace pki {
namespace {

// X509_get_ext_d2i decodes without caching anything in the X509 object, so this is also safe
// on a certificate that is still being built.
template <class T>
T* extension(const X509* certificate, int nid, bool* critical) {
  int crit = 0;
  auto* value = static_cast<T*>(X509_get_ext_d2i(certificate, nid, &crit, nullptr));
  if (critical != nullptr) *critical = crit == 1;
  return value;
}

std::string text(const ASN1_STRING* value) {
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
          static_cast<std::size_t>(ASN1_STRING_length(value))};
}

std::string objectText(const ASN1_OBJECT* object, bool short_name) {
  const int nid = OBJ_obj2nid(object);
  if (short_name && nid != NID_undef) return OBJ_nid2sn(nid);
  char buffer[128];
  const int length = OBJ_obj2txt(buffer, sizeof buffer, object, 1);
  return length > 0 ? std::string(buffer, static_cast<std::size_t>(length)) : std::string();
}

void readSubject(const X509* certificate, CertificateContents& contents) {
  const X509_NAME* name = X509_get_subject_name(certificate);
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (length < 0) continue;
    contents.subject.push_back(
        {objectText(X509_NAME_ENTRY_get_object(entry), true),
         std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length))});
    OPENSSL_free(utf8);
  }
}

void readBasicConstraints(const X509* certificate, CertificateContents& contents) {
  detail::BasicConstraintsPtr constraints(extension<BASIC_CONSTRAINTS>(
      certificate, NID_basic_constraints, &contents.basic_constraints_critical));
  contents.has_basic_constraints = constraints != nullptr;
  contents.is_ca = constraints && constraints->ca != 0;
}

void readKeyUsage(const X509* certificate, CertificateContents& contents) {
  static constexpr std::array<std::string_view, 9> kBits = {
      "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
      "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly"};
  detail::Asn1BitStringPtr bits(
      extension<ASN1_BIT_STRING>(certificate, NID_key_usage, &contents.key_usage_critical));
  for (std::size_t bit = 0; bits && bit < kBits.size(); ++bit) {
    if (ASN1_BIT_STRING_get_bit(bits.get(), static_cast<int>(bit)) == 1) {
      contents.key_usage.emplace_back(kBits[bit]);
    }
  }
}

void readExtendedKeyUsage(const X509* certificate, CertificateContents& contents) {
  detail::ExtendedKeyUsagePtr purposes(
      extension<EXTENDED_KEY_USAGE>(certificate, NID_ext_key_usage, nullptr));
  for (int i = 0; purposes && i < sk_ASN1_OBJECT_num(purposes.get()); ++i) {
    contents.extended_key_usage.push_back(
        objectText(sk_ASN1_OBJECT_value(purposes.get(), i), true));
  }
}

std::string ipText(const ASN1_OCTET_STRING* address) {
  detail::BioPtr bio = detail::writableBio();
  GENERAL_NAME name{};
  name.type = GEN_IPADD;
  name.d.iPAddress = const_cast<ASN1_OCTET_STRING*>(address);
  if (!bio || GENERAL_NAME_print(bio.get(), &name) != 1) return {};
  const std::string printed = detail::bioText(bio.get());
  const auto colon = printed.find(':');
  return colon == std::string::npos ? printed : printed.substr(colon + 1);
}

void readAltNames(const X509* certificate, CertificateContents& contents) {
  detail::GeneralNamesPtr names(
      extension<GENERAL_NAMES>(certificate, NID_subject_alt_name, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    switch (name->type) {
      case GEN_DNS:
        contents.dns_names.push_back(text(name->d.dNSName));
        break;
      case GEN_EMAIL:
        contents.email_addresses.push_back(text(name->d.rfc822Name));
        break;
      case GEN_IPADD:
        contents.ip_addresses.push_back(ipText(name->d.iPAddress));
        break;
      default:
        contents.other_names.push_back("type " + std::to_string(name->type));
    }
  }
}

void readPolicies(const X509* certificate, CertificateContents& contents) {
  detail::CertificatePoliciesPtr policies(
      extension<CERTIFICATEPOLICIES>(certificate, NID_certificate_policies, nullptr));
  for (int i = 0; policies && i < sk_POLICYINFO_num(policies.get()); ++i) {
    contents.policy_oids.push_back(
        objectText(sk_POLICYINFO_value(policies.get(), i)->policyid, false));
  }
}

}  // namespace

CertificateContents readContents(const Certificate& certificate) {
  const X509* x = certificate.handle();
  CertificateContents contents;
  readSubject(x, contents);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
  contents.serial_octets = static_cast<std::size_t>(ASN1_STRING_length(serial));
  contents.serial_positive = ASN1_STRING_type(serial) == V_ASN1_INTEGER &&
                             certificate.serialHex().find_first_not_of('0') != std::string::npos;
  contents.not_before = certificate.notBefore();
  contents.not_after = certificate.notAfter();
  readBasicConstraints(x, contents);
  readKeyUsage(x, contents);
  readExtendedKeyUsage(x, contents);
  readAltNames(x, contents);
  readPolicies(x, contents);
  const EVP_PKEY* key = X509_get0_pubkey(x);
  if (key != nullptr) {
    contents.key_description = describeKey(key);
    contents.rsa_key = EVP_PKEY_is_a(key, "RSA") == 1;
  }
  return contents;
}

bool isSignedBy(const Certificate& certificate, const Certificate& issuer) {
  const bool named = X509_NAME_cmp(X509_get_issuer_name(certificate.handle()),
                                   X509_get_subject_name(issuer.handle())) == 0;
  const bool verified =
      named && X509_verify(certificate.handle(), X509_get0_pubkey(issuer.handle())) == 1;
  ERR_clear_error();
  return verified;
}

}  // namespace pki
