#include "storage/housekeeping.hpp"

#include "storage/session_repository.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

namespace storage {

core::Result<PurgeCounts> Housekeeping::purge(const PurgeRules& rules) {
  const core::TimePoint now = clock_.now();
  auto counts = inTransaction(
      database_, TransactionMode::write, [&](soci::session& sql) -> core::Result<PurgeCounts> {
        auto deleteBefore = [&](const std::string& query, core::TimePoint before) {
          return changeRows(sql, query, [&](Statement& s) { s.use(before); });
        };
        PurgeCounts deleted;
        // No table references mobile_requests, so an expired one can go without a trace.
        deleted.mobile_requests = deleteBefore("DELETE FROM mobile_requests WHERE expires_at < :t",
                                               now - rules.mobile_requests_kept_after_expiry);
        deleted.rate_events =
            deleteBefore("DELETE FROM rate_events WHERE at < :t", now - rules.rate_events_kept);
        return deleted;
      });
  if (!counts) return counts.error();
  auto sessions = SessionRepository(database_).removeExpired(now - rules.session_idle_timeout,
                                                             now - rules.session_absolute_timeout);
  if (!sessions) return sessions.error();
  counts->sessions = *sessions;
  return counts;
}

}  // namespace storage
