#include "pki/cms.hpp"

#include "pki/certificate_contents.hpp"
#include "pki/openssl_support.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <iterator>

namespace pki {
namespace {

using CmsPtr = detail::OpenSslPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using StoreContextPtr = detail::OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;

// PEM labels under which tools write a CMS SignedData: OpenSSL's `cms -outform PEM` writes "CMS",
// `smime -pk7out` and most others "PKCS7" (RFC 7468 §8), some older tools "PKCS #7 SIGNED DATA".
constexpr std::string_view kPemLabels[] = {"CMS", "PKCS7", "PKCS #7 SIGNED DATA"};

// A refusal the user can act on: message key on the upload field; OpenSSL's queue is cleared so
// that no stale reason shows up in a later error.
core::Error refusal(const std::string& key, core::ErrorKind kind = core::ErrorKind::invalid) {
  ERR_clear_error();
  return core::makeError(kind, key, {{"signature", key}});
}

bool looksLikePem(std::string_view input) {
  const auto text = std::find_if_not(input.begin(), input.end(),
                                     [](unsigned char c) { return std::isspace(c) != 0; });
  return std::string_view(text, input.end()).starts_with("-----BEGIN ");
}

// The DER inside the first PEM block, if its label names a CMS or PKCS#7 structure.
std::optional<std::string> pemBody(std::string_view pem) {
  detail::BioPtr bio = detail::memoryBio(pem);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  if (!bio || PEM_read_bio(bio.get(), &name, &header, &data, &length) != 1) return std::nullopt;
  const bool known = std::ranges::find(kPemLabels, std::string_view(name)) != std::end(kPemLabels);
  std::string der(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (!known) return std::nullopt;
  return der;
}

// One ContentInfo and nothing after it (trailing bytes would be unsigned and unexplained).
CmsPtr parseContentInfo(std::string_view der) {
  const auto* next = reinterpret_cast<const unsigned char*>(der.data());
  const auto* end = next + der.size();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &next, static_cast<long>(der.size())));
  if (!cms || next != end) return CmsPtr();
  return cms;
}

// RFC 5652 §5.4: the digest covers the signed attributes or, without them, the content. SHA-1 and
// MD5 are collision-prone, so a document could be swapped for another with the same digest.
bool hasStrongDigest(CMS_SignerInfo* signer_info) {
  X509_ALGOR* digest = nullptr;
  CMS_SignerInfo_get0_algs(signer_info, nullptr, nullptr, &digest, nullptr);
  const int nid = digest ? OBJ_obj2nid(digest->algorithm) : NID_undef;
  return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512;
}

// Detached signatures only carry the document by reference; one that embeds content must embed
// exactly this document, which is then dropped so that the uploaded bytes are what is verified.
core::Result<void> matchEmbeddedContent(CMS_ContentInfo* cms, std::string_view document) {
  if (CMS_is_detached(cms) == 1) return {};
  ASN1_OCTET_STRING** content = CMS_get0_content(cms);
  if (content == nullptr || *content == nullptr) return {};
  const std::string_view embedded(reinterpret_cast<const char*>(ASN1_STRING_get0_data(*content)),
                                  static_cast<std::size_t>(ASN1_STRING_length(*content)));
  if (embedded != document) return refusal("signature.document_mismatch");
  if (CMS_set_detached(cms, 1) != 1) {
    return detail::opensslError(core::ErrorKind::internal, "cannot detach CMS content");
  }
  return {};
}

// Why CMS_verify failed, from OpenSSL's queue: a digest or signature that does not fit means the
// bytes signed are not these bytes (RFC 5652 §5.6).
std::string signatureFailureKey() {
  std::string key = "signature.unreadable";
  while (const unsigned long code = ERR_get_error()) {
    if (ERR_GET_LIB(code) != ERR_LIB_CMS) continue;
    const int reason = ERR_GET_REASON(code);
    if (reason == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND) return "signature.no_certificate";
    if (reason == CMS_R_VERIFICATION_FAILURE || reason == CMS_R_CONTENT_VERIFY_ERROR) {
      key = "signature.document_mismatch";
    }
  }
  return key;
}

// The message key for a chain verification error.
std::string chainFailureKey(int error) {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "signature.expired";
    case X509_V_ERR_CERT_REVOKED:
      return "signature.revoked";
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return "signature.revocation_unknown";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "signature.untrusted";
    default:
      return "signature.invalid";
  }
}

