#pragma once
// Internal to the pki layer: small conversions between OpenSSL types and the project's types,
// shared by the certificate, CRL, PKCS#12 and TLS code. Never included outside src/pki.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "pki/openssl_handles.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pki::detail {

/// An Error of `kind` saying `what` failed, with OpenSSL's first queued reason appended; clears
/// the queue so that a stale reason never shows up in a later, unrelated error.
core::Error opensslError(core::ErrorKind kind, std::string_view what);

/// A read-only memory BIO over `data` (which must outlive it).
BioPtr memoryBio(std::string_view data);
/// A read-only memory BIO over `data` (which must outlive it).
BioPtr memoryBio(std::span<const std::uint8_t> data);
/// A fresh writable memory BIO.
BioPtr writableBio();
/// Everything written to a memory BIO, as text.
std::string bioText(BIO* bio);

/// After a PEM read loop returned nullptr: true (and the queue cleared) if that was only the
/// end of the input, false if a PEM block was malformed.
bool reachedEndOfPem();

/// Converts an ASN.1 UTCTime/GeneralizedTime to a TimePoint.
core::TimePoint fromAsn1Time(const ASN1_TIME* time);
/// Converts a TimePoint to UTCTime before 2050 and GeneralizedTime after (RFC 5280 §4.1.2.5).
Asn1TimePtr toAsn1Time(core::TimePoint time);

/// Lower-case hex of a non-negative INTEGER without leading zeros ("0" for zero).
std::string integerToHex(const ASN1_INTEGER* integer);
/// Parses hex (as written by integerToHex) into an INTEGER; nullptr if not hex.
Asn1IntegerPtr integerFromHex(std::string_view hex);

/// A digest context ready for EVP_DigestSign with `key`: SHA-256, except ECDSA P-384 with
/// SHA-384 (keep hash and curve strength equal); RSA-PSS (salt = digest length) if `rsa_pss`.
core::Result<EvpMdCtxPtr> signingContext(EVP_PKEY* key, bool rsa_pss);

/// RFC 5280 §4.2.1.2 method 1: SHA-1 of the certificate's subjectPublicKey.
core::Result<Asn1OctetStringPtr> publicKeyIdentifier(const X509* certificate);
/// The subjectKeyIdentifier of a finished `certificate`, or publicKeyIdentifier if it has none.
core::Result<Asn1OctetStringPtr> keyIdentifier(const X509* certificate);
/// An authorityKeyIdentifier extension value holding `key_id`.
core::Result<AuthorityKeyIdPtr> authorityKeyId(const ASN1_OCTET_STRING* key_id);

/// Runs `steps` in order and stops at the first that fails, returning its error.
core::Result<void> firstError(std::initializer_list<std::function<core::Result<void>()>> steps);

/// Reads a whole file; ErrorKind::invalid naming the file if it cannot be read.
core::Result<std::string> readTextFile(const std::string& path);

}  // namespace pki::detail
