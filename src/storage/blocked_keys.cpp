#include "storage/blocked_keys.hpp"

#include "core/time_format.hpp"
#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <utility>

namespace storage {

namespace {

audit::Event keyEvent(core::TimePoint at, const audit::Actor& actor, std::string action,
                      boost::json::object details) {
  return {at, actor.id, std::move(action), "", boost::json::serialize(details)};
}

}  // namespace

core::Result<std::vector<BlockedKey>> BlockedKeyRepository::list() {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<BlockedKey>> {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT b.spki_sha256, b.reason, "
                        "COALESCE(p.given_name || ' ' || p.surname, ''), b.created_at "
                        "FROM blocked_keys b LEFT JOIN persons p ON p.id = b.created_by "
                        "ORDER BY b.created_at DESC, b.spki_sha256");
    std::vector<BlockedKey> keys;
    for (const soci::row& row : rows)
      keys.push_back({row.get<std::string>(0), row.get<std::string>(1), row.get<std::string>(2),
                      core::fromUnixSeconds(row.get<long long>(3))});
    return keys;
  });
}

core::Result<std::set<std::string>> BlockedKeyRepository::hashes() {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::set<std::string>> {
    soci::rowset<std::string> rows = (sql.prepare << "SELECT spki_sha256 FROM blocked_keys");
    return std::set<std::string>(rows.begin(), rows.end());
  });
}

core::Result<void> BlockedKeyRepository::add(const std::string& spki_sha256,
                                             const std::string& reason,
                                             std::optional<std::int64_t> officer,
                                             const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  auto added = auditedChange<bool>(
      database_,
      [&](soci::session& sql) -> core::Result<std::pair<bool, audit::Event>> {
        long long existing = 0;
        sql << "SELECT COUNT(*) FROM blocked_keys WHERE spki_sha256 = :k", soci::use(spki_sha256),
            soci::into(existing);
        if (existing > 0) return core::makeError(core::ErrorKind::conflict, "blocked_key.exists");
        const long long created = core::toUnixSeconds(now);
        const long long officer_id = officer.value_or(0);
        soci::indicator officer_indicator = officer ? soci::i_ok : soci::i_null;
        sql << "INSERT INTO blocked_keys (spki_sha256, reason, created_by, created_at) "
               "VALUES (:k, :r, :o, :t)",
            soci::use(spki_sha256), soci::use(reason), soci::use(officer_id, officer_indicator),
            soci::use(created);
        return std::pair{true, keyEvent(now, actor, "blocked_key.add",
                                        {{"spki_sha256", spki_sha256}, {"reason", reason}})};
      },
      ViolationMessages{.duplicate = "blocked_key.exists"});
  if (!added) return added.error();
  return {};
}

core::Result<void> BlockedKeyRepository::remove(const std::string& spki_sha256,
                                                const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  auto removed = auditedChange<bool>(
      database_, [&](soci::session& sql) -> core::Result<std::pair<bool, audit::Event>> {
        const int changed = changeRows(sql, "DELETE FROM blocked_keys WHERE spki_sha256 = :k",
                                       [&](Statement& s) { s.use(spki_sha256); });
        if (changed == 0)
          return core::makeError(core::ErrorKind::not_found, "blocked_key.not_found");
        return std::pair{
            true, keyEvent(now, actor, "blocked_key.remove", {{"spki_sha256", spki_sha256}})};
      });
  if (!removed) return removed.error();
  return {};
}

}  // namespace storage
