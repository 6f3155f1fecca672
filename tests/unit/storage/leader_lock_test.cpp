// Leadership of background jobs among nodes (ADR 0011): exactly one holder per key on
// PostgreSQL, handed over when the holder lets go or dies; always the one node on SQLite.

#include "storage/leader_lock.hpp"

#include "backend_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace {

using backend_test::Backend;
using namespace std::chrono_literals;

class LeaderLockTest : public backend_test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    other_node_ = storage::Database::open(url(), 2).value();
  }
  void TearDown() override {
    other_node_.reset();
    BackendTest::TearDown();
  }

  /// A key no other test run on the same server uses (advisory locks are server-wide).
  static std::int64_t uniqueKey() { return std::int64_t(std::random_device{}() & 0x7fffffff) + 1; }

  /// Ends the server process holding the advisory lock `key`, and waits until it is gone.
  void killHolderOf(std::int64_t key) {
    soci::session& admin = postgresql()->admin();
    long long wanted = key;
    int pid = 0;
    admin << "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
             "(CAST(classid AS BIGINT) << 32 | CAST(objid AS BIGINT)) = :k AND objsubid = 1",
        soci::use(wanted), soci::into(pid);
    ASSERT_NE(pid, 0) << "nobody holds the lock";
    admin << "SELECT pg_terminate_backend(:pid)", soci::use(pid);
    int alive = 1;
    for (int i = 0; i < 500 && alive > 0; ++i) {
      admin << "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = :pid", soci::use(pid),
          soci::into(alive);
      if (alive > 0) std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(alive, 0);
  }

  std::unique_ptr<storage::Database> other_node_;
};

TEST_P(LeaderLockTest, OnSqliteTheOneNodeAlwaysLeads) {
  if (GetParam() != Backend::sqlite) GTEST_SKIP() << "SQLite only";
  storage::LeaderLock first(*database_, 1), second(*other_node_, 1);
  EXPECT_TRUE(first.hold().value());
  EXPECT_TRUE(second.hold().value());
}

TEST_P(LeaderLockTest, ExactlyOneNodeHoldsAKeyUntilItReleases) {
  if (GetParam() != Backend::postgresql) GTEST_SKIP() << "PostgreSQL only";
  const auto key = uniqueKey();
  storage::LeaderLock first(*database_, key), second(*other_node_, key);
  EXPECT_TRUE(first.hold().value());
  EXPECT_FALSE(second.hold().value());
  EXPECT_TRUE(first.hold().value()) << "held as long as it is not released";
  EXPECT_FALSE(second.hold().value());
  {
    storage::LeaderLock other_key(*other_node_, key + 1);
    EXPECT_TRUE(other_key.hold().value()) << "another key is another lock";
  }

  first.release();
  EXPECT_TRUE(second.hold().value());
  EXPECT_FALSE(first.hold().value());
}

TEST_P(LeaderLockTest, DestroyingTheHolderHandsTheLockOver) {
  if (GetParam() != Backend::postgresql) GTEST_SKIP() << "PostgreSQL only";
  const auto key = uniqueKey();
  storage::LeaderLock second(*other_node_, key);
  {
    storage::LeaderLock first(*database_, key);
    ASSERT_TRUE(first.hold().value());
    EXPECT_FALSE(second.hold().value());
  }
  EXPECT_TRUE(second.hold().value());
}

TEST_P(LeaderLockTest, ALeaderWhoseConnectionDiesLosesTheLockToTheOther) {
  if (GetParam() != Backend::postgresql) GTEST_SKIP() << "PostgreSQL only";
  const auto key = uniqueKey();
  storage::LeaderLock first(*database_, key), second(*other_node_, key);
  ASSERT_TRUE(first.hold().value());
  ASSERT_FALSE(second.hold().value());

  killHolderOf(key);
  EXPECT_TRUE(second.hold().value()) << "the lock went with the dead connection";
  // The former leader notices, reconnects, and finds the lock taken.
  EXPECT_FALSE(first.hold().value());
  second.release();
  EXPECT_TRUE(first.hold().value()) << "its new connection takes the lock when free";
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaderLockTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
