#pragma once
// Shared set-up of the storage tests: a real SQLite database in a fresh temporary directory.

#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "core/registry.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

namespace storage_test {

/// A directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("mijncert-storage-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  /// The directory.
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// 2026-01-01T00:00:00Z, the time the tests' clocks start at.
inline core::TimePoint testStart() {
  return core::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
}

/// Common to the storage fixtures: a fixed clock, an actor, and complete registry values.
class StorageTest : public ::testing::Test {
 protected:
  /// A complete organisation with the given KvK number and OIN ("" for none).
  static core::Organisation organisation(std::string name, std::string kvk, std::string oin) {
    core::Organisation o;
    o.name = std::move(name);
    o.kvk = std::move(kvk);
    o.oin = std::move(oin);
    o.visiting_address = {"Hoofdstraat 1", "1234 AB", "Utrecht", "NL"};
    o.postal_address = {"Postbus 10", "1200 AA", "Utrecht", "NL"};
    o.billing = {{"Factuurweg 2", "3500 BB", "Utrecht", "NL"},
                 "Crediteurenadministratie",
                 "facturen@example.nl",
                 "PO-42",
                 "NL001234567B01"};
    o.portal_enabled = true;
    return o;
  }

  /// A person with portal access.
  static core::Person person(std::string given_name, std::string surname) {
    core::Person p;
    p.given_name = std::move(given_name);
    p.surname = std::move(surname);
    p.email = "p@example.nl";
    p.phone = "+31 30 123 4567";
    p.portal_access = true;
    return p;
  }

  core::FixedClock clock_{testStart()};
  std::unique_ptr<storage::Database> database_;
  audit::Actor servicedesk_ = audit::Actor::person(1000);
};

/// A migrated SQLite database file, and raw access that bypasses the repositories (to tamper
/// with the audit log as an attacker with access to the file could).
class SqliteTest : public StorageTest {
 protected:
  void SetUp() override {
    auto opened = storage::Database::open(url(), 4);
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
    auto applied = database_->migrate();
    ASSERT_TRUE(applied) << applied.error().message;
  }
  // Closes the connections before the directory (a member of this class) is removed.
  void TearDown() override { database_.reset(); }

  /// The database file.
  std::filesystem::path file() const { return dir_.path() / "test.db"; }
  /// The URL Database::open gets.
  std::string url() const { return "sqlite://" + file().string(); }
  /// A separate connection on the same file, outside the pool and the repositories.
  std::unique_ptr<soci::session> rawSession() const {
    return std::make_unique<soci::session>(soci::sqlite3, "db=\"" + file().string() + "\"");
  }
  /// How many rows `table` holds, read outside the repositories.
  int rows(const std::string& table) const {
    int count = -1;
    *rawSession() << "SELECT COUNT(*) FROM " + table, soci::into(count);
    return count;
  }

  TempDir dir_;
};

}  // namespace storage_test
