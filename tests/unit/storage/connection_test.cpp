// The connection pool under trouble (ADR 0009): a busy pool, a slow statement and a lost
// connection never hang a caller; lost connections are re-established. On SQLite and, with
// MIJNCERT_TEST_POSTGRES_URL, on PostgreSQL (where connections can be lost).

#include "backend_test_support.hpp"
#include "storage/transaction.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace {

using backend_test::Backend;
using core::ErrorKind;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ConnectionTest : public backend_test::BackendTest {
 protected:
  /// The test's database opened once more with `settings`.
  std::unique_ptr<storage::Database> openWith(const storage::DatabaseSettings& settings) {
    auto opened = storage::Database::open(url(), settings);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  /// Rows of rate_events (a table without constraints, for writes of the tests).
  long long events() { return number("SELECT COUNT(*) FROM rate_events"); }

  /// Runs an INSERT in `database` through withSession (autocommit); counts the body's runs.
  core::Result<void> insertAutocommit(storage::Database& database, int& runs) {
    return storage::withSession(database, [&](soci::session& sql) -> core::Result<void> {
      ++runs;
      sql << "INSERT INTO rate_events (scope, client, at) VALUES ('test', 'autocommit', 0)";
      return {};
    });
  }
  /// The same in a write transaction.
  core::Result<void> insertInTransaction(storage::Database& database, int& runs) {
    return storage::inTransaction(database, storage::TransactionMode::write,
                                  [&](soci::session& sql) -> core::Result<void> {
                                    ++runs;
                                    sql << "INSERT INTO rate_events (scope, client, at) VALUES "
                                           "('test', 'transaction', 0)";
                                    return {};
                                  });
  }

  /// The server processes behind every pooled connection of `database` (leased all at once).
  std::set<int> backendPids(storage::Database& database) {
    std::vector<storage::SessionLease> leases;
    std::set<int> pids;
    for (std::size_t i = 0; i < database.poolSize(); ++i) {
      leases.push_back(database.lease().value());
      int pid = 0;
      leases.back().session() << "SELECT pg_backend_pid()", soci::into(pid);
      pids.insert(pid);
    }
    return pids;
  }

  /// Ends the server processes `pids`, as a restarted or failed-over server would, and waits
  /// until they are gone.
  void terminate(const std::set<int>& pids) {
    soci::session& admin = postgresql()->admin();
    for (int pid : pids) admin << "SELECT pg_terminate_backend(:pid)", soci::use(pid);
    for (int pid : pids) {
      const auto deadline = Clock::now() + 10s;
      int alive = 1;
      while (alive > 0 && Clock::now() < deadline) {
        admin << "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = :pid", soci::use(pid),
            soci::into(alive);
        if (alive > 0) std::this_thread::sleep_for(10ms);
      }
      ASSERT_EQ(alive, 0) << "backend " << pid << " still runs";
    }
  }
  /// Ends the server processes of every pooled connection of `database`.
  void killConnections(storage::Database& database) { terminate(backendPids(database)); }

  /// Every pooled connection of `database` answers, leased all at once.
  void expectEveryConnectionWorks(storage::Database& database) {
    std::vector<storage::SessionLease> leases;
    for (std::size_t i = 0; i < database.poolSize(); ++i) {
      auto lease = database.lease();
      ASSERT_TRUE(lease) << lease.error().message;
      int one = 0;
      EXPECT_NO_THROW((lease->session() << "SELECT 1", soci::into(one)));
      EXPECT_EQ(one, 1);
      leases.push_back(std::move(*lease));
    }
  }
};

TEST_P(ConnectionTest, OldOpenKeepsDefaultSettingsWithItsPoolSize) {
  EXPECT_EQ(database_->poolSize(), 4u);
  EXPECT_EQ(database_->settings().acquire_timeout, 5000ms);
  EXPECT_EQ(database_->settings().statement_timeout, 30s);
  EXPECT_EQ(database_->settings().connect_timeout, 5s);
}

TEST_P(ConnectionTest, ABusyPoolIsReportedAfterTheAcquireTimeout) {
  auto database = openWith({.pool_size = 1, .acquire_timeout = 300ms});
  ASSERT_TRUE(database);
  {
    auto held = database->lease().value();
    int runs = 0;
    const auto started = Clock::now();
    auto refused = insertAutocommit(*database, runs);
    const auto waited = Clock::now() - started;
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::unavailable);
    EXPECT_EQ(refused.error().message, "storage.busy");
    EXPECT_EQ(runs, 0);
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 3s);

    auto health = database->health();
    ASSERT_FALSE(health);
    EXPECT_EQ(health.error().message, "storage.busy");
  }
  // The lease was given back.
  int runs = 0;
  EXPECT_TRUE(insertInTransaction(*database, runs));
  EXPECT_TRUE(database->health());
  EXPECT_EQ(events(), 1);
}

TEST_P(ConnectionTest, LeasesAreGivenBackWhenABodyFailsOrThrows) {
  auto database = openWith({.pool_size = 1, .acquire_timeout = 300ms});
  ASSERT_TRUE(database);
  for (int i = 0; i < 3; ++i) {
    auto failed = storage::withSession(*database, [](soci::session& sql) -> core::Result<void> {
      sql << "SELECT * FROM no_such_table";
      return {};
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "storage.unavailable");
    auto refused = storage::inTransaction(*database, storage::TransactionMode::write,
                                          [](soci::session&) -> core::Result<void> {
                                            return core::makeError(ErrorKind::conflict, "no");
                                          });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "no");
  }
  EXPECT_TRUE(database->health());
}

