#pragma once
// Keys known to be compromised (PRODUCT.md §8), kept by the Servicedesk: a CSR whose public key
// is listed here is refused (policy::checkCsr reads the set of hashes).

#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"

#include <set>
#include <string>
#include <vector>

namespace storage {

/// One blocked key.
struct BlockedKey {
  std::string spki_sha256;  ///< lower-case hex SHA-256 of the SubjectPublicKeyInfo
  std::string reason;
  std::string created_by;  ///< display name of the officer who blocked it ("" if unknown)
  core::TimePoint created_at;
};

/// Reads and changes the blocklist; every change is audited.
class BlockedKeyRepository {
 public:
  BlockedKeyRepository(Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  /// Every blocked key, newest first.
  core::Result<std::vector<BlockedKey>> list();
  /// The hashes of every blocked key, for the CSR check.
  core::Result<std::set<std::string>> hashes();
  /// Blocks a key ("blocked_key.add"); conflict "blocked_key.exists" if it is blocked already.
  core::Result<void> add(const std::string& spki_sha256, const std::string& reason,
                         std::optional<std::int64_t> officer, const audit::Actor& actor);
  /// Unblocks a key ("blocked_key.remove"); not_found "blocked_key.not_found" if not blocked.
  core::Result<void> remove(const std::string& spki_sha256, const audit::Actor& actor);

 private:
  Database& database_;
  const core::Clock& clock_;
};

}  // namespace storage
