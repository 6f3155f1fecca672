#pragma once
// Reading the certificate inventory: the overview customers search, filter, sort and page through,
// streaming exports, details, and cards (PRODUCT.md §5 "Inzage"). Writes are in CertificateStore.

#include "core/certificate.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"
#include "storage/recent_reads.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace storage {

/// Sort orders of the overview.
enum class CertificateSort {
  not_after_ascending,
  not_after_descending,
  name_ascending,
  name_descending
};

/// What the overview shows.
struct CertificateQuery {
  core::OrganisationId organisation = 0;
  core::CertificateKind kind = core::CertificateKind::server;
  std::string search;  ///< matches CN or a SAN (case-insensitive substring) or the serial (prefix)
  std::optional<core::CertificateStatus> status;
  std::optional<int> expiring_within_days;  ///< not revoked, not expired, ends within N days
  CertificateSort sort = CertificateSort::not_after_ascending;
  int offset = 0;
  int limit = 25;
  core::TimePoint now;  ///< the moment status is judged at
};

/// One page of the overview.
struct CertificatePage {
  std::vector<core::IssuedCertificate> items;
  std::int64_t total = 0;  ///< matching certificates in all pages
};

/// Every matching certificate of a query in its order, read a batch at a time by keyset (the
/// sort key of the last row read), so memory stays bounded and no pooled connection is held
/// between batches: a slow download never ties up the database.
class CertificateCursor {
 public:
  /// The next certificate (without PEM), valid until the following call; nullptr after the
  /// last one.
  core::Result<const core::IssuedCertificate*> next();

 private:
  friend class CertificateInventory;
  CertificateCursor(Database& database, CertificateQuery query)
      : database_(&database), query_(std::move(query)) {}
  core::Result<void> readBatch();

  /// Where the next batch starts: after the last row of the previous one, in sort order.
  struct Keyset {
    core::TimePoint not_after;
    core::CertificateId id = 0;
    std::string name_key;  ///< its stored common_name_lower
  };

  Database* database_;
  CertificateQuery query_;
  /// The first `rows_` values are the batch read last. Each batch is read over the values of the
  /// one before, reusing their strings: an export of 100,000 rows allocates next to nothing.
  std::vector<core::IssuedCertificate> batch_;
  std::vector<std::string> batch_name_keys_;  ///< common_name_lower of each row of batch_
  std::size_t rows_ = 0;
  std::size_t position_ = 0;
  bool exhausted_ = false;
  std::optional<Keyset> after_;
};

/// Read-only queries over certificates and cards.
class CertificateInventory {
 public:
  explicit CertificateInventory(Database& database) : database_(database) {}

  /// One page of an organisation's certificates (offset/limit of the query).
  core::Result<CertificatePage> search(const CertificateQuery& query);
  /// Every matching certificate in the query's order, one at a time, without holding the list
  /// in memory (exports). `visit` returns false to stop early. Offset/limit are ignored.
  core::Result<void> forEach(const CertificateQuery& query,
                             const std::function<bool(const core::IssuedCertificate&)>& visit);
  /// A cursor over every matching certificate in the query's order (offset/limit ignored); for
  /// streamed downloads that pull rows as the client reads.
  CertificateCursor cursor(const CertificateQuery& query) { return {database_, query}; }
  /// One certificate with manager and requester names; nullopt if unknown.
  core::Result<std::optional<core::IssuedCertificate>> find(core::CertificateId id);
  /// The certificate this portal issued with this issuer DN (RFC 2253) and serial (hex as
  /// pki::Certificate::serialHex); nullopt for one it did not issue.
  core::Result<std::optional<core::IssuedCertificate>> findIssued(const std::string& issuer_dn,
                                                                  const std::string& serial_hex);
  /// The cards of an organisation (personal and group), by holder name.
  core::Result<std::vector<core::Card>> cardsOfOrganisation(core::OrganisationId organisation);
  /// The cards and mobile certificates of a person (professional holders), newest first.
  core::Result<std::vector<core::Card>> cardsOfHolder(core::PersonId holder);
  /// One card with its certificate ids; nullopt if unknown.
  core::Result<std::optional<core::Card>> findCard(core::CardId id);
  /// The certificates on a card, in the order they were issued.
  core::Result<std::vector<core::IssuedCertificate>> certificatesOfCard(core::CardId card);

 private:
  Database& database_;
  RecentReads<long long> counts_;  ///< overview totals by filter
};

}  // namespace storage