// The most telling problem first: an unknown CA explains everything after it, and a certificate
// that is revoked or expired is refused whatever the state of the CRLs.
constexpr std::string_view kChainProblems[] = {"signature.untrusted", "signature.revoked",
                                               "signature.expired", "signature.revocation_unknown",
                                               "signature.invalid"};

// Records every chain error and lets verification go on, since OpenSSL checks revocation before
// validity and stops at the first error; verifyChain picks the most telling one.
int recordChainError(int ok, X509_STORE_CTX* context) {
  if (ok != 1) {
    static_cast<std::vector<int>*>(X509_STORE_CTX_get_app_data(context))
        ->push_back(X509_STORE_CTX_get_error(context));
  }
  return 1;
}

// RFC 5280 §6: path to a configured CA, validity and revocation (the store's CRL flags) at `at`.
// The certificates in the signature only help to build the path; they are never trusted.
core::Result<void> verifyChain(X509* signer, STACK_OF(X509) * included, X509_STORE* store,
                               core::TimePoint at) {
  StoreContextPtr context(X509_STORE_CTX_new());
  std::vector<int> errors;
  if (!context || X509_STORE_CTX_init(context.get(), store, signer, included) != 1 ||
      X509_STORE_CTX_set_app_data(context.get(), &errors) != 1) {
    return detail::opensslError(core::ErrorKind::internal, "cannot set up chain verification");
  }
  X509_STORE_CTX_set_verify_cb(context.get(), recordChainError);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(context.get()),
                             static_cast<time_t>(at.time_since_epoch().count()));
  const bool completed = X509_verify_cert(context.get()) == 1;
  if (completed && errors.empty()) return {};
  if (errors.empty()) errors.push_back(X509_V_ERR_UNSPECIFIED);  // failure must never read as OK
  std::vector<std::string> keys;
  std::ranges::transform(errors, std::back_inserter(keys), chainFailureKey);
  return refusal(std::string(*std::ranges::find_if(kChainProblems, [&](std::string_view key) {
    return std::ranges::find(keys, key) != keys.end();
  })));
}

bool contains(const std::vector<std::string>& values, std::initializer_list<std::string_view> any) {
  return std::ranges::any_of(any, [&](std::string_view value) {
    return std::ranges::find(values, value) != values.end();
  });
}

// RFC 5280 §4.2.1.3: signing needs digitalSignature or nonRepudiation (PKIoverheid login
// certificates carry the first, card signature certificates the second); PKIoverheid always sets
// keyUsage, so a certificate without it is not one of theirs. §4.2.1.12: an extendedKeyUsage, if
// present, must allow signing documents: emailProtection (S/MIME), documentSigning (RFC 9336 and
// Microsoft's 1.3.6.1.4.1.311.10.3.12) or anyExtendedKeyUsage. A CA key never signs orders.
bool fitForSigning(const Certificate& signer) {
  const CertificateContents contents = readContents(signer);
  return !contents.is_ca && contains(contents.key_usage, {"digitalSignature", "nonRepudiation"}) &&
         (contents.extended_key_usage.empty() ||
          contains(contents.extended_key_usage, {"emailProtection", "anyExtendedKeyUsage",
                                                 "1.3.6.1.5.5.7.3.36", "1.3.6.1.4.1.311.10.3.12"}));
}

