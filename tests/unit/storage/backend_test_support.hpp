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
    if (admin_) *admin_ << "DROP SCHEMA " + schema_ + " CASCADE";
    admin_.reset();
    admin_database_.reset();
  }

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
    auto opened = storage::Database::open("sqlite://" + (dir_.path() / "test.db").string(), 4);
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
  }

  void openPostgresql() {
    const char* base = std::getenv("MIJNCERT_TEST_POSTGRES_URL");
    if (!base || !*base) GTEST_SKIP() << "MIJNCERT_TEST_POSTGRES_URL is not set";
    const std::string base_url = base;
    schema_ = "mijncert_test_" + std::to_string(std::random_device{}());
    auto admin_database = storage::Database::open(base_url, 1);
    ASSERT_TRUE(admin_database) << admin_database.error().message;
    admin_database_ = std::move(*admin_database);
    admin_ = std::make_unique<soci::session>(admin_database_->pool());
    *admin_ << "CREATE SCHEMA " + schema_;
    // libpq URI parameter: every connection of the pool works in the test's schema.
    const std::string url = base_url + (base_url.find('?') == std::string::npos ? "?" : "&") +
                            "options=-csearch_path%3D" + schema_;
    auto opened = storage::Database::open(url, 4);
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
  }

  storage_test::TempDir dir_;
  std::string schema_;
  std::unique_ptr<storage::Database> admin_database_;
  std::unique_ptr<soci::session> admin_;  // leased from admin_database_
};

}  // namespace backend_test
