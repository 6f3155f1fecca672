#pragma once
// Fills the certificate inventory of one organisation with many server certificates, straight
// into the tables (signing 100,000 certificates through the CA would take minutes): the rows
// the overview, the JSON list and the exports read, shaped like the CA stores them. Shared by
// inventory_bench (an empty schema) and fill_inventory (a demo database).

#include "core/certificate.hpp"
#include "core/clock.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bench {

/// What the filled certificates share with the organisation's real ones.
struct InventoryLikeness {
  std::string domain = "example.nl";  ///< host names are host-<id>.<domain>
  std::string product = "server-private";
  /// The subject DN with "{name}" where the host name goes.
  std::string subject = "CN={name}";
  std::string issuer_dn = "CN=Issuing CA";
  std::string issuing_ca = "tls-ca";
  std::string policy_oids;  ///< joined by ' ', as the CA stores them
  /// The organisation's certificate managers and its contacts, taken in turn as manager and
  /// requester; none: NULL.
  std::vector<core::PersonId> managers, requesters;
};

/// N server certificates of one organisation.
struct InventoryFill {
  core::OrganisationId organisation = 0;
  int count = 0;
  core::TimePoint now;  ///< end dates spread from two years before to two years after
  InventoryLikeness like;
};

/// What the organisation's own data says the filled rows should look like: its validated
/// domain, issuing CA, product and subject from one of its server certificates, its persons
/// by role.
/// Defaults where it has none (an empty schema).
InventoryLikeness likenessOf(storage::Database& database, core::OrganisationId organisation);

/// Inserts the certificates (and their names) in one transaction with the next free ids, then
/// lets PostgreSQL's planner see the new rows (ANALYZE); returns the first id inserted.
/// Throws std::runtime_error on a database error.
core::CertificateId fillInventory(storage::Database& database, const InventoryFill& fill);

}  // namespace bench