// RFC 5652 §11.3: the signer's own claim of when they signed (a signed attribute, so not forged by
// anyone else, but chosen by the signer: never a basis for the validity checks).
std::optional<core::TimePoint> signingTime(CMS_SignerInfo* signer_info) {
  const int index = CMS_signed_get_attr_by_NID(signer_info, NID_pkcs9_signingTime, -1);
  if (index < 0) return std::nullopt;
  const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(signer_info, index), 0);
  if (value == nullptr ||
      (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME)) {
    return std::nullopt;
  }
  return detail::fromAsn1Time(value->value.asn1_string);
}

std::vector<Certificate> certificatesOf(STACK_OF(X509) * stack) {
  std::vector<Certificate> certificates;
  for (int i = 0; stack != nullptr && i < sk_X509_num(stack); ++i) {
    certificates.push_back(Certificate::fromHandle(sk_X509_value(stack, i)));
  }
  return certificates;
}

}  // namespace

core::Result<SignatureTrust> SignatureTrust::fromFiles(const std::string& ca_file,
                                                       const std::vector<std::string>& crl_files) {
  // An empty store: X509_STORE_new never reads the system's default paths.
  std::shared_ptr<X509_STORE> store(X509_STORE_new(), X509_STORE_free);
  if (!store) return detail::opensslError(core::ErrorKind::internal, "out of memory");
  if (X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
    return detail::opensslError(core::ErrorKind::invalid, "cannot load CA bundle " + ca_file);
  }
  for (const std::string& file : crl_files) {
    if (X509_STORE_load_file(store.get(), file.c_str()) != 1) {
      return detail::opensslError(core::ErrorKind::invalid, "cannot load CRL " + file);
    }
  }
  // Revocation of every certificate in the chain, as for the TLS login (PRODUCT.md §3, §4).
  if (X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL) != 1) {
    return detail::opensslError(core::ErrorKind::internal, "cannot set CRL checking");
  }
  return SignatureTrust(std::move(store));
}

core::Result<VerifiedSignature> verifyDetachedSignature(std::string_view signature,
                                                        std::string_view document,
                                                        const SignatureTrust& trust,
                                                        core::TimePoint at) {
  if (signature.size() > kMaxSignatureBytes) {
    return refusal("signature.too_large", core::ErrorKind::too_large);
  }
  const std::optional<std::string> der =
      looksLikePem(signature) ? pemBody(signature) : std::string(signature);
  CmsPtr cms = der ? parseContentInfo(*der) : CmsPtr();
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    return refusal("signature.unreadable");
  }
  // One person signs an order; several signers would leave open whose signature counts.
  STACK_OF(CMS_SignerInfo)* signer_infos = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(signer_infos) != 1) return refusal("signature.signer_count");
  CMS_SignerInfo* signer_info = sk_CMS_SignerInfo_value(signer_infos, 0);
  if (!hasStrongDigest(signer_info)) return refusal("signature.weak_algorithm");
  if (auto matched = matchEmbeddedContent(cms.get(), document); !matched) return matched.error();

  // The signature over exactly these bytes (CMS_BINARY: no MIME line-ending canonicalisation),
  // including the messageDigest attribute when there are signed attributes. The chain is checked
  // below at the caller's time, which CMS_verify cannot take per call.
  detail::BioPtr content = detail::memoryBio(document);
  if (!content) return detail::opensslError(core::ErrorKind::internal, "out of memory");
  if (CMS_verify(cms.get(), nullptr, nullptr, content.get(), nullptr,
                 CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
    return refusal(signatureFailureKey());
  }
  X509* signer = nullptr;
  CMS_SignerInfo_get0_algs(signer_info, nullptr, &signer, nullptr, nullptr);
  if (signer == nullptr) return refusal("signature.no_certificate");

  const detail::X509StackPtr included(CMS_get1_certs(cms.get()));
  if (auto chain = verifyChain(signer, included.get(), trust.handle(), at); !chain) {
    return chain.error();
  }
  VerifiedSignature verified{Certificate::fromHandle(signer), certificatesOf(included.get()),
                             signingTime(signer_info)};
  if (!fitForSigning(verified.signer)) return refusal("signature.wrong_usage");
  return verified;
}

}  // namespace pki
