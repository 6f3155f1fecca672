#pragma once
// Internal to storage: reading and appending audit_log rows inside a caller's transaction, so
// that a registry change and its audit record commit or fail together (PRODUCT.md §8).

#include "audit/audit_record.hpp"
#include "storage/audit_repository.hpp"
#include "storage/database.hpp"

#include <soci/soci.h>

#include <vector>

namespace storage {

/// On PostgreSQL, locks audit_log until commit (inside a write transaction), so that writers
/// take turns; a no-op on SQLite, whose write transactions begin IMMEDIATE, one at a time.
/// Throws soci::soci_error on failure.
void lockAuditLog(soci::session& sql, Dialect dialect);

/// Chains `event` to the last record and inserts it. Must run inside a write transaction; takes
/// lockAuditLog(), so that concurrent writers stay in one line. Throws soci::soci_error on
/// failure (the caller's transaction turns it into a Result).
audit::Record appendAuditRecord(soci::session& sql, Dialect dialect, audit::Event event);

/// Records matching `query`, in sequence order. Throws soci::soci_error on failure.
std::vector<audit::Record> readAuditRecords(soci::session& sql, const AuditQuery& query);

}  // namespace storage
