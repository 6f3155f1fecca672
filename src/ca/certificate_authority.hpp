#pragma once
// The built-in CA (PRODUCT.md §8): issues certificates from product profiles in recorded steps,
// in the order of Let's Encrypt Boulder's ca/ca.go: build → check the to-be-signed certificate
// against its profile → reserve its unique serial as checked → sign → store with its audit
// record. Two commits (ADR 0018): the serial and the order's one issuance are on record before
// anything is signed, and the certificate is stored with its audit record before it is returned,
// so an interrupted issuance is found by reconcile() and finished or marked.

#include "audit/audit_record.hpp"
#include "ca/key_check.hpp"
#include "ca/product_profile.hpp"
#include "ca/signer.hpp"
#include "core/certificate.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/order.hpp"
#include "core/random.hpp"
#include "metrics/registry.hpp"
#include "pki/certificate.hpp"
#include "pki/certificate_builder.hpp"
#include "pki/public_key.hpp"
#include "storage/certificate_store.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ca {

/// One issuing CA: its certificate, its key (through a Signer) and its CRL.
struct IssuingCa {
  std::string name;  ///< as products name it, e.g. "persons-ca"
  pki::Certificate certificate;
  const Signer* signer = nullptr;  ///< not owned; outlives the CertificateAuthority
  std::filesystem::path crl_file;  ///< PEM CRL (re)written by publishCrl; empty: none
  std::chrono::hours crl_validity{7 * 24};
  std::string crl_url;  ///< cRLDistributionPoints of issued certificates; empty: none
};

/// Who a certificate belongs to and who asked for it (stored with it, and in the issuance
/// record so reconcile can store a signed certificate after a crash).
struct Ownership {
  std::optional<core::OrganisationId> organisation;
  std::optional<core::PersonId> holder;
  std::optional<core::CardId> card;
  std::optional<core::PersonId> manager;       ///< linked certificate manager (CB)
  std::optional<core::PersonId> requested_by;  ///< ordering contact person
  /// The order it is issued for: at most one issuance per order is under way or done.
  std::optional<core::OrderId> order;
};

/// What to issue.
struct IssuanceRequest {
  std::string product;
  std::vector<pki::SubjectAttribute> subject;
  std::vector<std::string> dns_names;
  std::vector<std::string> email_addresses;
  Ownership owner;
  std::optional<core::TimePoint> not_before;  ///< default: now
  std::optional<core::TimePoint> not_after;   ///< default: not_before + the product's term
  /// Demo data only (`init-dev`): lets not_before lie in the past, for expired examples.
  bool demo_backdating = false;
};

/// What reconcile() did.
struct ReconcileReport {
  int stored = 0;  ///< signed certificates that were stored
  int failed = 0;  ///< abandoned issuances marked failed
};

/// Issues, revokes and publishes CRLs.
class CertificateAuthority {
 public:
  /// A CA over `issuers` and `profiles` that records its steps in `store`, checks every key and
  /// name again with `keys` before signing (ADR 0024), and counts and times its issuances in
  /// `metrics` if given (ADR 0016). `keys` and `metrics` are not owned and outlive the CA.
  CertificateAuthority(std::vector<IssuingCa> issuers, std::vector<ProductProfile> profiles,
                       storage::CertificateStore& store, const KeyCheck& keys,
                       const core::Clock& clock, core::RandomSource& random,
                       metrics::Registry* metrics = nullptr);

  /// Issues a certificate for `public_key`. First the key and the DNS names are checked again
  /// (KeyCheck::checkKey, policy::checkDnsName: invalid on field "csr" with a "csr." key, and
  /// nothing recorded). invalid "certificate.profile_mismatch" (with the problems as fields) if
  /// the result would not match its profile: then nothing is signed and the issuance is recorded
  /// failed.
  core::Result<core::IssuedCertificate> issue(const IssuanceRequest& request,
                                              const pki::PublicKey& public_key,
                                              const audit::Actor& actor);
  /// Records a certificate this CA signed outside the portal (the dev PKI's login
  /// certificates, a migration): it must verify under the CA and match its profile.
  core::Result<core::IssuedCertificate> adopt(const std::string& pem, const std::string& product,
                                              const Ownership& owner, const audit::Actor& actor);
  /// Revokes a certificate (RFC 5280 §5.3.1 reason name); the next publishCrl lists it.
  core::Result<void> revoke(core::CertificateId certificate, const std::string& reason,
                            const audit::Actor& actor);
  /// Issues the next CRL of one CA, records it in the database (where every portal node finds
  /// it) and writes it to its crl_file; returns the CRL (PEM).
  core::Result<std::string> publishCrl(const std::string& issuing_ca);
  /// Whether one CA needs a new CRL: none was published, half its validity has passed, or the
  /// newest one lists fewer certificates than the CA has revoked by now.
  core::Result<bool> crlDue(const std::string& issuing_ca) const;
  /// Writes the newest CRL in the database to this node's crl_file when the file differs (a
  /// CRL published by another node); true when the file was replaced.
  core::Result<bool> syncCrlFile(const std::string& issuing_ca) const;
  /// Finishes issuances older than `stale_after` (younger ones may still be under way, on this
  /// node or another): stores signed-but-unstored ones; marks reserved/checked ones failed
  /// (interrupted before their certificate was recorded: whatever was signed never left the
  /// process, so nothing exists to finish).
  core::Result<ReconcileReport> reconcile(std::chrono::minutes stale_after);

  /// The configured issuing CAs.
  const std::vector<IssuingCa>& issuers() const { return issuers_; }
  /// The configured products.
  const std::vector<ProductProfile>& profiles() const { return profiles_; }
  /// The key check this CA applies before signing: the one every path that certifies a key uses.
  const KeyCheck& keys() const { return keys_; }

 private:
  /// The metric series of one product, taken once (ADR 0016).
  struct ProductMetrics {
    prometheus::Counter* issued = nullptr;
    prometheus::Counter* failed = nullptr;
    prometheus::Histogram* duration = nullptr;
  };

  core::Result<core::IssuedCertificate> issueSteps(const ProductProfile& profile,
                                                   const IssuanceRequest& request,
                                                   const pki::PublicKey& public_key,
                                                   const audit::Actor& actor);
  const IssuingCa* findIssuer(const std::string& name) const;
  /// A built certificate whose serial is reserved, checked against its profile.
  struct Checked {
    storage::IssuanceId issuance = 0;
    pki::UnsignedCertificate certificate;
  };

  core::Result<Checked> buildAndReserve(const IssuingCa& issuer, const ProductProfile& profile,
                                        pki::CertificateSpec spec, const IssuanceRequest& request,
                                        const pki::PublicKey& public_key,
                                        const std::string& recorded_request);
  core::Error recordFailed(const IssuingCa& issuer, const ProductProfile& profile,
                           const std::vector<std::uint8_t>& serial,
                           const std::string& recorded_request,
                           const std::optional<core::OrderId>& order, const core::Error& error);
  core::Result<core::IssuedCertificate> store(storage::IssuanceId issuance,
                                              const pki::Certificate& certificate,
                                              const ProductProfile& profile, const Ownership& owner,
                                              const audit::Actor& actor);

  std::vector<IssuingCa> issuers_;
  std::vector<ProductProfile> profiles_;
  storage::CertificateStore& store_;
  const KeyCheck& keys_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  std::vector<ProductMetrics> metrics_;  ///< by position in profiles_; empty without metrics
};

}  // namespace ca
