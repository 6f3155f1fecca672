#pragma once
// Internal to storage: one change and its audit record in one write transaction (PRODUCT.md §8),
// for repositories whose changes return their value together with the event to record.

#include "audit/audit_record.hpp"
#include "core/error.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/transaction.hpp"

#include <soci/soci.h>

#include <utility>

namespace storage {

/// Runs `change(session)`, which returns core::Result<std::pair<T, audit::Event>>, and appends
/// the event in the same write transaction: both commit, or neither does. The audit log is
/// locked first, so on PostgreSQL what the change reads stays true until it commits, as under
/// SQLite's BEGIN IMMEDIATE.
template <class T, class Change>
core::Result<T> auditedChange(Database& database, Change&& change,
                              const ViolationMessages& messages = {}) {
  return inTransaction(
      database, TransactionMode::write,
      [&](soci::session& sql) -> core::Result<T> {
        lockAuditLog(sql, database.dialect());
        core::Result<std::pair<T, audit::Event>> changed = change(sql);
        if (!changed) return changed.error();
        appendAuditRecord(sql, database.dialect(), std::move(changed->second));
        return std::move(changed->first);
      },
      messages);
}

}  // namespace storage
