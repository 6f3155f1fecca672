#pragma once
// The database: a pool of SOCI sessions for SQLite (default) or PostgreSQL, chosen by URL,
// and the migrations that create and evolve the schema.

#include "core/error.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace soci {
class connection_pool;
class session;
}  // namespace soci

namespace storage {

/// Which SQL dialect a database speaks.
enum class Dialect { sqlite, postgresql };

/// How a database is connected and how long its callers may wait.
struct DatabaseSettings {
  std::size_t pool_size = 8;                        ///< pooled connections
  std::chrono::milliseconds acquire_timeout{5000};  ///< wait for a free pooled connection
  std::chrono::seconds statement_timeout{30};       ///< PostgreSQL: per statement
  std::chrono::seconds connect_timeout{5};          ///< PostgreSQL: per connection attempt
};

class Database;

/// The pool at one moment, for the metrics (ADR 0016).
struct PoolStatistics {
  std::size_t size = 0;        ///< pooled connections
  std::size_t in_use = 0;      ///< leased now
  std::size_t waiting = 0;     ///< callers waiting for a free connection now
  std::uint64_t timeouts = 0;  ///< leases that found no free connection in time, since start
};

/// A pooled session leased for one unit of work; given back to the pool when destroyed.
class SessionLease {
 public:
  SessionLease(SessionLease&& other) noexcept;
  SessionLease& operator=(SessionLease&&) = delete;
  ~SessionLease();

  /// The leased session.
  soci::session& session();
  /// After a failed statement: whether the connection was lost. A lost one is reconnected
  /// (true), or marked so that the next lease reconnects it (false).
  enum class Connection { intact, reconnected, lost };
  Connection recoverAfterFailure();

 private:
  friend class Database;
  SessionLease(Database& database, std::size_t position);
  Database* database_;  ///< nullptr once moved from
  std::size_t position_;
};

/// An open database with a fixed-size connection pool.
class Database {
 public:
  /// Opens "sqlite:///absolute/path.db", "sqlite:relative/path.db" or "postgresql://…".
  /// SQLite connections use WAL, foreign keys on, synchronous FULL and a busy timeout.
  /// Errors: invalid for a malformed URL, unavailable when the database cannot be opened (the
  /// message names the target without its password).
  static core::Result<std::unique_ptr<Database>> open(const std::string& url,
                                                      const DatabaseSettings& settings);
  /// open() with default settings and `pool_size` connections.
  static core::Result<std::unique_ptr<Database>> open(const std::string& url,
                                                      std::size_t pool_size);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// The dialect of this database.
  Dialect dialect() const { return dialect_; }
  /// Number of pooled connections (at most this many statements run at once).
  std::size_t poolSize() const { return settings_.pool_size; }
  /// The settings it was opened with.
  const DatabaseSettings& settings() const { return settings_; }
  /// How busy the pool is; cheap (atomic reads), for the metrics.
  PoolStatistics poolStatistics() const;
  /// Applies every pending migration, each in its own transaction; returns how many were applied.
  core::Result<int> migrate();
  /// The highest applied migration version (0 for an empty database).
  core::Result<int> schemaVersion();
  /// How many embedded migrations are newer than the applied schema (`serve` refuses to start
  /// on an outdated schema rather than migrating behind the operator's back).
  core::Result<int> pendingMigrations();

  /// Whether the database answers (for /healthz): unavailable "storage.busy" when no pooled
  /// connection is free within two seconds, "storage.unavailable" when SELECT 1 fails.
  core::Result<void> health();

  /// The pool; for repositories in this layer only.
  soci::connection_pool& pool() { return *pool_; }
  /// Leases a pooled session, waiting at most `timeout` (acquire_timeout by default);
  /// unavailable "storage.busy" when none is free in time, "storage.unavailable" when its lost
  /// connection cannot be re-established. For this layer only.
  core::Result<SessionLease> lease();
  core::Result<SessionLease> lease(std::chrono::milliseconds timeout);
  /// A new connected session outside the pool, configured like the pooled ones (a session-level
  /// lock must outlive any lease); throws soci::soci_error. For this layer only.
  std::unique_ptr<soci::session> openSession() const;
  /// Re-establishes `session`'s connection with the same settings; throws soci::soci_error.
  void reconnect(soci::session& session) const;
  /// Blanks passwords out of a driver message, for logs.
  std::string redact(const std::string& message) const;

  /// How many write transactions this process has committed: a cache of what it read compares
  /// this to know whether anything may have changed here since (ADR 0015).
  std::uint64_t writeCount() const { return writes_.load(std::memory_order_acquire); }
  /// Counts a committed write transaction. For this layer only.
  void noteWrite() { writes_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  friend class SessionLease;
  /// Bookkeeping of one pooled session, touched only by whoever leases it.
  struct Slot {
    std::uint64_t checked_generation = 0;  ///< connection checked after this many losses
    bool broken = false;                   ///< lost, and reconnecting failed
  };

  Database(Dialect dialect, const DatabaseSettings& settings);
  void connect(soci::session& session) const;
  void configure(soci::session& session) const;
  /// Reconnects pooled session `position`; false (and the slot stays broken) if that fails.
  bool reconnectPooled(std::size_t position);

  Dialect dialect_;
  DatabaseSettings settings_;
  std::string connect_string_;
  std::string shown_;                 ///< the target without password, for messages
  std::vector<std::string> secrets_;  ///< passwords, blanked out of driver messages
  std::unique_ptr<soci::connection_pool> pool_;
  std::vector<Slot> slots_;
  /// Raised whenever a connection is found lost: a restarted server drops them all, so every
  /// other pooled session is checked (an empty-query ping) before its next use.
  std::atomic<std::uint64_t> lost_connections_{0};
  std::atomic<std::uint64_t> writes_{0};
  // For poolStatistics(): kept here because soci's pool tells neither.
  std::atomic<std::size_t> in_use_{0};
  std::atomic<std::size_t> waiting_{0};
  std::atomic<std::uint64_t> timeouts_{0};
};

}  // namespace storage
