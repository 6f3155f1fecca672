#include "storage/transaction.hpp"

#include "storage/statement.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <string>

namespace storage {

namespace {

// SQLite primary result codes (the driver reports them without the extended bits).
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteConstraint = 19;

/// Which kind of integrity rule a statement broke.
enum class Violation { none, duplicate, missing, other };

Violation classifySqlite(const soci::sqlite3_soci_error& failure) {
  if ((failure.result() & 0xff) != kSqliteConstraint) return Violation::none;
  // SQLite tells the kind of constraint only in its message text (the message proper, not
  // SOCI's context, which quotes the statement).
  const std::string text = failure.get_error_message();
  if (text.find("UNIQUE constraint") != std::string::npos ||
      text.find("PRIMARY KEY") != std::string::npos)
    return Violation::duplicate;
  if (text.find("FOREIGN KEY") != std::string::npos) return Violation::missing;
  return Violation::other;
}

Violation classifyPostgresql(const soci::postgresql_soci_error& failure) {
  const std::string state = failure.sqlstate();
  if (state == "23505") return Violation::duplicate;       // unique_violation
  if (state == "23503") return Violation::missing;         // foreign_key_violation
  if (state.rfind("23", 0) == 0) return Violation::other;  // integrity constraint class
  return Violation::none;
}

/// Runs a statement without parameters or results; on SQLite a kept one (ADR 0019).
void run(soci::session& sql, const std::string& text) {
  Statement(sql).execute(text);
}

}  // namespace

Transaction::Transaction(soci::session& sql, Dialect dialect, TransactionMode mode) : sql_(sql) {
  if (dialect == Dialect::sqlite) {
    run(sql_, mode == TransactionMode::write ? "BEGIN IMMEDIATE" : "BEGIN");
  } else {
    // A read sees one snapshot across its statements; writes use READ COMMITTED and lock what
    // they need explicitly (audit_log, see audit_log.cpp).
    run(sql_, mode == TransactionMode::write ? "BEGIN"
                                             : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    run(sql_, "ROLLBACK");
  } catch (const std::exception&) {
    // The database may already have rolled back (or lost the connection); nothing to undo then.
  }
}

void Transaction::commit() {
  run(sql_, "COMMIT");
  open_ = false;
}

core::Error toError(const std::exception& failure, const ViolationMessages& messages) {
  Violation violation = Violation::none;
  bool busy = false;
  if (const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(&failure)) {
    violation = classifySqlite(*sqlite);
    const int code = sqlite->result() & 0xff;
    busy = code == kSqliteBusy || code == kSqliteLocked;
  } else if (const auto* postgresql = dynamic_cast<const soci::postgresql_soci_error*>(&failure)) {
    violation = classifyPostgresql(*postgresql);
  }
  switch (violation) {
    case Violation::duplicate:
      return core::makeError(core::ErrorKind::conflict, std::string(messages.duplicate));
    case Violation::missing:
      return core::makeError(core::ErrorKind::not_found, std::string(messages.missing));
    case Violation::other:
      return core::makeError(core::ErrorKind::conflict, std::string(messages.other));
    case Violation::none:
      break;
  }
  // Operators need the driver's reason; the message without SOCI's context carries neither the
  // query nor bound values (which could be tokens or personal data).
  const auto* soci_failure = dynamic_cast<const soci::soci_error*>(&failure);
  spdlog::warn("storage: {}", soci_failure ? soci_failure->get_error_message() : failure.what());
  if (busy) return core::makeError(core::ErrorKind::unavailable, "storage.busy");
  if (soci_failure) return core::makeError(core::ErrorKind::unavailable, "storage.unavailable");
  return core::makeError(core::ErrorKind::internal, "storage.internal");
}

}  // namespace storage
