#include "storage/leader_lock.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

namespace storage {

LeaderLock::LeaderLock(Database& database, std::int64_t key) : database_(database), key_(key) {}

LeaderLock::~LeaderLock() {
  release();
}

core::Result<bool> LeaderLock::hold() {
  if (database_.dialect() == Dialect::sqlite) return true;
  if (held_) {
    if (alive()) return true;
    held_ = false;
    spdlog::warn("storage: leadership {} lost with its database connection", key_);
  }
  // Once more on a fresh connection when the first attempt finds the connection gone.
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      held_ = tryAcquire();
      return held_;
    } catch (const soci::soci_error& failure) {
      spdlog::warn("storage: leadership {}: {}", key_,
                   database_.redact(failure.get_error_message()));
      session_.reset();
    }
  }
  return core::makeError(core::ErrorKind::unavailable, "storage.unavailable");
}

void LeaderLock::release() {
  if (!held_) return;
  held_ = false;
  try {
    int released = 0;
    *session_ << "SELECT CAST(pg_advisory_unlock(:k) AS INTEGER)", soci::use(key_),
        soci::into(released);
  } catch (const soci::soci_error&) {
    // The connection is gone, and the lock went with it.
    session_.reset();
  }
}

bool LeaderLock::tryAcquire() {
  if (!session_) session_ = database_.openSession();
  int taken = 0;
  *session_ << "SELECT CAST(pg_try_advisory_lock(:k) AS INTEGER)", soci::use(key_),
      soci::into(taken);
  return taken == 1;
}

bool LeaderLock::alive() {
  try {
    int one = 0;
    *session_ << "SELECT 1", soci::into(one);
    return true;
  } catch (const soci::soci_error&) {
    session_.reset();
    return false;
  }
}

}  // namespace storage
