#include "storage/audit_repository.hpp"

#include "core/time_format.hpp"
#include "storage/registry_repository.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace {

using storage_test::SqliteTest;

class AuditRepositoryTest : public SqliteTest {
 protected:
  storage::AuditRepository auditLog() { return storage::AuditRepository(*database_); }

  audit::Record append(std::string action, std::string object = "",
                       std::string actor = "anonymous") {
    auto record = auditLog().append({clock_.now(), std::move(actor), std::move(action),
                                     std::move(object), R"({"reason":"test"})"});
    EXPECT_TRUE(record) << record.error().message;
    return record ? *record : audit::Record{};
  }

  /// Appends `count` login events.
  void appendLogins(int count) {
    for (int i = 0; i < count; ++i) append("login", "", "person:" + std::to_string(i % 3));
  }

  /// Inserts a record directly, as someone with write access to the file could.
  static void insertRaw(soci::session& raw, const audit::Record& record) {
    const long long at = core::toUnixSeconds(record.event.at);
    raw << "INSERT INTO audit_log (sequence, at, actor, action, object, details, previous_hash, "
           "hash) VALUES (:s, :at, :actor, :action, :object, :details, :previous, :hash)",
        soci::use(record.sequence), soci::use(at), soci::use(record.event.actor),
        soci::use(record.event.action), soci::use(record.event.object),
        soci::use(record.event.details), soci::use(record.previous_hash), soci::use(record.hash);
  }

  /// A raw connection with the append-only triggers removed.
  std::unique_ptr<soci::session> tamperer() {
    auto raw = rawSession();
    *raw << "DROP TRIGGER audit_log_no_update";
    *raw << "DROP TRIGGER audit_log_no_delete";
    return raw;
  }

  std::optional<audit::ChainBreak> verify() {
    auto result = auditLog().verify();
    EXPECT_TRUE(result) << result.error().message;
    return result ? *result : std::nullopt;
  }
};

TEST_F(AuditRepositoryTest, AppendsChainedRecords) {
  const auto first = append("login", "", "person:1");
  const auto second = append("login.refused", "", "anonymous");
  EXPECT_EQ(first.sequence, 1);
  EXPECT_EQ(first.previous_hash, audit::genesisHash());
  EXPECT_EQ(second.sequence, 2);
  EXPECT_EQ(second.previous_hash, first.hash);
  const auto stored = auditLog().find({}).value();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].hash, second.hash);
  EXPECT_EQ(stored[1].event.action, "login.refused");
  EXPECT_EQ(stored[1].event.at, clock_.now());
  EXPECT_EQ(stored[1].event.details, R"({"reason":"test"})");
  EXPECT_FALSE(verify());
}

TEST_F(AuditRepositoryTest, FindsByObjectActorAndPage) {
  append("organisation.create", "organisation:1", "person:7");
  append("login", "", "person:8");
  append("domain.add", "organisation:1", "person:8");
  append("organisation.create", "organisation:2", "person:7");

  const auto by_object = auditLog().find({.object = "organisation:1"}).value();
  ASSERT_EQ(by_object.size(), 2u);
  EXPECT_EQ(by_object[0].sequence, 1);
  EXPECT_EQ(by_object[1].sequence, 3);

  const auto by_actor = auditLog().find({.actor = "person:7"}).value();
  ASSERT_EQ(by_actor.size(), 2u);
  EXPECT_EQ(by_actor[1].event.object, "organisation:2");

  const auto both = auditLog().find({.object = "organisation:1", .actor = "person:8"}).value();
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(both[0].sequence, 3);

  const auto page = auditLog().find({.after_sequence = 1, .limit = 2}).value();
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].sequence, 2);
  EXPECT_EQ(page[1].sequence, 3);
}

