#pragma once
// The database: a pool of SOCI sessions for SQLite (default) or PostgreSQL, chosen by URL,
// and the migrations that create and evolve the schema.

#include "core/error.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace soci {
class connection_pool;
class session;
}  // namespace soci

namespace storage {

/// Which SQL dialect a database speaks.
enum class Dialect { sqlite, postgresql };

/// An open database with a fixed-size connection pool.
class Database {
 public:
  /// Opens "sqlite:///absolute/path.db", "sqlite:relative/path.db" or "postgresql://…".
  /// SQLite connections use WAL, foreign keys on, synchronous FULL and a busy timeout.
  /// Errors: invalid for a malformed URL, unavailable when the database cannot be opened (the
  /// message names the target without its password).
  static core::Result<std::unique_ptr<Database>> open(const std::string& url,
                                                      std::size_t pool_size);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// The dialect of this database.
  Dialect dialect() const { return dialect_; }
  /// Number of pooled connections (at most this many statements run at once).
  std::size_t poolSize() const { return size_; }
  /// Applies every pending migration, each in its own transaction; returns how many were applied.
  core::Result<int> migrate();
  /// The highest applied migration version (0 for an empty database).
  core::Result<int> schemaVersion();
  /// How many embedded migrations are newer than the applied schema (`serve` refuses to start
  /// on an outdated schema rather than migrating behind the operator's back).
  core::Result<int> pendingMigrations();

  /// The pool; for repositories in this layer only.
  soci::connection_pool& pool() { return *pool_; }

 private:
  Database(Dialect dialect, std::size_t size);
  Dialect dialect_;
  std::size_t size_;
  std::unique_ptr<soci::connection_pool> pool_;
};

}  // namespace storage
