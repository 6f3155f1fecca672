#include "pki/certificate_builder.hpp"

#include "pki/crypto.hpp"
#include "pki/openssl_support.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <array>
#include <utility>

namespace pki {
namespace {

using detail::opensslError;

core::Error invalid(std::string message) {
  return core::makeError(core::ErrorKind::invalid, std::move(message));
}

core::Result<void> checkSerial(std::span<const std::uint8_t> serial) {
  // RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets.
  if (serial.empty() || serial.size() > 20) return invalid("serial must be 1 to 20 bytes");
  if ((serial.front() & 0x80) != 0) return invalid("serial must have its high bit clear");
  if (std::all_of(serial.begin(), serial.end(), [](std::uint8_t b) { return b == 0; })) {
    return invalid("serial must not be zero");
  }
  return {};
}

core::Result<void> setSerial(X509* certificate, std::span<const std::uint8_t> serial) {
  if (auto checked = checkSerial(serial); !checked) return checked.error();
  detail::BigNumPtr number(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  detail::Asn1IntegerPtr integer(number ? BN_to_ASN1_INTEGER(number.get(), nullptr) : nullptr);
  if (!integer || X509_set_serialNumber(certificate, integer.get()) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot set serial");
  }
  return {};
}

core::Result<void> setValidity(X509* certificate, core::TimePoint not_before,
                               core::TimePoint not_after) {
  if (not_after <= not_before) return invalid("notAfter must be later than notBefore");
  const detail::Asn1TimePtr start = detail::toAsn1Time(not_before);
  const detail::Asn1TimePtr end = detail::toAsn1Time(not_after);
  if (!start || !end || X509_set1_notBefore(certificate, start.get()) != 1 ||
      X509_set1_notAfter(certificate, end.get()) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot set validity");
  }
  return {};
}

core::Result<void> setSubject(X509* certificate, const std::vector<SubjectAttribute>& subject) {
  X509_NAME* name = X509_get_subject_name(certificate);
  for (const SubjectAttribute& attribute : subject) {
    // MBSTRING_UTF8 lets OpenSSL pick the string type RFC 5280 wants per attribute
    // (PrintableString for C and serialNumber, UTF8String otherwise).
    if (X509_NAME_add_entry_by_txt(name, attribute.type.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(attribute.value.data()),
                                   static_cast<int>(attribute.value.size()), -1, 0) != 1) {
      return opensslError(core::ErrorKind::invalid, "invalid subject attribute " + attribute.type);
    }
  }
  return {};
}

core::Result<void> setIssuerAndKey(X509* certificate, const Certificate* issuer,
                                   EVP_PKEY* subject_key) {
  // A root names itself as issuer, so its subject must be set first.
  const X509_NAME* issuer_name = X509_get_subject_name(issuer ? issuer->handle() : certificate);
  if (X509_set_issuer_name(certificate, issuer_name) != 1 ||
      X509_set_pubkey(certificate, subject_key) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot set issuer or public key");
  }
  return {};
}

core::Result<void> addExtension(X509* certificate, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(certificate, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    return opensslError(core::ErrorKind::internal, std::string("cannot add ") + OBJ_nid2sn(nid));
  }
  return {};
}

core::Result<void> addBasicConstraints(X509* certificate, const CertificateSpec& spec) {
  detail::BasicConstraintsPtr constraints(BASIC_CONSTRAINTS_new());
  if (!constraints) return opensslError(core::ErrorKind::internal, "out of memory");
  constraints->ca = spec.is_ca ? 0xFF : 0;
  if (spec.path_length) {
    if (!spec.is_ca || *spec.path_length < 0) return invalid("pathLenConstraint needs a CA");
    constraints->pathlen = ASN1_INTEGER_new();
    if (constraints->pathlen == nullptr ||
        ASN1_INTEGER_set_int64(constraints->pathlen, *spec.path_length) != 1) {
      return opensslError(core::ErrorKind::internal, "cannot set pathLenConstraint");
    }
  }
  // RFC 5280 §4.2.1.9: critical in CA certificates; PKIoverheid marks it critical everywhere.
  return addExtension(certificate, NID_basic_constraints, constraints.get(), true);
}

core::Result<void> addKeyUsage(X509* certificate, const std::vector<std::string>& usages) {
  static constexpr std::array<std::string_view, 7> kBits = {
      "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
      "keyAgreement",     "keyCertSign",    "cRLSign"};
  if (usages.empty()) return {};
  detail::Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits) return opensslError(core::ErrorKind::internal, "out of memory");
  for (const std::string& usage : usages) {
    const auto found = std::find(kBits.begin(), kBits.end(), usage);
    if (found == kBits.end()) return invalid("unknown key usage " + usage);
    if (ASN1_BIT_STRING_set_bit(bits.get(), static_cast<int>(found - kBits.begin()), 1) != 1) {
      return opensslError(core::ErrorKind::internal, "cannot set key usage");
    }
  }
  // RFC 5280 §4.2.1.3: conforming CAs SHOULD mark keyUsage critical.
  return addExtension(certificate, NID_key_usage, bits.get(), true);
}

core::Result<void> addExtendedKeyUsage(X509* certificate, const std::vector<std::string>& usages) {
  if (usages.empty()) return {};
  detail::ExtendedKeyUsagePtr purposes(sk_ASN1_OBJECT_new_null());
  if (!purposes) return opensslError(core::ErrorKind::internal, "out of memory");
  for (const std::string& usage : usages) {
    detail::Asn1ObjectPtr object(OBJ_txt2obj(usage.c_str(), 0));
    if (!object)
      return opensslError(core::ErrorKind::invalid, "unknown extended key usage " + usage);
    if (sk_ASN1_OBJECT_push(purposes.get(), object.get()) <= 0) {
      return opensslError(core::ErrorKind::internal, "out of memory");
    }
    object.release();
  }
  return addExtension(certificate, NID_ext_key_usage, purposes.get(), false);
}

// An IA5String GeneralName (dNSName, rfc822Name, URI); these are ASCII by definition.
core::Result<detail::GeneralNamePtr> ia5Name(int type, std::string_view value) {
  if (value.empty() || std::any_of(value.begin(), value.end(),
                                   [](unsigned char c) { return c < 0x20 || c > 0x7E; })) {
    return invalid("invalid name \"" + std::string(value) + "\"");
  }
  detail::GeneralNamePtr name(GENERAL_NAME_new());
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  if (!name || text == nullptr ||
      ASN1_STRING_set(text, value.data(), static_cast<int>(value.size())) != 1) {
    ASN1_IA5STRING_free(text);
    return opensslError(core::ErrorKind::internal, "out of memory");
  }
  GENERAL_NAME_set0_value(name.get(), type, text);
  return name;
}

core::Result<detail::GeneralNamePtr> ipName(const std::string& address) {
  ASN1_OCTET_STRING* octets = a2i_IPADDRESS(address.c_str());
  if (octets == nullptr)
    return opensslError(core::ErrorKind::invalid, "invalid IP address " + address);
  detail::GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) {
    ASN1_OCTET_STRING_free(octets);
    return opensslError(core::ErrorKind::internal, "out of memory");
  }
  GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets);
  return name;
}

