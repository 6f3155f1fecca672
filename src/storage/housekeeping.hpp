#pragma once
// Deletes rows that have served their purpose: expired mobile requests, old rate-limit attempts
// and expired sessions. Not a business change (nothing a person did), so no audit record.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"

#include <chrono>

namespace storage {

/// How long expired rows are kept.
struct PurgeRules {
  /// A mobile request stays this long after it expired (what the app or browser saw stays
  /// explainable for a while).
  std::chrono::seconds mobile_requests_kept_after_expiry{86400};
  /// Rate-limit attempts older than this count for no window any more.
  std::chrono::seconds rate_events_kept{3600};
  /// The session policy (auth::SessionPolicy): a session idle or old past these has ended.
  std::chrono::seconds session_idle_timeout{std::chrono::minutes{15}};
  std::chrono::seconds session_absolute_timeout{std::chrono::hours{8}};
};

/// How many rows one purge deleted.
struct PurgeCounts {
  int mobile_requests = 0;
  int rate_events = 0;
  int sessions = 0;
  bool operator==(const PurgeCounts&) const = default;
};

/// Purges expired rows.
class Housekeeping {
 public:
  Housekeeping(Database& database, const core::Clock& clock) : database_(database), clock_(clock) {}

  /// Deletes what `rules` says has expired by now, in one transaction.
  core::Result<PurgeCounts> purge(const PurgeRules& rules);

 private:
  Database& database_;
  const core::Clock& clock_;
};

}  // namespace storage
