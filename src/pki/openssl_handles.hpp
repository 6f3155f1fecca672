#pragma once
// Internal to the pki layer: owning handles for OpenSSL objects, so that every early return
// frees what it allocated. Never included outside src/pki.

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace pki::detail {

/// Calls an OpenSSL free function; a distinct type per function keeps unique_ptr pointer-sized.
template <auto Free>
struct OpenSslDeleter {
  template <class T>
  void operator()(T* object) const {
    Free(object);
  }
};

/// An owning pointer to an OpenSSL object of type T released with Free.
template <class T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<Free>>;

/// Frees a STACK_OF(X509) and the certificates in it.
inline void freeX509Stack(STACK_OF(X509) * stack) {
  sk_X509_pop_free(stack, X509_free);
}
/// Frees a STACK_OF(X509_NAME) and the names in it.
inline void freeX509NameStack(STACK_OF(X509_NAME) * stack) {
  sk_X509_NAME_pop_free(stack, X509_NAME_free);
}
/// Frees an EXTENDED_KEY_USAGE (a STACK_OF(ASN1_OBJECT)) and its objects.
inline void freeObjectStack(STACK_OF(ASN1_OBJECT) * stack) {
  sk_ASN1_OBJECT_pop_free(stack, ASN1_OBJECT_free);
}

using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1ObjectPtr = OpenSslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1OctetStringPtr = OpenSslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1BitStringPtr = OpenSslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using Asn1TimePtr = OpenSslPtr<ASN1_TIME, ASN1_TIME_free>;
using AuthorityKeyIdPtr = OpenSslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using BasicConstraintsPtr = OpenSslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using BigNumPtr = OpenSslPtr<BIGNUM, BN_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using CertificatePoliciesPtr = OpenSslPtr<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>;
using CrlDistPointsPtr = OpenSslPtr<CRL_DIST_POINTS, CRL_DIST_POINTS_free>;
using DistPointPtr = OpenSslPtr<DIST_POINT, DIST_POINT_free>;
using EvpMdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpPkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using ExtendedKeyUsagePtr = OpenSslPtr<EXTENDED_KEY_USAGE, freeObjectStack>;
using GeneralNamePtr = OpenSslPtr<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = OpenSslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using Pkcs12Ptr = OpenSslPtr<PKCS12, PKCS12_free>;
using PolicyInfoPtr = OpenSslPtr<POLICYINFO, POLICYINFO_free>;
using SslCtxPtr = OpenSslPtr<SSL_CTX, SSL_CTX_free>;
using SslPtr = OpenSslPtr<SSL, SSL_free>;
using SslSessionPtr = OpenSslPtr<SSL_SESSION, SSL_SESSION_free>;
using X509CrlPtr = OpenSslPtr<X509_CRL, X509_CRL_free>;
using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using X509NameStackPtr = OpenSslPtr<STACK_OF(X509_NAME), freeX509NameStack>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509RevokedPtr = OpenSslPtr<X509_REVOKED, X509_REVOKED_free>;
using X509StackPtr = OpenSslPtr<STACK_OF(X509), freeX509Stack>;
using X509StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;

}  // namespace pki::detail
