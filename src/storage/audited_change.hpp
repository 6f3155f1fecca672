#pragma once
// Internal to storage: one change and its audit record in one write transaction (PRODUCT.md §8).
// Every audited change of every repository goes through auditedChange(), so they all lock,
// record and map constraint violations the same way.

#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/transaction.hpp"

#include <soci/soci.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace storage {

/// What a change tells the audit log. An empty action: nothing changed, so nothing is recorded.
struct AuditNote {
  std::string action;           ///< e.g. "organisation.create"
  std::string object;           ///< e.g. "organisation:12"; "" if none
  boost::json::object details;  ///< the new values, or before and after of changed ones
  std::string context = {};     ///< the organisation a change of another object concerns
};

/// The value a change returns together with its audit note.
template <class T>
struct Audited {
  T value;
  AuditNote note;
};

namespace detail {

/// The value of a change's result: T for core::Result<Audited<T>>, void for
/// core::Result<AuditNote>.
template <class Changed>
struct AuditedValue;
template <class T>
struct AuditedValue<core::Result<Audited<T>>> {
  using type = T;
};
template <>
struct AuditedValue<core::Result<AuditNote>> {
  using type = void;
};

/// The note of a change's value.
inline AuditNote& noteOf(AuditNote& note) {
  return note;
}
template <class T>
AuditNote& noteOf(Audited<T>& audited) {
  return audited.note;
}

}  // namespace detail

/// Runs `change(session)` and records its note as an audit event at `at` by `actor`, in one
/// write transaction: both commit, or neither does. `change` returns core::Result<Audited<T>>
/// (auditedChange returns the T) or core::Result<AuditNote> (it returns nothing). The audit log
/// is locked before the change rather than at its append: on PostgreSQL what the change checks
/// and the before-values it audits then stay true until it commits, as under SQLite's
/// BEGIN IMMEDIATE.
template <class Change>
auto auditedChange(Database& database, core::TimePoint at, const audit::Actor& actor,
                   Change&& change, const ViolationMessages& messages = {}) {
  using Changed = BodyResult<Change>;
  using Value = typename detail::AuditedValue<Changed>::type;
  return inTransaction(
      database, TransactionMode::write,
      [&](soci::session& sql) -> core::Result<Value> {
        lockAuditLog(sql, database.dialect());
        Changed changed = change(sql);
        if (!changed) return changed.error();
        AuditNote& note = detail::noteOf(*changed);
        if (!note.action.empty())
          appendAuditRecord(
              sql, database.dialect(),
              audit::Event{at, actor.id, std::move(note.action), std::move(note.object),
                           boost::json::serialize(note.details), std::move(note.context)});
        if constexpr (std::is_void_v<Value>)
          return {};
        else
          return std::move(changed->value);
      },
      messages);
}

}  // namespace storage
