#pragma once
// The write side of the certificate inventory: the CA's recorded issuance steps (serial reserved
// for a checked certificate → stored, or failed; signed when storing failed; ADR 0018), issued
// certificates with their audit record, cards, revocations and CRL numbers (PRODUCT.md §8;
// Boulder's ca/ca.go safety order). Reading is in CertificateInventory.

#include "audit/audit_record.hpp"
#include "core/certificate.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace storage {

/// Id of an issuances row.
using IssuanceId = std::int64_t;

/// Where an issuance stands.
enum class IssuanceState { reserved, checked, signed_, stored, failed };

/// An issuance that has not reached `stored` or `failed` (found by `mijncert ca reconcile`).
struct UnfinishedIssuance {
  IssuanceId id = 0;
  std::string issuing_ca;
  std::string serial_hex;
  std::string product;
  IssuanceState state = IssuanceState::reserved;
  std::string request;  ///< what the CA recorded to finish it (opaque to storage)
  std::string pem;      ///< the signed certificate, once signed
  core::TimePoint created_at;
};

/// One entry of a CRL.
struct RevokedSerial {
  std::string serial_hex;
  core::TimePoint revoked_at;
  std::string reason;  ///< RFC 5280 §5.3.1 reason name
};

/// A CRL as published (RFC 5280 §5), shared by every node.
struct PublishedCrl {
  std::string issuing_ca;
  std::int64_t number = 0;  ///< the CRL number
  std::string pem;
  core::TimePoint this_update;
  core::TimePoint next_update;
  std::int64_t revoked_count = 0;  ///< entries: the CA's revoked certificates when it was made
  bool operator==(const PublishedCrl&) const = default;
};

/// Records issuance steps and issued certificates.
class CertificateStore {
 public:
  CertificateStore(Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  /// Reserves `serial_hex` at `issuing_ca` (RFC 5280 §4.1.2.2: unique per issuer) and records
  /// what is needed to finish the issuance; conflict "certificate.serial_taken" if the serial was
  /// ever used by that CA. An issuance for an order is the only one under way or done for it:
  /// conflict "certificate.order_in_issuance" if another is (a failed one aside). Reserved only:
  /// for an issuance that failed before it could be checked.
  core::Result<IssuanceId> reserveSerial(const std::string& issuing_ca,
                                         const std::string& serial_hex, const std::string& product,
                                         const std::string& request,
                                         std::optional<std::int64_t> order = std::nullopt);
  /// Step 1 of an issuance: reserves the serial as reserveSerial does, for a to-be-signed
  /// certificate (SHA-256 `tbs_sha256`) that passed its profile check, in one commit.
  core::Result<IssuanceId> reserveChecked(const std::string& issuing_ca,
                                          const std::string& serial_hex, const std::string& product,
                                          const std::string& request, const std::string& tbs_sha256,
                                          std::optional<std::int64_t> order = std::nullopt);
  /// The certificate stored for an order, if its issuance got that far.
  core::Result<std::optional<core::CertificateId>> certificateForOrder(std::int64_t order);
  /// Keeps a checked issuance's signed certificate that could not be stored, so that reconcile
  /// stores it later.
  core::Result<void> markSigned(IssuanceId issuance, const std::string& pem);
  /// Ends an issuance that will never be signed (failed check, signer error, abandoned).
  core::Result<void> markFailed(IssuanceId issuance, const std::string& reason);
  /// Step 2: stores a checked (or kept signed) issuance's certificate with its SANs, marks the
  /// issuance stored and appends "certificate.issue", in one transaction; returns the
  /// certificate id.
  core::Result<core::CertificateId> storeIssued(IssuanceId issuance,
                                                const core::IssuedCertificate& certificate,
                                                const audit::Actor& actor);
  /// Issuances neither stored nor failed, oldest first.
  core::Result<std::vector<UnfinishedIssuance>> unfinishedIssuances();

  /// Creates a card (id and certificates ignored) with "card.create"; returns its id. A card
  /// made for an order is the only one for it: conflict "card.order_produced" for a second.
  core::Result<core::CardId> createCard(const core::Card& card, const audit::Actor& actor,
                                        std::optional<std::int64_t> order = std::nullopt);
  /// The card made for an order, if one was.
  core::Result<std::optional<core::CardId>> cardOfOrder(std::int64_t order);
  /// The products of the certificates a card has so far, e.g. "personal-authentication".
  core::Result<std::vector<std::string>> productsOfCard(core::CardId card);
  /// Revokes a certificate at `at` with an RFC 5280 reason name ("certificate.revoke");
  /// not_found for an unknown id, conflict "certificate.already_revoked".
  core::Result<void> revoke(core::CertificateId certificate, core::TimePoint at,
                            const std::string& reason, const audit::Actor& actor);
  /// The revoked certificates of one issuing CA, for its CRL.
  core::Result<std::vector<RevokedSerial>> revokedSerials(const std::string& issuing_ca);
  /// The next CRL number of `issuing_ca` (RFC 5280 §5.2.3: monotonically increasing), taken in
  /// a write transaction so two publishers never use the same number.
  core::Result<std::int64_t> nextCrlNumber(const std::string& issuing_ca);
  /// Publishes a CRL; conflict "crl.number_taken" if its CA already published that number.
  core::Result<void> recordCrl(const PublishedCrl& crl);
  /// The CRL of `issuing_ca` with the highest number; nullopt if none was published.
  core::Result<std::optional<PublishedCrl>> latestCrl(const std::string& issuing_ca);
  /// How many certificates of `issuing_ca` are revoked now. A CRL that lists fewer is out of
  /// date: counted, not compared by time, so neither a slow transaction nor another node's
  /// clock can hide a revocation.
  core::Result<std::int64_t> revokedCount(const std::string& issuing_ca);

 private:
  core::Result<IssuanceId> insertIssuance(const std::string& issuing_ca,
                                          const std::string& serial_hex, const std::string& product,
                                          const std::string& request, IssuanceState state,
                                          const std::string& tbs_sha256,
                                          std::optional<std::int64_t> order);
  core::Result<void> moveIssuance(IssuanceId issuance, const std::string& from_states,
                                  IssuanceState to, const std::string& column,
                                  const std::string& value);

  Database& database_;
  const core::Clock& clock_;
};

}  // namespace storage
