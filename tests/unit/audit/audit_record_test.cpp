#include "audit/audit_record.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {

using namespace std::chrono_literals;

audit::Event event(std::string action, std::string details = "{}") {
  return audit::Event{core::TimePoint{1'800'000'000s}, "person:1", std::move(action),
                      "organisation:1", std::move(details)};
}

std::vector<audit::Record> chainOf(int count) {
  std::vector<audit::Record> records;
  std::optional<audit::Record> previous;
  for (int i = 0; i < count; ++i) {
    previous =
        audit::chain(previous, event("organisation.create", "{\"n\":" + std::to_string(i) + "}"));
    records.push_back(*previous);
  }
  return records;
}

TEST(Actor, FormatsIds) {
  EXPECT_EQ(audit::objectName("organisation", 12), "organisation:12");
  EXPECT_EQ(audit::Actor::person(7).id, "person:7");
  EXPECT_EQ(audit::Actor::system("init-dev").id, "system:init-dev");
  EXPECT_EQ(audit::Actor::anonymous().id, "anonymous");
}

TEST(ChainHash, IsLowerHexSha256AndDeterministic) {
  const auto a = audit::chainHash(audit::genesisHash(), 1, event("x"));
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a, audit::chainHash(audit::genesisHash(), 1, event("x")));
  EXPECT_EQ(audit::genesisHash(), std::string(64, '0'));
}

TEST(ChainHash, EveryFieldCounts) {
  const auto base = event("x");
  const auto reference = audit::chainHash(audit::genesisHash(), 1, base);
  EXPECT_NE(reference, audit::chainHash(std::string(64, '1'), 1, base));
  EXPECT_NE(reference, audit::chainHash(audit::genesisHash(), 2, base));
  auto changed = base;
  changed.at += 1s;
  EXPECT_NE(reference, audit::chainHash(audit::genesisHash(), 1, changed));
  changed = base;
  changed.actor = "person:2";
  EXPECT_NE(reference, audit::chainHash(audit::genesisHash(), 1, changed));
  changed = base;
  changed.action = "y";
  EXPECT_NE(reference, audit::chainHash(audit::genesisHash(), 1, changed));
  changed = base;
  changed.object = "organisation:2";
  EXPECT_NE(reference, audit::chainHash(audit::genesisHash(), 1, changed));
  changed = base;
  changed.details = "{\"a\":1}";
  EXPECT_NE(reference, audit::chainHash(audit::genesisHash(), 1, changed));
  changed = base;
  changed.context = "organisation:1";
  const auto with_context = audit::chainHash(audit::genesisHash(), 1, changed);
  EXPECT_NE(reference, with_context);
  changed.context = "organisation:2";
  EXPECT_NE(with_context, audit::chainHash(audit::genesisHash(), 1, changed));
}

// Expected values computed independently (Python hashlib over the netstring encoding), so that
// a change of the encoding cannot go unnoticed: it would make existing chains unverifiable.
TEST(ChainHash, EncodingIsStable) {
  // Without a context: v1, as written before the context existed.
  EXPECT_EQ(audit::chainHash(audit::genesisHash(), 1, event("organisation.create")),
            "7bdaaba8847d7f192b7b827793fbc39003f4a74160aa82c1892890bcbda6cae9");
  // With a context: v2, the context as the last field.
  auto role = event("role.add");
  role.object = "person:7";
  role.context = "organisation:1";
  EXPECT_EQ(audit::chainHash(audit::genesisHash(), 1, role),
            "357148d56cdcabf9426698f20cc4e45f51265d9ac4e529b3dbee8526b8ac0926");
}

TEST(ChainHash, ContextCannotMoveIntoAnotherField) {
  // v2's extra field must not let context text pass for a v1 field or the other way round.
  auto a = event("x", "{}");
  a.context = "organisation:1";
  auto b = event("x", "{}organisation:1");
  EXPECT_NE(audit::chainHash(audit::genesisHash(), 1, a),
            audit::chainHash(audit::genesisHash(), 1, b));
}