TEST_P(ConnectionTest, PostgresqlSettingsReachEveryConnection) {
  if (!postgresql()) GTEST_SKIP() << "SQLite connections are not lost";
  auto database = openWith({.pool_size = 3, .statement_timeout = 7s});
  ASSERT_TRUE(database);
  std::vector<storage::SessionLease> leases;
  for (int i = 0; i < 3; ++i) {
    leases.push_back(database->lease().value());
    std::string timeout;
    leases.back().session() << "SHOW statement_timeout", soci::into(timeout);
    EXPECT_EQ(timeout, "7s");
  }
}

TEST_P(ConnectionTest, ASlowStatementIsCancelledAfterTheStatementTimeout) {
  if (!postgresql()) GTEST_SKIP() << "SQLite connections are not lost";
  auto database = openWith({.pool_size = 1, .statement_timeout = 1s});
  ASSERT_TRUE(database);
  const auto started = Clock::now();
  auto slow = storage::withSession(*database, [](soci::session& sql) -> core::Result<void> {
    sql << "SELECT pg_sleep(5)";
    return {};
  });
  EXPECT_LT(Clock::now() - started, 4s);
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, ErrorKind::unavailable);
  EXPECT_TRUE(database->health()) << "the connection survives a cancelled statement";
}

TEST_P(ConnectionTest, ATransactionFindsItsConnectionReestablished) {
  if (!postgresql()) GTEST_SKIP() << "SQLite connections are not lost";
  const std::set<int> before = backendPids(*database_);
  killConnections(*database_);

  int runs = 0;
  auto written = insertInTransaction(*database_, runs);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(runs, 1) << "BEGIN found the connection lost, before the body ran";
  EXPECT_EQ(events(), 1);

  // Afterwards everything works: every pooled connection is a new one that answers.
  expectEveryConnectionWorks(*database_);
  for (int pid : backendPids(*database_)) EXPECT_FALSE(before.contains(pid));
  EXPECT_TRUE(database_->health());
  int more_runs = 0;
  EXPECT_TRUE(insertAutocommit(*database_, more_runs));
  EXPECT_EQ(more_runs, 1);
  EXPECT_EQ(events(), 2);
}

TEST_P(ConnectionTest, ATransactionWhoseConnectionDiesRunsOnceMore) {
  if (!postgresql()) GTEST_SKIP() << "SQLite connections are not lost";
  int runs = 0;
  auto written = storage::inTransaction(
      *database_, storage::TransactionMode::write, [&](soci::session& sql) -> core::Result<void> {
        ++runs;
        sql << "INSERT INTO rate_events (scope, client, at) VALUES ('test', 'twice', 0)";
        if (runs == 1) {
          int pid = 0;
          sql << "SELECT pg_backend_pid()", soci::into(pid);
          terminate({pid});
        }
        sql << "INSERT INTO rate_events (scope, client, at) VALUES ('test', 'twice', 1)";
        return {};
      });
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(events(), 2) << "the first run was rolled back with its connection";
  expectEveryConnectionWorks(*database_);
}

TEST_P(ConnectionTest, AnAutocommitBodyIsReportedNotRepeatedWhenItsConnectionIsLost) {
  if (!postgresql()) GTEST_SKIP() << "SQLite connections are not lost";
  killConnections(*database_);

  int runs = 0;
  auto lost = insertAutocommit(*database_, runs);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(lost.error().message, "storage.unavailable");
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(events(), 0);

  // The next lease gets the reconnected session.
  EXPECT_TRUE(insertAutocommit(*database_, runs));
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(events(), 1);
  expectEveryConnectionWorks(*database_);
}

TEST_P(ConnectionTest, AFailedReconnectIsTriedAgainOnTheNextLease) {
  if (!postgresql()) GTEST_SKIP() << "SQLite connections are not lost";
  // A role of its own, so that only this test's connections can be refused.
  const std::string role = "mijncert_test_role_" + postgresql()->name().substr(14);
  soci::session& admin = postgresql()->admin();
  admin << "CREATE ROLE " + role + " LOGIN";
  {
    auto opened = storage::Database::open(url() + "&user=" + role,
                                          {.pool_size = 1, .acquire_timeout = 500ms});
    ASSERT_TRUE(opened) << opened.error().message;
    auto& database = *opened;
    ASSERT_TRUE(database->health());

    admin << "ALTER ROLE " + role + " NOLOGIN";
    killConnections(*database);
    for (int i = 0; i < 2; ++i) {
      auto down = database->health();
      ASSERT_FALSE(down);
      EXPECT_EQ(down.error().message, "storage.unavailable");
    }
    admin << "ALTER ROLE " + role + " LOGIN";
    EXPECT_TRUE(database->health());
    int runs = 0;
    EXPECT_TRUE(storage::withSession(*database, [&](soci::session& sql) -> core::Result<void> {
      ++runs;
      int one = 0;
      sql << "SELECT 1", soci::into(one);
      return {};
    }));
    EXPECT_EQ(runs, 1);
  }
  admin << "DROP ROLE " + role;
}

INSTANTIATE_TEST_SUITE_P(Backends, ConnectionTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
