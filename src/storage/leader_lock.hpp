#pragma once
// Leadership of one background job among several portal nodes (ADR 0011): on PostgreSQL a
// session-level advisory lock, held on a connection of its own, so that it lasts between jobs
// and ends by itself when the node dies. SQLite serves one node by design.

#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <memory>

namespace storage {

/// Leadership for one lock key.
class LeaderLock {
 public:
  /// Nothing is taken until hold().
  LeaderLock(Database& database, std::int64_t key);
  /// Releases the lock if held.
  ~LeaderLock();
  LeaderLock(const LeaderLock&) = delete;
  LeaderLock& operator=(const LeaderLock&) = delete;

  /// True while this process holds the lock: takes it when free, and checks that the
  /// connection holding it is still alive (a lost connection lost the lock: it reconnects and
  /// tries again). Always true on SQLite. unavailable when the database cannot be reached.
  core::Result<bool> hold();
  /// Gives the lock up (another node may take it); nothing if not held.
  void release();

 private:
  /// Takes the lock on the dedicated session (connecting it first if needed).
  bool tryAcquire();
  /// Whether the dedicated session still answers.
  bool alive();

  Database& database_;
  std::int64_t key_;
  std::unique_ptr<soci::session> session_;  ///< PostgreSQL only; outside the pool
  bool held_ = false;
};

}  // namespace storage
