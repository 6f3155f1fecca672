#include "pki/crl.hpp"

#include "pki/openssl_support.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <utility>

namespace pki {
namespace {

using detail::opensslError;
using Asn1EnumeratedPtr = detail::OpenSslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;

// The names RFC 5280 §5.3.1 gives the CRLReason values, as revocations record them.
constexpr std::array<std::pair<std::string_view, RevocationReason>, 10> kReasonNames = {{
    {"unspecified", RevocationReason::unspecified},
    {"keyCompromise", RevocationReason::key_compromise},
    {"cACompromise", RevocationReason::ca_compromise},
    {"affiliationChanged", RevocationReason::affiliation_changed},
    {"superseded", RevocationReason::superseded},
    {"cessationOfOperation", RevocationReason::cessation_of_operation},
    {"certificateHold", RevocationReason::certificate_hold},
    {"removeFromCRL", RevocationReason::remove_from_crl},
    {"privilegeWithdrawn", RevocationReason::privilege_withdrawn},
    {"aACompromise", RevocationReason::aa_compromise},
}};

core::Result<void> setTimes(X509_CRL* crl, core::TimePoint this_update,
                            core::TimePoint next_update) {
  if (next_update <= this_update) {
    return core::makeError(core::ErrorKind::invalid, "nextUpdate must be later than thisUpdate");
  }
  const detail::Asn1TimePtr last = detail::toAsn1Time(this_update);
  const detail::Asn1TimePtr next = detail::toAsn1Time(next_update);
  if (!last || !next || X509_CRL_set1_lastUpdate(crl, last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl, next.get()) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot set CRL times");
  }
  return {};
}

// Adds the reasonCode entry extension (RFC 5280 §5.3.1), which is absent for unspecified.
bool addReason(X509_REVOKED* entry, RevocationReason reason) {
  if (reason == RevocationReason::unspecified) return true;
  const Asn1EnumeratedPtr code(ASN1_ENUMERATED_new());
  return code && ASN1_ENUMERATED_set(code.get(), static_cast<long>(reason)) == 1 &&
         X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, code.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

core::Result<void> addRevoked(X509_CRL* crl, const RevokedCertificate& revoked) {
  const detail::Asn1IntegerPtr serial = detail::integerFromHex(revoked.serial_hex);
  if (!serial) {
    return core::makeError(core::ErrorKind::invalid, "invalid serial " + revoked.serial_hex);
  }
  const detail::Asn1TimePtr date = detail::toAsn1Time(revoked.revoked_at);
  detail::X509RevokedPtr entry(X509_REVOKED_new());
  if (!entry || !date || X509_REVOKED_set_serialNumber(entry.get(), serial.get()) != 1 ||
      X509_REVOKED_set_revocationDate(entry.get(), date.get()) != 1 ||
      !addReason(entry.get(), revoked.reason) || X509_CRL_add0_revoked(crl, entry.get()) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot add revoked certificate");
  }
  entry.release();  // owned by the CRL now
  return {};
}

core::Result<void> addExtensions(X509_CRL* crl, const Certificate& issuer,
                                 std::int64_t crl_number) {
  detail::Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (crl_number < 0) return core::makeError(core::ErrorKind::invalid, "negative CRL number");
  if (!number || ASN1_INTEGER_set_int64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl, NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot add CRL number");
  }
  auto key_id = detail::keyIdentifier(issuer.handle());
  if (!key_id) return key_id.error();
  auto authority_key_id = detail::authorityKeyId(key_id->get());
  if (!authority_key_id) return authority_key_id.error();
  if (X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, authority_key_id->get(), 0,
                            X509V3_ADD_DEFAULT) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot add authority key identifier");
  }
  return {};
}

core::Result<void> sign(X509_CRL* crl, const PrivateKey& issuer_key) {
  auto signing = detail::signingContext(issuer_key.handle(), false);
  if (!signing) return signing.error();
  if (X509_CRL_sign_ctx(crl, signing->get()) <= 0) {
    return opensslError(core::ErrorKind::internal, "cannot sign CRL");
  }
  return {};
}

}  // namespace

std::optional<RevocationReason> revocationReasonFromName(std::string_view name) {
  for (const auto& [reason_name, reason] : kReasonNames) {
    if (reason_name == name) return reason;
  }
  return std::nullopt;
}

core::Result<std::string> issueCrl(const Certificate& issuer, const PrivateKey& issuer_key,
                                   std::span<const RevokedCertificate> revoked,
                                   core::TimePoint this_update, core::TimePoint next_update,
                                   std::int64_t crl_number) {
  detail::X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.handle())) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot start CRL");
  }
  X509_CRL* c = crl.get();
  auto built = detail::firstError({
      [&] { return setTimes(c, this_update, next_update); },
      [&]() -> core::Result<void> {
        for (const RevokedCertificate& entry : revoked) {
          if (auto added = addRevoked(c, entry); !added) return added;
        }
        X509_CRL_sort(c);
        return {};
      },
      [&] { return addExtensions(c, issuer, crl_number); },
      [&] { return sign(c, issuer_key); },
  });
  if (!built) return built.error();
  // Verified after signing rather than comparing keys first: a key in a token (PKCS#11) need
  // not expose its public half, and this also catches a token that signs wrongly.
  const int verified = X509_CRL_verify(c, X509_get0_pubkey(issuer.handle()));
  ERR_clear_error();
  if (verified != 1) {
    return core::makeError(core::ErrorKind::invalid, "issuer key does not match the issuer");
  }
  detail::BioPtr bio = detail::writableBio();
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), c) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot encode CRL");
  }
  return detail::bioText(bio.get());
}

core::Result<std::vector<std::uint8_t>> crlPemToDer(std::string_view pem) {
  detail::BioPtr bio = detail::memoryBio(pem);
  detail::X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return opensslError(core::ErrorKind::invalid, "not a PEM CRL");
  const int size = i2d_X509_CRL(crl.get(), nullptr);
  if (size <= 0) return opensslError(core::ErrorKind::internal, "cannot encode CRL");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
  unsigned char* cursor = der.data();
  i2d_X509_CRL(crl.get(), &cursor);
  return der;
}

}  // namespace pki
