#include "schema_description.hpp"

#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <tuple>

namespace storage_test {

using storage::Dialect;
using storage::forEachRow;
using storage::Statement;

namespace {

// Names of indexes that back a constraint: SQLite names them sqlite_autoindex_<table>_<n>, or
// (INTEGER PRIMARY KEY) has none at all; PostgreSQL names them after the constraint.
constexpr std::string_view kPrimaryKey = "primary key";
constexpr std::string_view kUniqueConstraint = "unique constraint";

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

/// The type family of a declared SQLite type (its affinity rules, §3.1 of the SQLite datatype
/// documentation) or a PostgreSQL data_type ("bigint", "character varying", "bytea", …).
std::string typeFamily(const std::string& declared) {
  const std::string type = lowerCase(declared);
  auto has = [&](std::string_view part) { return type.find(part) != std::string::npos; };
  if (has("int")) return "integer";
  if (has("char") || has("clob") || has("text")) return "text";
  if (has("blob") || has("bytea")) return "blob";
  if (has("real") || has("floa") || has("doub")) return "real";
  return type;
}

/// PostgreSQL's pg_constraint.confdeltype letter as SQLite names the action (lower case).
std::string deleteActionName(const std::string& letter) {
  if (letter == "c") return "cascade";
  if (letter == "n") return "set null";
  if (letter == "r") return "restrict";
  if (letter == "d") return "set default";
  return "no action";  // "a"
}

/// Collects the rows of several queries into one description.
class SchemaBuilder {
 public:
  void addColumn(const std::string& table, ColumnDescription column) {
    tables_[table].push_back(std::move(column));
  }
  /// Adds `column` to the index the database calls `id`, described as `name` (columns arrive in
  /// index order).
  void addIndexColumn(const std::string& id, std::string_view name, const std::string& table,
                      bool unique, bool partial, const std::string& column) {
    IndexDescription& index = indexes_[{table, id}];
    index.name = std::string(name);
    index.table = table;
    index.unique = unique;
    index.partial = partial;
    index.columns.push_back(column);
  }
  void addTrigger(TriggerDescription trigger) { triggers_.push_back(std::move(trigger)); }
  /// Adds one column pair to the foreign key the database calls `id` (pairs arrive in order).
  void addForeignKeyColumn(const std::string& table, const std::string& id,
                           const std::string& referenced_table, const std::string& column,
                           const std::string& referenced_column, std::string on_delete) {
    ForeignKeyDescription& key = foreign_keys_[{table, id}];
    key.table = table;
    key.referenced_table = referenced_table;
    key.columns.push_back(column);
    key.referenced_columns.push_back(referenced_column);
    key.on_delete = std::move(on_delete);
  }

