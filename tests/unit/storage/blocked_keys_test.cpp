#include "storage/blocked_keys.hpp"

#include "backend_test_support.hpp"
#include "storage/registry_repository.hpp"

#include <gtest/gtest.h>

namespace {

using backend_test::Backend;
using core::ErrorKind;

const std::string kFirst(64, 'a');
const std::string kSecond(64, 'b');

class BlockedKeysTest : public backend_test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    officer_ = storage::RegistryRepository(*database_, clock_)
                   .createPerson(person("Johan", "Smit"), servicedesk_)
                   .value();
    keys_ = std::make_unique<storage::BlockedKeyRepository>(*database_, clock_);
  }
  void TearDown() override {
    keys_.reset();
    BackendTest::TearDown();
  }

  /// The hashes of list(), in its order.
  std::vector<std::string> listed() {
    std::vector<std::string> hashes;
    for (const auto& key : keys_->list().value()) hashes.push_back(key.spki_sha256);
    return hashes;
  }

  core::PersonId officer_ = 0;
  std::unique_ptr<storage::BlockedKeyRepository> keys_;
};

TEST_P(BlockedKeysTest, AddsListsNewestFirstAndRemoves) {
  EXPECT_TRUE(keys_->list().value().empty());
  EXPECT_TRUE(keys_->hashes().value().empty());
  const core::TimePoint first_at = clock_.now();
  ASSERT_TRUE(keys_->add(kFirst, "Debian OpenSSL", officer_, servicedesk_));
  clock_.advance(std::chrono::hours(1));
  ASSERT_TRUE(keys_->add(kSecond, "Gelekt", std::nullopt, servicedesk_));

  const auto keys = keys_->list().value();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].spki_sha256, kSecond);
  EXPECT_EQ(keys[0].reason, "Gelekt");
  EXPECT_EQ(keys[0].created_by, "");
  EXPECT_EQ(keys[0].created_at, clock_.now());
  EXPECT_EQ(keys[1].spki_sha256, kFirst);
  EXPECT_EQ(keys[1].reason, "Debian OpenSSL");
  EXPECT_EQ(keys[1].created_by, "Johan Smit");
  EXPECT_EQ(keys[1].created_at, first_at);
  EXPECT_EQ(keys_->hashes().value(), (std::set<std::string>{kFirst, kSecond}));

  ASSERT_TRUE(keys_->remove(kFirst, servicedesk_));
  EXPECT_EQ(listed(), std::vector<std::string>{kSecond});
  EXPECT_EQ(keys_->hashes().value(), std::set<std::string>{kSecond});
}

TEST_P(BlockedKeysTest, AKeyIsBlockedOnceAndOnlyABlockedKeyIsRemoved) {
  ASSERT_TRUE(keys_->add(kFirst, "Debian OpenSSL", officer_, servicedesk_));
  auto twice = keys_->add(kFirst, "Nogmaals", officer_, servicedesk_);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().kind, ErrorKind::conflict);
  EXPECT_EQ(twice.error().message, "blocked_key.exists");
  ASSERT_EQ(keys_->list().value().size(), 1u);
  EXPECT_EQ(keys_->list().value().front().reason, "Debian OpenSSL");

  auto unknown = keys_->remove(kSecond, servicedesk_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_EQ(unknown.error().message, "blocked_key.not_found");
  EXPECT_EQ(listed(), std::vector<std::string>{kFirst});
}

TEST_P(BlockedKeysTest, EveryChangeIsAuditedAndRefusalsAreNot) {
  ASSERT_TRUE(keys_->add(kFirst, "Debian OpenSSL", officer_, servicedesk_));
  ASSERT_FALSE(keys_->add(kFirst, "Nogmaals", officer_, servicedesk_));
  ASSERT_TRUE(keys_->remove(kFirst, servicedesk_));
  ASSERT_FALSE(keys_->remove(kFirst, servicedesk_));

  std::vector<audit::Record> changes;
  for (auto& record : storage::AuditRepository(*database_).find({.limit = 100}).value())
    if (record.event.action.starts_with("blocked_key.")) changes.push_back(std::move(record));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].event.action, "blocked_key.add");
  EXPECT_EQ(changes[0].event.actor, servicedesk_.id);
  EXPECT_NE(changes[0].event.details.find(kFirst), std::string::npos) << changes[0].event.details;
  EXPECT_NE(changes[0].event.details.find("Debian OpenSSL"), std::string::npos);
  EXPECT_EQ(changes[1].event.action, "blocked_key.remove");
  EXPECT_NE(changes[1].event.details.find(kFirst), std::string::npos) << changes[1].event.details;
  EXPECT_FALSE(storage::AuditRepository(*database_).verify().value());
}

INSTANTIATE_TEST_SUITE_P(Backends, BlockedKeysTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
