#pragma once
// Internal to storage: leasing a pooled session, transactions, and turning SOCI failures into
// core::Error values, so that every repository handles them the same way and no SQL text,
// driver message or connection string reaches a caller.

#include "core/error.hpp"
#include "storage/database.hpp"

#include <soci/soci.h>

#include <exception>
#include <string_view>
#include <type_traits>

namespace storage {

/// How a transaction begins.
enum class TransactionMode {
  read,   ///< a consistent snapshot for several SELECTs
  write,  ///< takes the write lock at once (SQLite BEGIN IMMEDIATE): writers queue instead of
          ///< deadlocking when two deferred transactions both try to upgrade to writing
};

/// Begins a transaction on construction and rolls it back on destruction unless committed.
class Transaction {
 public:
  /// Begins a transaction in `mode` on `sql`.
  Transaction(soci::session& sql, Dialect dialect, TransactionMode mode);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  /// Makes the changes permanent.
  void commit();

 private:
  soci::session& sql_;
  bool open_ = true;
};

/// Messages for constraint violations of one operation (safe, key-like texts).
struct ViolationMessages {
  std::string_view duplicate = "storage.duplicate";  ///< UNIQUE / PRIMARY KEY: conflict
  std::string_view missing = "storage.not_found";    ///< FOREIGN KEY: not_found
  std::string_view other = "storage.conflict";       ///< CHECK, append-only trigger: conflict
};

/// Turns an exception from SOCI or a driver into a safe error: constraint violations become
/// conflict/not_found, everything else unavailable (the database failed) or internal.
core::Error toError(const std::exception& failure, const ViolationMessages& messages = {});

/// The core::Result type a callable returns when given a session.
template <class Body>
using BodyResult = std::invoke_result_t<Body&, soci::session&>;

/// Leases a pooled session and runs `body(session)` on it (autocommit), catching exceptions.
template <class Body>
BodyResult<Body> withSession(Database& database, Body&& body,
                             const ViolationMessages& messages = {}) {
  try {
    soci::session sql(database.pool());
    return body(sql);
  } catch (const std::exception& failure) {
    return toError(failure, messages);
  }
}

/// Runs `body(session)` in one transaction: committed if it returns a value, rolled back if it
/// returns an error or throws.
template <class Body>
BodyResult<Body> inTransaction(Database& database, TransactionMode mode, Body&& body,
                               const ViolationMessages& messages = {}) {
  return withSession(
      database,
      [&](soci::session& sql) -> BodyResult<Body> {
        Transaction transaction(sql, database.dialect(), mode);
        BodyResult<Body> result = body(sql);
        if (result) transaction.commit();
        return result;
      },
      messages);
}

}  // namespace storage
