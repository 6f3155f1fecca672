#pragma once
// Test support: what the migrated schema looks like, read back from the database's own
// catalogue, in a form that is the same for SQLite and PostgreSQL when both schemas are equal
// (ADR 0009: one schema for both dialects). Only the schema test uses it, so it is not part of
// the storage library. See docs/adr/0009-storage-on-several-nodes.md for the
// normalisation.

#include "core/error.hpp"
#include "storage/database.hpp"

#include <string>
#include <vector>

namespace storage_test {

/// One column, in table order.
struct ColumnDescription {
  std::string name;
  /// The type family: "integer", "text", "blob" or "real"; the declared type (lower case) for
  /// anything else, so that it shows up as a difference.
  std::string type;
  bool not_null = false;
  bool has_default = false;  ///< including a value the database assigns (auto-increment)
  bool operator==(const ColumnDescription&) const = default;
};

/// One table with its columns.
struct TableDescription {
  std::string name;
  std::vector<ColumnDescription> columns;
  bool operator==(const TableDescription&) const = default;
};

/// One index. Indexes that back a constraint have no name of their own in SQLite, so they are
/// named "primary key" or "unique constraint" in both dialects.
struct IndexDescription {
  std::string name;
  std::string table;
  bool unique = false;
  bool partial = false;  ///< has a WHERE clause
  std::vector<std::string> columns;
  bool operator==(const IndexDescription&) const = default;
};

/// One trigger (row triggers on INSERT, UPDATE or DELETE; SQLite has no others).
struct TriggerDescription {
  std::string name;
  std::string table;
  bool operator==(const TriggerDescription&) const = default;
};

/// One foreign key. Constraint names differ between the dialects, so they are left out.
struct ForeignKeyDescription {
  std::string table;
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  std::string on_delete;  ///< "no action", "cascade", "set null", "restrict" or "set default"
  bool operator==(const ForeignKeyDescription&) const = default;
  auto operator<=>(const ForeignKeyDescription&) const = default;
};

/// A schema: tables by name, indexes by table and name, foreign keys, triggers by name.
struct SchemaDescription {
  std::vector<TableDescription> tables;
  std::vector<IndexDescription> indexes;
  std::vector<ForeignKeyDescription> foreign_keys;
  std::vector<TriggerDescription> triggers;
  bool operator==(const SchemaDescription&) const = default;
};

/// Reads the schema of `database` (sqlite_master and pragmas on SQLite; information_schema and
/// pg_catalog of the current schema on PostgreSQL), normalised and sorted.
core::Result<SchemaDescription> describeSchema(storage::Database& database);

/// One line per column, index, foreign key and trigger (e.g. "column orders.status text not null"),
/// sorted; for showing the difference of two descriptions.
std::vector<std::string> describeAsLines(const SchemaDescription& schema);

}  // namespace storage_test
