#include "storage/session_repository.hpp"

#include "storage/registry_repository.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using core::ErrorKind;
using std::chrono::hours;
using std::chrono::minutes;
using storage_test::SqliteTest;

class SessionRepositoryTest : public SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    if (HasFatalFailure()) return;
    storage::RegistryRepository registry(*database_, clock_);
    organisation_ =
        registry.createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_)
            .value();
    person_ = registry.createPerson(person("Jan", "Jansen"), servicedesk_).value();
    other_ = registry.createPerson(person("Piet", "Pietersen"), servicedesk_).value();
  }

  storage::SessionRecord session(std::string id_hash, core::PersonId person,
                                 core::TimePoint created) {
    return {std::move(id_hash), person, "fingerprint", "csrf", created, created, std::nullopt};
  }

  storage::SessionRepository sessions() { return storage::SessionRepository(*database_); }

  core::OrganisationId organisation_ = 0;
  core::PersonId person_ = 0;
  core::PersonId other_ = 0;
};

TEST_F(SessionRepositoryTest, CreatesAndFinds) {
  auto record = session("hash-1", person_, clock_.now());
  record.organisation = organisation_;
  ASSERT_TRUE(sessions().create(record));
  const auto found = sessions().find("hash-1").value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id_hash, "hash-1");
  EXPECT_EQ(found->person, person_);
  EXPECT_EQ(found->certificate_fingerprint, "fingerprint");
  EXPECT_EQ(found->csrf_token, "csrf");
  EXPECT_EQ(found->created_at, clock_.now());
  EXPECT_EQ(found->last_seen_at, clock_.now());
  EXPECT_EQ(found->organisation, organisation_);

  ASSERT_TRUE(sessions().create(session("hash-2", person_, clock_.now())));
  EXPECT_EQ(sessions().find("hash-2").value()->organisation, std::nullopt);
  EXPECT_FALSE(sessions().find("unknown").value());
}

TEST_F(SessionRepositoryTest, RefusesDuplicatesAndUnknownPersons) {
  ASSERT_TRUE(sessions().create(session("hash-1", person_, clock_.now())));
  auto duplicate = sessions().create(session("hash-1", other_, clock_.now()));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().kind, ErrorKind::conflict);
  auto unknown = sessions().create(session("hash-2", other_ + 100, clock_.now()));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
}

TEST_F(SessionRepositoryTest, TouchAndSelectOrganisation) {
  ASSERT_TRUE(sessions().create(session("hash-1", person_, clock_.now())));
  ASSERT_TRUE(sessions().touch("hash-1", clock_.now() + minutes(3)));
  ASSERT_TRUE(sessions().selectOrganisation("hash-1", organisation_));
  auto found = sessions().find("hash-1").value();
  EXPECT_EQ(found->last_seen_at, clock_.now() + minutes(3));
  EXPECT_EQ(found->created_at, clock_.now());
  EXPECT_EQ(found->organisation, organisation_);

  ASSERT_TRUE(sessions().selectOrganisation("hash-1", std::nullopt));
  EXPECT_EQ(sessions().find("hash-1").value()->organisation, std::nullopt);

  EXPECT_EQ(sessions().touch("unknown", clock_.now()).error().kind, ErrorKind::not_found);
  EXPECT_EQ(sessions().selectOrganisation("unknown", organisation_).error().kind,
            ErrorKind::not_found);
  auto unknown_organisation = sessions().selectOrganisation("hash-1", organisation_ + 100);
  ASSERT_FALSE(unknown_organisation);
  EXPECT_EQ(unknown_organisation.error().kind, ErrorKind::not_found);
  EXPECT_EQ(unknown_organisation.error().message, "organisation.not_found");
}

TEST_F(SessionRepositoryTest, RemovesOneOrAllOfAPerson) {
  ASSERT_TRUE(sessions().create(session("a", person_, clock_.now())));
  ASSERT_TRUE(sessions().create(session("b", person_, clock_.now())));
  ASSERT_TRUE(sessions().create(session("c", other_, clock_.now())));
  ASSERT_TRUE(sessions().remove("a"));
  ASSERT_TRUE(sessions().remove("a"));  // already gone: still fine
  EXPECT_FALSE(sessions().find("a").value());
  // Ending stores when: for a stored session and for one never stored (a signed cookie).
  ASSERT_TRUE(sessions().end(sessions().find("b").value().value(), clock_.now()));
  EXPECT_EQ(sessions().find("b").value()->ended_at, clock_.now());
  EXPECT_FALSE(sessions().find("c").value()->ended_at);
  ASSERT_TRUE(sessions().end(session("d", person_, clock_.now()), clock_.now()));
  ASSERT_TRUE(sessions().end(session("d", person_, clock_.now()), clock_.now()));  // again: fine
  EXPECT_EQ(sessions().find("d").value()->ended_at, clock_.now());
}

TEST_F(SessionRepositoryTest, RemovesIdleAndTooOldSessions) {
  const auto start = clock_.now();
  ASSERT_TRUE(sessions().create(session("idle", person_, start)));
  ASSERT_TRUE(sessions().create(session("old", person_, start - hours(20))));
  ASSERT_TRUE(sessions().create(session("fresh", person_, start)));
  ASSERT_TRUE(sessions().touch("old", start + minutes(25)));
  ASSERT_TRUE(sessions().touch("fresh", start + minutes(25)));

  // At start+30min: idle timeout 15 minutes, absolute lifetime 12 hours.
  const auto now = start + minutes(30);
  EXPECT_EQ(sessions().removeExpired(now - minutes(15), now - hours(12)).value(), 2);
  EXPECT_FALSE(sessions().find("idle").value());
  EXPECT_FALSE(sessions().find("old").value());
  EXPECT_TRUE(sessions().find("fresh").value());
}

}  // namespace