TEST_F(AuditRepositoryTest, FindsEverythingAboutAnOrganisationOrAPerson) {
  const auto appendWithContext = [&](std::string action, std::string object, std::string actor,
                                     std::string context) {
    auto record = auditLog().append({clock_.now(), std::move(actor), std::move(action),
                                     std::move(object), "{}", std::move(context)});
    EXPECT_TRUE(record) << record.error().message;
  };
  appendWithContext("organisation.create", "organisation:1", "person:9", "");
  appendWithContext("role.add", "person:7", "person:9", "organisation:1");
  appendWithContext("login", "person:7", "person:7", "organisation:1");
  appendWithContext("organisation.update", "organisation:11", "person:7", "");
  appendWithContext("role.add", "person:8", "person:9", "organisation:2");
  appendWithContext("person.update", "person:70", "person:9", "");

  const auto sequences = [&](const storage::AuditQuery& query) {
    std::vector<std::int64_t> result;
    for (const auto& record : auditLog().find(query).value()) result.push_back(record.sequence);
    return result;
  };
  // Exact names: organisation:11 and person:70 are not organisation:1 and person:7.
  EXPECT_EQ(sequences({.organisation = 1}), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(sequences({.organisation = 2}), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(sequences({.person = 7}), (std::vector<std::int64_t>{2, 3, 4}));
  EXPECT_EQ(sequences({.person = 9}), (std::vector<std::int64_t>{1, 2, 5, 6}));
  EXPECT_EQ(sequences({.organisation = 1, .person = 7}), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(sequences({.organisation = 1, .after_sequence = 1, .limit = 1}),
            (std::vector<std::int64_t>{2}));
  EXPECT_TRUE(sequences({.organisation = 3}).empty());

  const auto stored = auditLog().find({.person = 8}).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event.context, "organisation:2");
  EXPECT_FALSE(verify());
}

TEST_F(AuditRepositoryTest, EmptyLogIsIntact) {
  EXPECT_FALSE(verify());
}

TEST_F(AuditRepositoryTest, VerifyDetectsChangedDetails) {
  appendLogins(5);
  *tamperer() << "UPDATE audit_log SET details = '{\"reason\":\"forged\"}' WHERE sequence = 3";
  const auto broken = verify();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 3);
  EXPECT_EQ(broken->reason, "hash mismatch");
}

TEST_F(AuditRepositoryTest, VerifyDetectsChangedContext) {
  appendLogins(2);
  ASSERT_TRUE(auditLog().append(
      {clock_.now(), "person:9", "role.add", "person:7", "{}", "organisation:1"}));
  appendLogins(2);
  // Moving a record out of an organisation's log is tampering too.
  *tamperer() << "UPDATE audit_log SET context = '' WHERE sequence = 3";
  const auto broken = verify();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 3);
  EXPECT_EQ(broken->reason, "hash mismatch");
}

TEST_F(AuditRepositoryTest, VerifyDetectsDeletedRecord) {
  appendLogins(5);
  *tamperer() << "DELETE FROM audit_log WHERE sequence = 2";
  const auto broken = verify();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 3);
  EXPECT_EQ(broken->reason, "sequence gap");
}

TEST_F(AuditRepositoryTest, VerifyDetectsInsertedRecord) {
  appendLogins(5);
  const auto records = auditLog().find({}).value();
  auto raw = tamperer();
  // Make room after record 2 (via negative numbers: the primary key is checked per row), then
  // insert a well-formed record that chains onto record 2.
  *raw << "UPDATE audit_log SET sequence = -(sequence + 1) WHERE sequence >= 3";
  *raw << "UPDATE audit_log SET sequence = -sequence WHERE sequence < 0";
  insertRaw(*raw, audit::chain(records[1], {clock_.now(), "person:666", "role.add", "person:666",
                                            R"({"role":"representative"})"}));
  ASSERT_EQ(auditLog().find({}).value().size(), 6u);
  const auto broken = verify();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 4);
  EXPECT_EQ(broken->reason, "previous hash mismatch");
}

TEST_F(AuditRepositoryTest, VerifyReadsLongChainsPageByPage) {
  // More records than one verify page, written directly in one transaction to keep it quick.
  auto raw = rawSession();
  std::optional<audit::Record> previous;
  {
    soci::transaction transaction(*raw);
    for (int i = 0; i < 2500; ++i) {
      previous = audit::chain(previous, {clock_.now(), "system:test", "test.event", "",
                                         "{\"n\":" + std::to_string(i) + "}"});
      insertRaw(*raw, *previous);
    }
    transaction.commit();
  }
  EXPECT_FALSE(verify());
  // Appending through the repository continues the chain.
  EXPECT_EQ(append("login").sequence, 2501);
  EXPECT_FALSE(verify());

  *raw << "DROP TRIGGER audit_log_no_update";
  *raw << "UPDATE audit_log SET actor = 'person:1' WHERE sequence = 2100";
  const auto broken = verify();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 2100);
}

TEST_F(AuditRepositoryTest, ConcurrentWritersKeepOneGapFreeChain) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread uses its own repositories over the shared pool, mixing plain appends with
      // registry changes that append inside their own transaction.
      storage::AuditRepository audit_log(*database_);
      storage::RegistryRepository registry(*database_, clock_);
      for (int i = 0; i < kPerThread; ++i) {
        const bool ok =
            i % 3 == 0
                ? bool(registry.createPerson(person("T" + std::to_string(t), std::to_string(i)),
                                             audit::Actor::system("thread")))
                : bool(audit_log.append(
                      {clock_.now(), "person:" + std::to_string(t), "login", "", "{}"}));
        if (!ok) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  const auto records = auditLog().find({.limit = 1000}).value();
  ASSERT_EQ(records.size(), std::size_t(kThreads * kPerThread));
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ(records[i].sequence, std::int64_t(i) + 1);
  EXPECT_FALSE(verify());
}

TEST_F(AuditRepositoryTest, SeparateDatabasesOnOneFileKeepOneChain) {
  // Like several portal processes sharing one SQLite file: no pool in common.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto database = storage::Database::open(url(), 1);
      if (!database) {
        ++failures;
        return;
      }
      storage::AuditRepository audit_log(**database);
      for (int i = 0; i < kPerThread; ++i)
        if (!audit_log.append({clock_.now(), "system:node", "login", "", "{}"})) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(auditLog().find({.limit = 1000}).value().size(), std::size_t(kThreads * kPerThread));
  EXPECT_FALSE(verify());
}

}  // namespace
