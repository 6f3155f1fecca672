// Both dialects' migrations produce the same schema (ADR 0009), as storage_test::describeSchema
// sees it; the description itself is checked against what the migrations declare.

#include "schema_description.hpp"

#include "backend_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

namespace {

using backend_test::Backend;

/// The lines of `a` that `b` lacks.
std::vector<std::string> linesMissingFrom(const std::vector<std::string>& a,
                                          const std::vector<std::string>& b) {
  std::vector<std::string> sorted_a = a, sorted_b = b, missing;
  std::sort(sorted_a.begin(), sorted_a.end());
  std::sort(sorted_b.begin(), sorted_b.end());
  std::set_difference(sorted_a.begin(), sorted_a.end(), sorted_b.begin(), sorted_b.end(),
                      std::back_inserter(missing));
  return missing;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += "  " + line + "\n";
  return text;
}

const storage_test::TableDescription* table(const storage_test::SchemaDescription& schema,
                                            const std::string& name) {
  for (const auto& t : schema.tables)
    if (t.name == name) return &t;
  return nullptr;
}

const storage_test::ColumnDescription* column(const storage_test::SchemaDescription& schema,
                                              const std::string& table_name,
                                              const std::string& name) {
  const auto* t = table(schema, table_name);
  if (!t) return nullptr;
  for (const auto& c : t->columns)
    if (c.name == name) return &c;
  return nullptr;
}

bool hasIndex(const storage_test::SchemaDescription& schema,
              const storage_test::IndexDescription& index) {
  return std::find(schema.indexes.begin(), schema.indexes.end(), index) != schema.indexes.end();
}

class SchemaTest : public backend_test::BackendTest {};

// What the description says of a few declarations whose normalisation matters.
TEST_P(SchemaTest, DescribesColumnsIndexesForeignKeysAndTriggersAsDeclared) {
  const auto schema = storage_test::describeSchema(*database_).value();

  const auto* id = column(schema, "organisations", "id");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, (storage_test::ColumnDescription{"id", "integer", true, true}))
      << "an auto-assigned primary key";
  const auto* oin = column(schema, "organisations", "oin");
  ASSERT_TRUE(oin);
  EXPECT_EQ(*oin, (storage_test::ColumnDescription{"oin", "text", false, false}));
  const auto* active = column(schema, "roles", "active");
  ASSERT_TRUE(active);
  EXPECT_EQ(*active, (storage_test::ColumnDescription{"active", "integer", true, true}));
  const auto* version = column(schema, "schema_migrations", "version");
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, (storage_test::ColumnDescription{"version", "integer", true, false}));

  EXPECT_TRUE(hasIndex(
      schema, {"primary key", "certificate_names", true, false, {"certificate_id", "name"}}));
  EXPECT_TRUE(hasIndex(schema, {"primary key", "organisations", true, false, {"id"}}));
  EXPECT_TRUE(hasIndex(schema, {"unique constraint", "organisations", true, false, {"kvk"}}));
  EXPECT_TRUE(hasIndex(
      schema,
      {"unique constraint", "roles", true, false, {"person_id", "organisation_id", "role"}}));
  EXPECT_TRUE(hasIndex(schema, {"issuances_one_per_order", "issuances", true, true, {"order_id"}}));
  EXPECT_TRUE(hasIndex(
      schema,
      {"orders_queue", "orders", false, false, {"status", "organisation_id", "created_at", "id"}}));
  EXPECT_TRUE(hasIndex(
      schema, {"primary key", "published_crls", true, false, {"issuing_ca", "crl_number"}}));

  const auto has_key = [&](const storage_test::ForeignKeyDescription& key) {
    return std::find(schema.foreign_keys.begin(), schema.foreign_keys.end(), key) !=
           schema.foreign_keys.end();
  };
  EXPECT_TRUE(has_key({"sessions", {"person_id"}, "persons", {"id"}, "cascade"}));
  EXPECT_TRUE(has_key({"sessions", {"organisation_id"}, "organisations", {"id"}, "set null"}));
  EXPECT_TRUE(has_key({"mobile_requests", {"order_id"}, "orders", {"id"}, "no action"}));

  const std::vector<storage_test::TriggerDescription> triggers{
      {"audit_log_no_delete", "audit_log"},
      {"audit_log_no_update", "audit_log"},
      {"orders_evidence_unchangeable", "orders"}};
  EXPECT_EQ(schema.triggers, triggers);
  EXPECT_FALSE(table(schema, "sqlite_sequence")) << "internal tables are not described";
}

// The append-only guards still refuse updates and deletes after their triggers were renamed.
TEST_P(SchemaTest, TheAuditLogStaysAppendOnly) {
  soci::session sql(database_->pool());
  sql << "INSERT INTO audit_log (sequence, at, actor, action, object, details, previous_hash, "
         "hash) VALUES (1, 0, 'a', 'b', 'c', '{}', '', 'h')";
  EXPECT_THROW(sql << "UPDATE audit_log SET actor = 'x'", soci::soci_error);
  EXPECT_THROW(sql << "DELETE FROM audit_log", soci::soci_error);
  EXPECT_EQ(number("SELECT COUNT(*) FROM audit_log WHERE actor = 'a'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchemaTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

// The check ADR 0009 asks for: freshly migrated, SQLite and PostgreSQL describe the same schema.
TEST(SchemaEquality, SqliteAndPostgresqlMigrateToTheSameSchema) {
  const std::string server = backend_test::PostgresqlSchema::serverUrl();
  if (server.empty()) GTEST_SKIP() << "MIJNCERT_TEST_POSTGRES_URL is not set";
  storage_test::TempDir dir;
  auto sqlite = storage::Database::open("sqlite://" + (dir.path() / "schema.db").string(), 1);
  ASSERT_TRUE(sqlite) << sqlite.error().message;
  ASSERT_TRUE((*sqlite)->migrate());
  backend_test::PostgresqlSchema schema(server);
  auto postgresql = storage::Database::open(schema.url(), 1);
  ASSERT_TRUE(postgresql) << postgresql.error().message;
  ASSERT_TRUE((*postgresql)->migrate());

  const auto on_sqlite = storage_test::describeSchema(**sqlite).value();
  const auto on_postgresql = storage_test::describeSchema(**postgresql).value();
  EXPECT_FALSE(on_sqlite.tables.empty());
  const auto sqlite_lines = storage_test::describeAsLines(on_sqlite);
  const auto postgresql_lines = storage_test::describeAsLines(on_postgresql);
  EXPECT_TRUE(on_sqlite == on_postgresql)
      << "only on SQLite:\n"
      << joined(linesMissingFrom(sqlite_lines, postgresql_lines)) << "only on PostgreSQL:\n"
      << joined(linesMissingFrom(postgresql_lines, sqlite_lines));
  EXPECT_EQ(sqlite_lines, postgresql_lines);
}

}  // namespace
