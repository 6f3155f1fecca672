#pragma once
// Internal to storage: leasing a pooled session, transactions, and turning SOCI failures into
// core::Error values, so that every repository handles them the same way and no SQL text,
// driver message or connection string reaches a caller.

#include "core/error.hpp"
#include "storage/database.hpp"

#include <soci/soci.h>

#include <cstdint>
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

/// How many INSERT, UPDATE or DELETE statements this thread has run (Statement::execute).
std::uint64_t writeStatementsRun();

namespace detail {

/// Counts a body that ran a write statement as a write of `database` when it is done (an
/// autocommit write has committed then, a transaction's after its COMMIT), so that recent reads
/// of what it changed are not answered again (ADR 0015).
class CountsWrites {
 public:
  explicit CountsWrites(Database& database) : database_(database) {}
  ~CountsWrites() {
    if (writeStatementsRun() != before_) database_.noteWrite();
  }
  CountsWrites(const CountsWrites&) = delete;
  CountsWrites& operator=(const CountsWrites&) = delete;

 private:
  Database& database_;
  std::uint64_t before_ = writeStatementsRun();
};

/// What happens to a body whose connection was lost under it.
enum class OnLostConnection {
  report,     ///< unavailable: an autocommit body may have changed something before it failed
  retry_once  ///< the transaction was rolled back with the connection, so it runs again
};

/// Leases a pooled session (at most acquire_timeout) and runs `body(session)` on it, catching
/// exceptions; a lost connection is re-established before the lease is given back. `on_lost` is
/// read after a failure (the body may change it while it runs).
template <class Body>
BodyResult<Body> runLeased(Database& database, Body& body, const ViolationMessages& messages,
                           const OnLostConnection& on_lost) {
  auto lease = database.lease();
  if (!lease) return lease.error();
  const CountsWrites counts_writes(database);
  for (bool retried = false;; retried = true) {
    try {
      return body(lease->session());
    } catch (const std::exception& failure) {
      const auto connection = lease->recoverAfterFailure();
      if (connection == SessionLease::Connection::intact) return toError(failure, messages);
      if (connection == SessionLease::Connection::lost || retried ||
          on_lost == OnLostConnection::report)
        return core::makeError(core::ErrorKind::unavailable, "storage.unavailable");
    }
  }
}

}  // namespace detail

/// Leases a pooled session and runs `body(session)` on it (autocommit), catching exceptions.
/// Never waits for a session longer than acquire_timeout (unavailable "storage.busy"). A body
/// whose connection was lost is not run again (unavailable "storage.unavailable"); the session
/// is reconnected for the next caller.
template <class Body>
BodyResult<Body> withSession(Database& database, Body&& body,
                             const ViolationMessages& messages = {}) {
  return detail::runLeased(database, body, messages, detail::OnLostConnection::report);
}

/// Runs `body(session)` in one transaction: committed if it returns a value, rolled back if it
/// returns an error or throws. When the connection was lost before COMMIT, the whole transaction
/// runs once more on the reconnected session (it was rolled back, so nothing of it remains).
template <class Body>
BodyResult<Body> inTransaction(Database& database, TransactionMode mode, Body&& body,
                               const ViolationMessages& messages = {}) {
  auto on_lost = detail::OnLostConnection::retry_once;
  auto transactional = [&](soci::session& sql) -> BodyResult<Body> {
    on_lost = detail::OnLostConnection::retry_once;
    Transaction transaction(sql, database.dialect(), mode);
    BodyResult<Body> result = body(sql);
    if (result) {
      // A connection lost during COMMIT leaves unknown whether the change was made: no retry.
      on_lost = detail::OnLostConnection::report;
      transaction.commit();
      if (mode == TransactionMode::write) database.noteWrite();
    }
    return result;
  };
  return detail::runLeased(database, transactional, messages, on_lost);
}

}  // namespace storage
