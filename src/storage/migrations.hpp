#pragma once
// Internal to storage: the embedded, versioned schema migrations (src/storage/migrations/).
// One SQL text serves SQLite and PostgreSQL: {{id}} and {{blob}} are replaced per dialect, and
// lines between "-- dialect: sqlite" (or postgresql) and "-- dialect: all" apply to one only.

#include "core/error.hpp"
#include "storage/database.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace storage {

/// One schema change.
struct Migration {
  int version = 0;   ///< from the file name "NNNN_name.sql"
  std::string name;  ///< e.g. "registry"
  std::string sql;   ///< rendered for one dialect; may hold several statements
};

/// Renders migration source text for `dialect`; an error for an unknown {{placeholder}}.
core::Result<std::string> renderMigration(std::string_view source, Dialect dialect);

/// The embedded migrations in version order, rendered for `dialect`.
core::Result<std::vector<Migration>> migrations(Dialect dialect);

}  // namespace storage