core::Result<void> push(GENERAL_NAMES* names, core::Result<detail::GeneralNamePtr> name) {
  if (!name) return name.error();
  if (sk_GENERAL_NAME_push(names, name->get()) <= 0) {
    return opensslError(core::ErrorKind::internal, "out of memory");
  }
  name->release();
  return {};
}

core::Result<detail::GeneralNamesPtr> uriNames(const std::string& uri) {
  detail::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return opensslError(core::ErrorKind::internal, "out of memory");
  if (auto pushed = push(names.get(), ia5Name(GEN_URI, uri)); !pushed) return pushed.error();
  return names;
}

core::Result<void> addSubjectAltName(X509* certificate, const CertificateSpec& spec) {
  detail::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return opensslError(core::ErrorKind::internal, "out of memory");
  for (const std::string& dns : spec.dns_names) {
    if (auto pushed = push(names.get(), ia5Name(GEN_DNS, dns)); !pushed) return pushed;
  }
  for (const std::string& ip : spec.ip_addresses) {
    if (auto pushed = push(names.get(), ipName(ip)); !pushed) return pushed;
  }
  for (const std::string& email : spec.email_addresses) {
    if (auto pushed = push(names.get(), ia5Name(GEN_EMAIL, email)); !pushed) return pushed;
  }
  if (sk_GENERAL_NAME_num(names.get()) == 0) return {};
  // RFC 5280 §4.2.1.6: critical only when the subject is empty.
  const bool critical = spec.subject.empty();
  return addExtension(certificate, NID_subject_alt_name, names.get(), critical);
}

