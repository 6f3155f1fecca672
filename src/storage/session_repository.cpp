#include "storage/session_repository.hpp"

#include "core/time_format.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

namespace storage {

namespace {

/// One sessions row; binds its columns in the order of `columns`.
struct SessionRow {
  static constexpr std::string_view columns =
      "id_hash, person_id, certificate_fingerprint, csrf_token, created_at, last_seen_at, "
      "organisation_id";

  SessionRecord value;
  long long created_at = 0;
  long long last_seen_at = 0;
  long long organisation = 0;
  soci::indicator organisation_indicator = soci::i_null;

  /// Applies `exchange` (Statement::into or ::use) to each column in `columns` order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value.id_hash);
    x(value.person);
    x(value.certificate_fingerprint);
    x(value.csrf_token);
    x(created_at);
    x(last_seen_at);
    x(organisation, organisation_indicator);
  }

  /// Fills the column values from `value` (before a write).
  void fromValue() {
    created_at = core::toUnixSeconds(value.created_at);
    last_seen_at = core::toUnixSeconds(value.last_seen_at);
    organisation = value.organisation.value_or(0);
    organisation_indicator = value.organisation ? soci::i_ok : soci::i_null;
  }
  /// Fills `value` from the column values (after a read).
  void toValue() {
    value.created_at = core::fromUnixSeconds(created_at);
    value.last_seen_at = core::fromUnixSeconds(last_seen_at);
    value.organisation = organisation_indicator == soci::i_ok
                             ? std::optional<core::OrganisationId>(organisation)
                             : std::nullopt;
  }
};

}  // namespace

core::Result<void> SessionRepository::create(const SessionRecord& session) {
  return withSession(database_,
                     [&](soci::session& sql) -> core::Result<void> {
                       SessionRow row{session};
                       row.fromValue();
                       Statement insert(sql);
                       row.exchange([&](auto&... column) { insert.use(column...); });
                       insert.execute("INSERT INTO sessions (" + std::string(SessionRow::columns) +
                                      ") VALUES (" +
                                      placeholders(columnCount(SessionRow::columns)) + ")");
                       return {};
                     },
                     {.duplicate = "session.exists", .missing = "person.not_found"});
}

core::Result<std::optional<SessionRecord>> SessionRepository::find(const std::string& id_hash) {
  return withSession(database_,
                     [&](soci::session& sql) -> core::Result<std::optional<SessionRecord>> {
                       SessionRow row;
                       Statement select(sql);
                       row.exchange([&](auto&... column) { select.into(column...); });
                       select.use(id_hash);
                       if (!select.execute("SELECT " + std::string(SessionRow::columns) +
                                           " FROM sessions WHERE id_hash = :id"))
                         return std::nullopt;
                       row.toValue();
                       return row.value;
                     });
}

core::Result<void> SessionRepository::touch(const std::string& id_hash, core::TimePoint at) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<void> {
    const long long seen = core::toUnixSeconds(at);
    if (changeRows(sql, "UPDATE sessions SET last_seen_at = :at WHERE id_hash = :id",
                   [&](Statement& s) { s.use(seen).use(id_hash); }) == 0)
      return core::makeError(core::ErrorKind::not_found, "session.not_found");
    return {};
  });
}

core::Result<void> SessionRepository::selectOrganisation(
    const std::string& id_hash, std::optional<core::OrganisationId> organisation) {
  return withSession(
      database_,
      [&](soci::session& sql) -> core::Result<void> {
        const long long id = organisation.value_or(0);
        soci::indicator indicator = organisation ? soci::i_ok : soci::i_null;
        if (changeRows(sql,
                       "UPDATE sessions SET organisation_id = :organisation WHERE id_hash = :id",
                       [&](Statement& s) { s.use(id, indicator).use(id_hash); }) == 0)
          return core::makeError(core::ErrorKind::not_found, "session.not_found");
        return {};
      },
      {.missing = "organisation.not_found"});
}

core::Result<void> SessionRepository::remove(const std::string& id_hash) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<void> {
    // Removing a session that is already gone is fine: logging out twice is not an error.
    changeRows(sql, "DELETE FROM sessions WHERE id_hash = :id",
               [&](Statement& s) { s.use(id_hash); });
    return {};
  });
}

core::Result<int> SessionRepository::removeForPerson(core::PersonId person) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<int> {
    return changeRows(sql, "DELETE FROM sessions WHERE person_id = :person",
                      [&](Statement& s) { s.use(person); });
  });
}

core::Result<int> SessionRepository::removeExpired(core::TimePoint idle_before,
                                                   core::TimePoint created_before) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<int> {
    const long long idle = core::toUnixSeconds(idle_before);
    const long long created = core::toUnixSeconds(created_before);
    return changeRows(sql,
                      "DELETE FROM sessions WHERE last_seen_at < :idle OR created_at < :created",
                      [&](Statement& s) { s.use(idle).use(created); });
  });
}

}  // namespace storage
