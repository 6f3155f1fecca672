#pragma once
// Reading and appending the audit chain outside a registry change (logins, refusals).

#include "audit/audit_record.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace storage {

/// Filter for reading the audit log.
struct AuditQuery {
  std::optional<std::string> object;  ///< exact object, e.g. "organisation:3"
  std::optional<std::string> actor;   ///< exact actor, e.g. "person:7"
  /// Everything about an organisation: object or context equals "organisation:<id>".
  std::optional<core::OrganisationId> organisation;
  /// Everything about a person: object "person:<id>", or done by them (actor).
  std::optional<core::PersonId> person;
  std::int64_t after_sequence = 0;  ///< paging: records with a higher sequence
  int limit = 100;
};

/// The audit log.
class AuditRepository {
 public:
  explicit AuditRepository(Database& database) : database_(database) {}

  /// Appends one event in its own transaction.
  core::Result<audit::Record> append(const audit::Event& event);
  /// Records in sequence order matching the query.
  core::Result<std::vector<audit::Record>> find(const AuditQuery& query);
  /// Checks the whole chain; nullopt if intact.
  core::Result<std::optional<audit::ChainBreak>> verify();

 private:
  Database& database_;
};

}  // namespace storage