  SchemaDescription build() && {
    SchemaDescription schema;
    for (auto& [name, columns] : tables_) schema.tables.push_back({name, std::move(columns)});
    for (auto& [key, index] : indexes_) schema.indexes.push_back(std::move(index));
    std::sort(schema.indexes.begin(), schema.indexes.end(), [](const auto& a, const auto& b) {
      return std::tie(a.table, a.name, a.columns) < std::tie(b.table, b.name, b.columns);
    });
    for (auto& [key, foreign_key] : foreign_keys_)
      schema.foreign_keys.push_back(std::move(foreign_key));
    std::sort(schema.foreign_keys.begin(), schema.foreign_keys.end());
    schema.triggers = std::move(triggers_);
    std::sort(schema.triggers.begin(), schema.triggers.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return schema;
  }

 private:
  std::map<std::string, std::vector<ColumnDescription>> tables_;
  std::map<std::pair<std::string, std::string>, IndexDescription> indexes_;
  std::map<std::pair<std::string, std::string>, ForeignKeyDescription> foreign_keys_;
  std::vector<TriggerDescription> triggers_;
};

void describeSqlite(soci::session& sql, SchemaBuilder& schema) {
  // Normalised as PostgreSQL has it: a primary key column is NOT NULL, and an AUTOINCREMENT
  // INTEGER PRIMARY KEY gets a value when none is given (as BIGSERIAL does). A primary key is
  // described as an index, which SQLite has for other keys only (INTEGER is the rowid).
  std::map<std::string, std::map<int, std::string>> primary_keys;
  {
    std::string table, name, type, create;
    int not_null = 0, has_default = 0, key_position = 0;
    forEachRow(
        sql,
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value IS NOT NULL, p.pk, m.sql "
        "FROM sqlite_master AS m, pragma_table_info(m.name) AS p WHERE m.type = 'table' "
        "AND substr(m.name, 1, 7) <> 'sqlite_' ORDER BY m.name, p.cid",
        [&](Statement& s) {
          s.into(table)
              .into(name)
              .into(type)
              .into(not_null)
              .into(has_default)
              .into(key_position)
              .into(create);
        },
        [&] {
          const bool key = key_position > 0;
          const bool auto_increment = key && lowerCase(type) == "integer" &&
                                      lowerCase(create).find("autoincrement") != std::string::npos;
          schema.addColumn(table, {name, typeFamily(type), not_null != 0 || key,
                                   has_default != 0 || auto_increment});
          if (key) primary_keys[table][key_position] = name;
        });
  }
  for (const auto& [table, columns] : primary_keys)
    for (const auto& [position, column] : columns)
      schema.addIndexColumn(std::string(kPrimaryKey), kPrimaryKey, table, true, false, column);

  std::string table, index, origin, column;
  int unique = 0, partial = 0;
  forEachRow(
      sql,
      "SELECT m.name, l.name, l.\"unique\", l.origin, l.partial, i.name "
      "FROM sqlite_master AS m, pragma_index_list(m.name) AS l, pragma_index_info(l.name) AS i "
      "WHERE m.type = 'table' AND substr(m.name, 1, 7) <> 'sqlite_' "
      "ORDER BY m.name, l.name, i.seqno",
      [&](Statement& s) {
        s.into(table).into(index).into(unique).into(origin).into(partial).into(column);
      },
      [&] {
        if (origin == "pk") return;  // described above
        schema.addIndexColumn(index, origin == "u" ? kUniqueConstraint : std::string_view(index),
                              table, unique != 0, partial != 0, column);
      });

  {
    // A reference without columns ("REFERENCES persons") means the referenced primary key.
    std::string referenced_table, on_delete;
    std::optional<std::string> referenced_column;
    int id = 0;
    forEachRow(
        sql,
        "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_delete "
        "FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' "
        "ORDER BY m.name, f.id, f.seq",
        [&](Statement& s) {
          s.into(table)
              .into(id)
              .into(referenced_table)
              .into(column)
              .into(referenced_column)
              .into(on_delete);
        },
        [&] {
          const auto implied = primary_keys[referenced_table];
          schema.addForeignKeyColumn(table, std::to_string(id), referenced_table, column,
                                     referenced_column || implied.empty()
                                         ? referenced_column.value_or("")
                                         : implied.begin()->second,
                                     lowerCase(on_delete));
        });
  }

  TriggerDescription trigger;
  forEachRow(
      sql, "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'",
      [&](Statement& s) { s.into(trigger.name).into(trigger.table); },
      [&] { schema.addTrigger(trigger); });
}

void describePostgresql(soci::session& sql, SchemaBuilder& schema) {
  {
    std::string table, name, type, nullable;
    int has_default = 0;
    forEachRow(
        sql,
        "SELECT CAST(c.table_name AS TEXT), CAST(c.column_name AS TEXT), "
        "CAST(c.data_type AS TEXT), CAST(c.is_nullable AS TEXT), "
        "CASE WHEN c.column_default IS NULL THEN 0 ELSE 1 END "
        "FROM information_schema.columns AS c JOIN information_schema.tables AS t "
        "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
        "ORDER BY c.table_name, c.ordinal_position",
        [&](Statement& s) { s.into(table).into(name).into(type).into(nullable).into(has_default); },
        [&] {
          schema.addColumn(table, {name, typeFamily(type), nullable == "NO", has_default != 0});
        });
  }

  std::string index, table, column;
  int unique = 0, primary = 0, partial = 0, unique_constraint = 0;
  forEachRow(
      sql,
      "SELECT CAST(i.relname AS TEXT), CAST(t.relname AS TEXT), "
      "CASE WHEN x.indisunique THEN 1 ELSE 0 END, CASE WHEN x.indisprimary THEN 1 ELSE 0 END, "
      "CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END, "
      "CASE WHEN EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid "
      "AND c.conrelid = x.indrelid AND c.contype = 'u') THEN 1 ELSE 0 END, "
      "CAST(a.attname AS TEXT) "
      "FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid "
      "JOIN pg_class AS t ON t.oid = x.indrelid "
      "JOIN pg_namespace AS n ON n.oid = t.relnamespace "
      "CROSS JOIN LATERAL unnest(CAST(x.indkey AS SMALLINT[])) WITH ORDINALITY AS k(number, place) "
      "JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attnum = k.number "
      "WHERE n.nspname = current_schema() ORDER BY i.relname, k.place",
      [&](Statement& s) {
        s.into(index)
            .into(table)
            .into(unique)
            .into(primary)
            .into(partial)
            .into(unique_constraint)
            .into(column);
      },
      [&] {
        const std::string_view name = primary != 0             ? kPrimaryKey
                                      : unique_constraint != 0 ? kUniqueConstraint
                                                               : std::string_view(index);
        schema.addIndexColumn(index, name, table, unique != 0, partial != 0, column);
      });

  {
    std::string name, referenced_table, referenced_column, action;
    forEachRow(
        sql,
        "SELECT CAST(c.conname AS TEXT), CAST(t.relname AS TEXT), CAST(r.relname AS TEXT), "
        "CAST(a.attname AS TEXT), CAST(ra.attname AS TEXT), CAST(c.confdeltype AS TEXT) "
        "FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid "
        "JOIN pg_class AS r ON r.oid = c.confrelid "
        "JOIN pg_namespace AS n ON n.oid = t.relnamespace "
        "CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(number, "
        "referenced_number, place) "
        "JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attnum = k.number "
        "JOIN pg_attribute AS ra ON ra.attrelid = r.oid AND ra.attnum = k.referenced_number "
        "WHERE c.contype = 'f' AND n.nspname = current_schema() "
        "ORDER BY t.relname, c.conname, k.place",
        [&](Statement& s) {
          s.into(name)
              .into(table)
              .into(referenced_table)
              .into(column)
              .into(referenced_column)
              .into(action);
        },
        [&] {
          schema.addForeignKeyColumn(table, name, referenced_table, column, referenced_column,
                                     deleteActionName(action));
        });
  }

  // Only row-level INSERT, UPDATE and DELETE triggers (type bits 4, 8, 16): SQLite has no
  // TRUNCATE, so a PostgreSQL-only TRUNCATE guard has no counterpart there.
  TriggerDescription trigger;
  forEachRow(
      sql,
      "SELECT CAST(g.tgname AS TEXT), CAST(t.relname AS TEXT) FROM pg_trigger AS g "
      "JOIN pg_class AS t ON t.oid = g.tgrelid JOIN pg_namespace AS n ON n.oid = t.relnamespace "
      "WHERE n.nspname = current_schema() AND NOT g.tgisinternal AND (g.tgtype & 28) <> 0",
      [&](Statement& s) { s.into(trigger.name).into(trigger.table); },
      [&] { schema.addTrigger(trigger); });
}

std::string columnLine(const std::string& table, const ColumnDescription& column) {
  return "column " + table + "." + column.name + " " + column.type +
         (column.not_null ? " not null" : "") + (column.has_default ? " default" : "");
}

/// "a, b, c"
std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::string indexLine(const IndexDescription& index) {
  return "index " + index.table + " " + index.name + (index.unique ? " unique" : "") +
         (index.partial ? " partial" : "") + " (" + joined(index.columns) + ")";
}

}  // namespace

core::Result<SchemaDescription> describeSchema(storage::Database& database) {
  return storage::inTransaction(database, storage::TransactionMode::read,
                                [&](soci::session& sql) -> core::Result<SchemaDescription> {
                                  SchemaBuilder schema;
                                  if (database.dialect() == Dialect::sqlite)
                                    describeSqlite(sql, schema);
                                  else
                                    describePostgresql(sql, schema);
                                  return std::move(schema).build();
                                });
}

std::vector<std::string> describeAsLines(const SchemaDescription& schema) {
  std::vector<std::string> lines;
  for (const auto& table : schema.tables)
    for (const auto& column : table.columns) lines.push_back(columnLine(table.name, column));
  for (const auto& index : schema.indexes) lines.push_back(indexLine(index));
  for (const auto& key : schema.foreign_keys)
    lines.push_back("foreign key " + key.table + " (" + joined(key.columns) + ") references " +
                    key.referenced_table + " (" + joined(key.referenced_columns) + ") on delete " +
                    key.on_delete);
  for (const auto& trigger : schema.triggers)
    lines.push_back("trigger " + trigger.name + " on " + trigger.table);
  return lines;
}

}  // namespace storage_test
