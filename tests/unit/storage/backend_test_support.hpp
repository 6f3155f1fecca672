#pragma once
// Shared set-up of storage tests that run on both databases: the same
// test runs on a migrated SQLite file and, when MIJNCERT_TEST_POSTGRES_URL names a server, in a
// fresh PostgreSQL schema that is dropped afterwards (as in storage/postgresql_test.cpp).

#include "storage/audit_repository.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace backend_test {

/// The database a test runs on.
enum class Backend { sqlite, postgresql };

/// A fresh schema on the PostgreSQL server that MIJNCERT_TEST_POSTGRES_URL names, dropped with
/// everything in it on destruction.
class PostgresqlSchema {
 public:
  /// The server's URL; "" when none is configured (the test is then skipped).
  static std::string serverUrl() {
    const char* url = std::getenv("MIJNCERT_TEST_POSTGRES_URL");
    return url ? url : "";
  }

  /// Creates the schema; throws when the server cannot be used.
  explicit PostgresqlSchema(const std::string& server_url)
      : server_url_(server_url),
        name_("mijncert_test_" + std::to_string(std::random_device{}())),
        admin_database_(storage::Database::open(server_url, 1).value()),
        admin_(std::make_unique<soci::session>(admin_database_->pool())) {
    *admin_ << "CREATE SCHEMA " + name_;
  }
  ~PostgresqlSchema() {
    try {
      *admin_ << "DROP SCHEMA " + name_ + " CASCADE";
    } catch (const std::exception& failure) {
      ADD_FAILURE() << "cannot drop schema " << name_ << ": " << failure.what();
    }
  }
  PostgresqlSchema(const PostgresqlSchema&) = delete;
  PostgresqlSchema& operator=(const PostgresqlSchema&) = delete;

  /// The server's URL with a libpq URI parameter that makes every connection work in the schema.
  std::string url() const {
    return server_url_ + (server_url_.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + name_;
  }
  /// The schema's name.
  const std::string& name() const { return name_; }
  /// A connection outside the tested pool, as the server's user, not in the schema.
  soci::session& admin() { return *admin_; }

 private:
  std::string server_url_;
  std::string name_;
  std::unique_ptr<storage::Database> admin_database_;
  std::unique_ptr<soci::session> admin_;  // leased from admin_database_
};

/// "SQLite" or "PostgreSQL", for the test names.
inline std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
}

/// A migrated database of the test's backend; PostgreSQL tests are skipped without a server.
class BackendTest : public storage_test::StorageTest,
                    public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::sqlite)
      openSqlite();
    else
      openPostgresql();
    if (IsSkipped() || HasFatalFailure()) return;
    auto applied = database_->migrate();
    ASSERT_TRUE(applied) << applied.error().message;
  }

  void TearDown() override {
    database_.reset();
    postgresql_.reset();
  }

  /// The URL of the test's database, to open it once more (as another node would).
  std::string url() const {
    return postgresql_ ? postgresql_->url() : "sqlite://" + (dir_.path() / "test.db").string();
  }
  /// The PostgreSQL schema of a PostgreSQL test; nullptr on SQLite.
  PostgresqlSchema* postgresql() { return postgresql_.get(); }

  /// The single number a query (COUNT, MAX, …) returns, read outside the repositories.
  long long number(const std::string& query) {
    soci::session sql(database_->pool());
    long long value = 0;
    sql << query, soci::into(value);
    return value;
  }

  /// The actions of every audit record, in sequence order.
  std::vector<std::string> auditActions() {
    std::vector<std::string> actions;
    for (const auto& record : storage::AuditRepository(*database_).find({.limit = 1000}).value())
      actions.push_back(record.event.action);
    return actions;
  }

 private:
  void openSqlite() {
    auto opened = storage::Database::open(url(), 4);
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
  }

  void openPostgresql() {
    const std::string server = PostgresqlSchema::serverUrl();
    if (server.empty()) GTEST_SKIP() << "MIJNCERT_TEST_POSTGRES_URL is not set";
    postgresql_ = std::make_unique<PostgresqlSchema>(server);
    auto opened = storage::Database::open(url(), 4);
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
  }

  storage_test::TempDir dir_;
  std::unique_ptr<PostgresqlSchema> postgresql_;
};

}  // namespace backend_test
