#include "storage/blocked_keys.hpp"

#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>

#include <utility>

namespace storage {

namespace {

/// The audit note of a blocklist change (it concerns no registry object).
AuditNote keyNote(std::string action, boost::json::object details) {
  return {std::move(action), "", std::move(details)};
}

}  // namespace

core::Result<std::vector<BlockedKey>> BlockedKeyRepository::list() {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<BlockedKey>> {
    std::vector<BlockedKey> keys;
    BlockedKey key;
    forEachRow(
        sql,
        "SELECT b.spki_sha256, b.reason, COALESCE(p.given_name || ' ' || p.surname, ''), "
        "b.created_at FROM blocked_keys b LEFT JOIN persons p ON p.id = b.created_by "
        "ORDER BY b.created_at DESC, b.spki_sha256",
        [&](Statement& s) {
          s.into(key.spki_sha256).into(key.reason).into(key.created_by).into(key.created_at);
        },
        [&] { keys.push_back(key); });
    return keys;
  });
}

core::Result<std::set<std::string>> BlockedKeyRepository::hashes() {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::set<std::string>> {
    const auto hashes = selectColumn<std::string>(sql, "SELECT spki_sha256 FROM blocked_keys");
    return std::set<std::string>(hashes.begin(), hashes.end());
  });
}

core::Result<void> BlockedKeyRepository::add(const std::string& spki_sha256,
                                             const std::string& reason,
                                             std::optional<std::int64_t> officer,
                                             const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange(
      database_, now, actor,
      [&](soci::session& sql) -> core::Result<AuditNote> {
        if (exists(sql, "SELECT COUNT(*) FROM blocked_keys WHERE spki_sha256 = :k", spki_sha256))
          return core::makeError(core::ErrorKind::conflict, "blocked_key.exists");
        sql << "INSERT INTO blocked_keys (spki_sha256, reason, created_by, created_at) "
               "VALUES (:k, :r, :o, :t)",
            soci::use(spki_sha256), soci::use(reason), soci::use(officer), soci::use(now);
        return keyNote("blocked_key.add", {{"spki_sha256", spki_sha256}, {"reason", reason}});
      },
      ViolationMessages{.duplicate = "blocked_key.exists"});
}

core::Result<void> BlockedKeyRepository::remove(const std::string& spki_sha256,
                                                const audit::Actor& actor) {
  return auditedChange(
      database_, clock_.now(), actor, [&](soci::session& sql) -> core::Result<AuditNote> {
        const int changed = changeRows(sql, "DELETE FROM blocked_keys WHERE spki_sha256 = :k",
                                       [&](Statement& s) { s.use(spki_sha256); });
        if (changed == 0)
          return core::makeError(core::ErrorKind::not_found, "blocked_key.not_found");
        return keyNote("blocked_key.remove", {{"spki_sha256", spki_sha256}});
      });
}

}  // namespace storage
