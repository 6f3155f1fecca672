#include "storage/audit_log.hpp"

#include "storage/statement.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace storage {

namespace {

/// Largest page AuditRepository::find returns at once.
constexpr int kMaxPage = 1000;

/// One audit_log row; binds its columns in the order of `columns`.
struct AuditRow {
  static constexpr std::string_view columns =
      "sequence, at, actor, action, object, details, context, previous_hash, hash";

  audit::Record record;

  /// Applies `x` to each column in `columns` order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(record.sequence);
    x(record.event.at);
    x(record.event.actor);
    x(record.event.action);
    x(record.event.object);
    x(record.event.details);
    x(record.event.context);
    x(record.previous_hash);
    x(record.hash);
  }
};

}  // namespace

void lockAuditLog(soci::session& sql, Dialect dialect) {
  // READ COMMITTED alone would let two writers read the same last record and fork the chain
  // (one then fails on the primary key); EXCLUSIVE still lets readers read. Taking it again in
  // the same transaction is a no-op.
  if (dialect == Dialect::postgresql) sql << "LOCK TABLE audit_log IN EXCLUSIVE MODE";
}

audit::Record appendAuditRecord(soci::session& sql, Dialect dialect, audit::Event event) {
  lockAuditLog(sql, dialect);
  std::optional<audit::Record> last;
  audit::Record previous;
  if (Statement(sql)
          .into(previous.sequence)
          .into(previous.hash)
          .execute("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1"))
    last = previous;
  AuditRow row{audit::chain(last, std::move(event))};
  Statement(sql).useColumns(row).execute(insertInto("audit_log", AuditRow::columns));
  return row.record;
}

std::vector<audit::Record> readAuditRecords(soci::session& sql, const AuditQuery& query) {
  std::string text =
      "SELECT " + std::string(AuditRow::columns) + " FROM audit_log WHERE sequence > :after";
  if (query.object) text += " AND object = :object";
  if (query.actor) text += " AND actor = :actor";
  // Each placeholder is bound once: SQLite would treat a repeated name as one parameter.
  if (query.organisation) text += " AND (object = :organisation OR context = :context)";
  if (query.person) text += " AND (object = :person OR actor = :person_actor)";
  text += " ORDER BY sequence LIMIT :limit";
  const int limit = std::clamp(query.limit, 1, kMaxPage);
  const std::string organisation =
      query.organisation ? audit::objectName("organisation", *query.organisation) : "";
  const std::string person = query.person ? audit::objectName("person", *query.person) : "";

  std::vector<audit::Record> records;
  AuditRow row;
  forEachRow(
      sql, text,
      [&](Statement& statement) {
        statement.intoColumns(row).use(query.after_sequence);
        if (query.object) statement.use(*query.object);
        if (query.actor) statement.use(*query.actor);
        if (query.organisation) statement.use(organisation).use(organisation);
        if (query.person) statement.use(person).use(person);
        statement.use(limit);
      },
      [&] { records.push_back(row.record); });
  return records;
}

}  // namespace storage
