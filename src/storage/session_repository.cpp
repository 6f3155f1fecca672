#include "storage/session_repository.hpp"

#include "storage/statement.hpp"
#include "storage/transaction.hpp"

namespace storage {

namespace {

/// One sessions row; binds its columns in the order of `columns`.
struct SessionRow {
  static constexpr std::string_view columns =
      "id_hash, person_id, certificate_fingerprint, csrf_token, created_at, last_seen_at, "
      "organisation_id, ended_at";

  SessionRecord value;

  /// Applies `x` to each column in `columns` order; every column is stored as it is.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value.id_hash);
    x(value.person);
    x(value.certificate_fingerprint);
    x(value.csrf_token);
    x(value.created_at);
    x(value.last_seen_at);
    x(value.organisation);
    x(value.ended_at);
  }
};

}  // namespace

core::Result<void> SessionRepository::create(const SessionRecord& session) {
  return withSession(
      database_,
      [&](soci::session& sql) -> core::Result<void> {
        SessionRow row{session};
        Statement(sql).useColumns(row).execute(insertInto("sessions", SessionRow::columns));
        return {};
      },
      {.duplicate = "session.exists", .missing = "person.not_found"});
}

core::Result<std::optional<SessionRecord>> SessionRepository::find(const std::string& id_hash) {
  const auto writes = database_.writeCount();
  if (auto known = recent_.find(id_hash, writes)) return std::move(*known);
  auto found =
      withSession(database_, [&](soci::session& sql) -> core::Result<std::optional<SessionRecord>> {
        const auto row = selectRow<SessionRow>(
            sql,
            "SELECT " + std::string(SessionRow::columns) + " FROM sessions WHERE id_hash = :id",
            id_hash);
        if (!row) return std::nullopt;
        return row->value;
      });
  if (found) recent_.remember(id_hash, *found, writes);
  return found;
}

core::Result<void> SessionRepository::touch(const std::string& id_hash, core::TimePoint at) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<void> {
    if (changeRows(sql, "UPDATE sessions SET last_seen_at = :at WHERE id_hash = :id",
                   [&](Statement& s) { s.use(at).use(id_hash); }) == 0)
      return core::makeError(core::ErrorKind::not_found, "session.not_found");
    return {};
  });
}

core::Result<void> SessionRepository::selectOrganisation(
    const std::string& id_hash, std::optional<core::OrganisationId> organisation) {
  return withSession(
      database_,
      [&](soci::session& sql) -> core::Result<void> {
        if (changeRows(sql,
                       "UPDATE sessions SET organisation_id = :organisation WHERE id_hash = :id",
                       [&](Statement& s) { s.use(organisation).use(id_hash); }) == 0)
          return core::makeError(core::ErrorKind::not_found, "session.not_found");
        return {};
      },
      {.missing = "organisation.not_found"});
}

core::Result<void> SessionRepository::end(const SessionRecord& session, core::TimePoint at) {
  return withSession(database_,
                     [&](soci::session& sql) -> core::Result<void> {
                       SessionRow row{session};
                       row.value.ended_at = at;
                       Statement(sql).useColumns(row).execute(
                           insertInto("sessions", SessionRow::columns) +
                           " ON CONFLICT (id_hash) DO UPDATE SET ended_at = excluded.ended_at");
                       return {};
                     },
                     {.missing = "person.not_found"});
}

core::Result<void> SessionRepository::remove(const std::string& id_hash) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<void> {
    // Removing a session that is already gone is fine.
    changeRows(sql, "DELETE FROM sessions WHERE id_hash = :id",
               [&](Statement& s) { s.use(id_hash); });
    return {};
  });
}

core::Result<int> SessionRepository::removeExpired(core::TimePoint idle_before,
                                                   core::TimePoint created_before) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<int> {
    return changeRows(sql,
                      "DELETE FROM sessions WHERE last_seen_at < :idle OR created_at < :created",
                      [&](Statement& s) { s.use(idle_before).use(created_before); });
  });
}

core::Result<std::string> SessionRepository::sharedSecret(const std::string& name,
                                                          const std::string& candidate,
                                                          core::TimePoint at) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::string> {
    Statement(sql).use(name).use(candidate).use(at).execute(
        "INSERT INTO portal_secrets (name, value, created_at) VALUES (:name, :value, :at) "
        "ON CONFLICT (name) DO NOTHING");
    return selectValue<std::string>(sql, "SELECT value FROM portal_secrets WHERE name = :name",
                                    name)
        .value_or("");
  });
}

}  // namespace storage