TEST(ChainHash, FieldBoundariesAreUnambiguous) {
  auto a = event("bc");
  a.actor = "a";
  auto b = event("c");
  b.actor = "ab";
  EXPECT_NE(audit::chainHash(audit::genesisHash(), 1, a),
            audit::chainHash(audit::genesisHash(), 1, b));
}

TEST(Chain, LinksRecords) {
  const auto first = audit::chain(std::nullopt, event("a"));
  EXPECT_EQ(first.sequence, 1);
  EXPECT_EQ(first.previous_hash, audit::genesisHash());
  EXPECT_EQ(first.hash, audit::chainHash(audit::genesisHash(), 1, first.event));
  const auto second = audit::chain(first, event("b"));
  EXPECT_EQ(second.sequence, 2);
  EXPECT_EQ(second.previous_hash, first.hash);
  EXPECT_EQ(second.event.action, "b");
}

TEST(VerifyChain, AcceptsIntactAndEmptyChains) {
  EXPECT_FALSE(audit::verifyChain({}));
  EXPECT_FALSE(audit::verifyChain(chainOf(5)));
}

TEST(VerifyChain, AcceptsRecordsWithAndWithoutContext) {
  auto records = chainOf(2);
  auto role = event("role.add");
  role.context = "organisation:1";
  records.push_back(audit::chain(records.back(), role));
  records.push_back(audit::chain(records.back(), event("login")));
  EXPECT_FALSE(audit::verifyChain(records));
  records[2].event.context = "";
  const auto broken = audit::verifyChain(records);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 3);
  EXPECT_EQ(broken->reason, "hash mismatch");
}

TEST(VerifyChain, DetectsChangedRecord) {
  auto records = chainOf(5);
  records[2].event.details = "{\"n\":99}";
  const auto broken = audit::verifyChain(records);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 3);
  EXPECT_EQ(broken->reason, "hash mismatch");
}

TEST(VerifyChain, DetectsChangedRecordWithRecomputedHash) {
  auto records = chainOf(5);
  records[2].event.actor = "person:666";
  records[2].hash = audit::chainHash(records[2].previous_hash, 3, records[2].event);
  const auto broken = audit::verifyChain(records);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 4);
  EXPECT_EQ(broken->reason, "previous hash mismatch");
}

TEST(VerifyChain, DetectsDeletedRecord) {
  auto records = chainOf(5);
  records.erase(records.begin() + 1);
  const auto broken = audit::verifyChain(records);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 3);
  EXPECT_EQ(broken->reason, "sequence gap");
}

TEST(VerifyChain, DetectsDeletedFirstRecord) {
  auto records = chainOf(3);
  records.erase(records.begin());
  const auto broken = audit::verifyChain(records);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 2);
}

TEST(VerifyChain, DetectsInsertedRecord) {
  auto records = chainOf(5);
  // A forged record that fits after record 2; the ones after it are renumbered.
  auto forged = audit::chain(records[1], event("person.create"));
  records.insert(records.begin() + 2, forged);
  for (std::size_t i = 3; i < records.size(); ++i) records[i].sequence = std::int64_t(i) + 1;
  const auto broken = audit::verifyChain(records);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 4);
  EXPECT_EQ(broken->reason, "previous hash mismatch");
}

TEST(VerifyChain, ChecksOnePageAfterAnother) {
  const auto records = chainOf(6);
  const std::vector<audit::Record> first(records.begin(), records.begin() + 3);
  std::vector<audit::Record> second(records.begin() + 3, records.end());
  EXPECT_FALSE(audit::verifyChain(first, std::nullopt));
  EXPECT_FALSE(audit::verifyChain(second, first.back()));
  // A page is not a chain start, and a wrong predecessor is noticed.
  EXPECT_TRUE(audit::verifyChain(second, std::nullopt));
  EXPECT_TRUE(audit::verifyChain(second, first.front()));
  second[1].event.object = "organisation:2";
  const auto broken = audit::verifyChain(second, first.back());
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 5);
}

}  // namespace