core::Result<void> addPolicies(X509* certificate, const std::vector<std::string>& oids) {
  if (oids.empty()) return {};
  detail::CertificatePoliciesPtr policies(sk_POLICYINFO_new_null());
  if (!policies) return opensslError(core::ErrorKind::internal, "out of memory");
  for (const std::string& oid : oids) {
    detail::PolicyInfoPtr info(POLICYINFO_new());
    detail::Asn1ObjectPtr id(OBJ_txt2obj(oid.c_str(), 1));
    if (!id) return opensslError(core::ErrorKind::invalid, "invalid policy OID " + oid);
    if (!info) return opensslError(core::ErrorKind::internal, "out of memory");
    ASN1_OBJECT_free(info->policyid);
    info->policyid = id.release();
    if (sk_POLICYINFO_push(policies.get(), info.get()) <= 0) {
      return opensslError(core::ErrorKind::internal, "out of memory");
    }
    info.release();
  }
  return addExtension(certificate, NID_certificate_policies, policies.get(), false);
}

core::Result<void> addCrlDistributionPoints(X509* certificate,
                                            const std::vector<std::string>& uris) {
  if (uris.empty()) return {};
  detail::CrlDistPointsPtr points(sk_DIST_POINT_new_null());
  if (!points) return opensslError(core::ErrorKind::internal, "out of memory");
  for (const std::string& uri : uris) {
    auto names = uriNames(uri);
    if (!names) return names.error();
    detail::DistPointPtr point(DIST_POINT_new());
    if (!point || (point->distpoint = DIST_POINT_NAME_new()) == nullptr) {
      return opensslError(core::ErrorKind::internal, "out of memory");
    }
    point->distpoint->type = 0;  // fullName
    point->distpoint->name.fullname = names->release();
    if (sk_DIST_POINT_push(points.get(), point.get()) <= 0) {
      return opensslError(core::ErrorKind::internal, "out of memory");
    }
    point.release();
  }
  return addExtension(certificate, NID_crl_distribution_points, points.get(), false);
}

core::Result<void> addKeyIdentifiers(X509* certificate, const Certificate* issuer) {
  // The certificate under construction is hashed directly: asking OpenSSL for its extensions
  // now would cache their absence in the object.
  auto subject_key_id = detail::publicKeyIdentifier(certificate);
  if (!subject_key_id) return subject_key_id.error();
  auto issuer_key_id =
      issuer ? detail::keyIdentifier(issuer->handle()) : detail::publicKeyIdentifier(certificate);
  if (!issuer_key_id) return issuer_key_id.error();
  auto authority_key_id = detail::authorityKeyId(issuer_key_id->get());
  if (!authority_key_id) return authority_key_id.error();
  if (auto added =
          addExtension(certificate, NID_subject_key_identifier, subject_key_id->get(), false);
      !added) {
    return added;
  }
  return addExtension(certificate, NID_authority_key_identifier, authority_key_id->get(), false);
}

core::Result<void> checkIssuerKey(const PrivateKey& subject_key, const Certificate* issuer,
                                  const PrivateKey& issuer_key) {
  const bool matches = issuer ? X509_check_private_key(issuer->handle(), issuer_key.handle()) == 1
                              : EVP_PKEY_eq(subject_key.handle(), issuer_key.handle()) == 1;
  ERR_clear_error();
  if (!matches) return invalid("issuer key does not match the issuer");
  return {};
}

// Encodes everything but the signature.
core::Result<detail::X509Ptr> build(const CertificateSpec& spec, EVP_PKEY* subject_key,
                                    const Certificate* issuer) {
  detail::X509Ptr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1) {
    return opensslError(core::ErrorKind::internal, "out of memory");
  }
  X509* x = certificate.get();
  auto built = detail::firstError({
      [&] { return setSerial(x, spec.serial); },
      [&] { return setValidity(x, spec.not_before, spec.not_after); },
      [&] { return setSubject(x, spec.subject); },
      [&] { return setIssuerAndKey(x, issuer, subject_key); },
      [&] { return addBasicConstraints(x, spec); },
      [&] { return addKeyUsage(x, spec.key_usage); },
      [&] { return addExtendedKeyUsage(x, spec.extended_key_usage); },
      [&] { return addSubjectAltName(x, spec); },
      [&] { return addPolicies(x, spec.policy_oids); },
      [&] { return addCrlDistributionPoints(x, spec.crl_distribution_points); },
      [&] { return addKeyIdentifiers(x, issuer); },
  });
  if (!built) return built.error();
  return certificate;
}

core::Result<Certificate> sign(X509* x, const PrivateKey& issuer_key, bool rsa_pss) {
  auto signing = detail::signingContext(issuer_key.handle(), rsa_pss);
  if (!signing) return signing.error();
  if (X509_sign_ctx(x, signing->get()) <= 0) {
    return opensslError(core::ErrorKind::internal, "cannot sign certificate");
  }
  // Re-read the encoding so the result is exactly what a relying party parses, with no state
  // cached in the OpenSSL object while it was being built.
  return Certificate::fromDer(Certificate::fromHandle(x).toDer());
}

}  // namespace

core::Result<Certificate> issueCertificate(const CertificateSpec& spec,
                                           const PrivateKey& subject_key, const Certificate* issuer,
                                           const PrivateKey& issuer_key, bool rsa_pss) {
  if (auto checked = checkIssuerKey(subject_key, issuer, issuer_key); !checked) {
    return checked.error();
  }
  auto built = build(spec, subject_key.handle(), issuer);
  if (!built) return built.error();
  return sign(built->get(), issuer_key, rsa_pss);
}

std::string UnsignedCertificate::tbsSha256() const {
  unsigned char* der = nullptr;
  const int length = i2d_re_X509_tbs(certificate_.handle(), &der);
  if (length <= 0) return {};
  const std::string hex =
      sha256Hex(std::string_view(reinterpret_cast<const char*>(der), std::size_t(length)));
  OPENSSL_free(der);
  return hex;
}

core::Result<UnsignedCertificate> buildCertificate(const CertificateSpec& spec,
                                                   const PublicKey& subject_key,
                                                   const Certificate& issuer) {
  auto built = build(spec, subject_key.handle(), &issuer);
  if (!built) return built.error();
  return UnsignedCertificate(Certificate::fromHandle(built->get()));
}

core::Result<Certificate> signCertificate(UnsignedCertificate certificate,
                                          const Certificate& issuer, const PrivateKey& issuer_key,
                                          bool rsa_pss) {
  auto signed_certificate = sign(certificate.certificate_.handle(), issuer_key, rsa_pss);
  if (!signed_certificate) return signed_certificate.error();
  const int verified = X509_verify(signed_certificate->handle(), X509_get0_pubkey(issuer.handle()));
  ERR_clear_error();
  if (verified != 1) return invalid("issuer key does not match the issuer");
  return signed_certificate;
}

}  // namespace pki
