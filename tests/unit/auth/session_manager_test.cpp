#include "auth/session_manager.hpp"

#include "core/clock.hpp"
#include "storage/database.hpp"
#include "storage/registry_repository.hpp"
#include "storage/session_repository.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

using namespace std::chrono_literals;

// Deterministic randomness: every fill() yields different bytes, predictable across runs.
class CountingRandom final : public core::RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>(next_++);
  }

 private:
  unsigned next_ = 1;
};

class SessionManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("mijncert-session-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    database_ = std::move(*storage::Database::open("sqlite:" + (dir_ / "t.db").string(), 2));
    ASSERT_TRUE(database_->migrate());
    storage::RegistryRepository registry(*database_, clock_);
    core::Person person;
    person.given_name = "Sanne";
    person.surname = "Jansen";
    person_ = *registry.createPerson(person, audit::Actor::system("test"));
    other_ = *registry.createPerson(person, audit::Actor::system("test"));
    repository_ = std::make_unique<storage::SessionRepository>(*database_);
    sessions_ = std::make_unique<auth::SessionManager>(
        *repository_, clock_, random_, auth::SessionPolicy{15min, 8h}, "test-signing-key");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  core::FixedClock clock_{core::TimePoint{std::chrono::sys_days{2026y / 11 / 27}}};
  CountingRandom random_;
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<storage::SessionRepository> repository_;
  std::unique_ptr<auth::SessionManager> sessions_;
  core::PersonId person_ = 0;
  core::PersonId other_ = 0;
};

TEST_F(SessionManagerTest, StartedSessionResumesWithSameCertificate) {
  auto started = sessions_->start(person_, "fp-1");
  ASSERT_TRUE(started);
  EXPECT_GE(started->token.size(), 43u);  // 256 bits in base64url
  EXPECT_NE(started->record.id_hash, started->token) << "only a hash of the cookie is stored";
  auto resumed = sessions_->resume(started->token, person_, "fp-1");
  ASSERT_TRUE(resumed);
  ASSERT_TRUE(*resumed);
  EXPECT_EQ((*resumed)->record.csrf_token, started->record.csrf_token);
}

TEST_F(SessionManagerTest, CookieIsWorthlessWithAnotherCertificateOrPerson) {
  auto started = sessions_->start(person_, "fp-1");
  EXPECT_FALSE(sessions_->resume(started->token, person_, "fp-2").value().has_value());
  EXPECT_FALSE(sessions_->resume(started->token, other_, "fp-1").value().has_value());
  EXPECT_TRUE(sessions_->resume(started->token, person_, "fp-1").value().has_value())
      << "a foreign attempt does not end the owner's session";
}

TEST_F(SessionManagerTest, IdleTimeoutEndsSessionButActivityKeepsItAlive) {
  auto started = sessions_->start(person_, "fp");
  clock_.advance(14min);
  EXPECT_TRUE(sessions_->resume(started->token, person_, "fp").value().has_value());
  clock_.advance(14min);
  EXPECT_TRUE(sessions_->resume(started->token, person_, "fp").value().has_value());
  clock_.advance(16min);
  EXPECT_FALSE(sessions_->resume(started->token, person_, "fp").value().has_value());
}

TEST_F(SessionManagerTest, AbsoluteTimeoutEndsEvenAnActiveSession) {
  auto started = sessions_->start(person_, "fp");
  for (int i = 0; i < 8 * 6; ++i) {
    clock_.advance(10min);
    sessions_->resume(started->token, person_, "fp").value();
  }
  clock_.advance(10min);
  EXPECT_FALSE(sessions_->resume(started->token, person_, "fp").value().has_value());
}

TEST_F(SessionManagerTest, EndedOrUnknownSessionsDoNotResume) {
  auto started = sessions_->start(person_, "fp");
  ASSERT_TRUE(sessions_->end(*started));
  EXPECT_FALSE(sessions_->resume(started->token, person_, "fp").value().has_value());
  EXPECT_FALSE(sessions_->resume("", person_, "fp").value().has_value());
  EXPECT_FALSE(sessions_->resume("made-up", person_, "fp").value().has_value());
}

TEST_F(SessionManagerTest, ActivityIsWrittenAtMostOnceAMinute) {
  auto started = sessions_->start(person_, "fp");
  const auto stored_seen = [&] {
    return repository_->find(started->record.id_hash)->value().last_seen_at;
  };
  const auto first_seen = stored_seen();
  clock_.advance(59s);
  ASSERT_TRUE(sessions_->resume(started->token, person_, "fp").value().has_value());
  EXPECT_EQ(stored_seen(), first_seen) << "a read within the minute writes nothing";
  clock_.advance(1s);
  ASSERT_TRUE(sessions_->resume(started->token, person_, "fp").value().has_value());
  EXPECT_EQ(stored_seen(), clock_.now());
}

TEST_F(SessionManagerTest, BegunSessionIsASignedCookieThatWritesNothing) {
  const auto begun = sessions_->begin(person_, "fp-1");
  EXPECT_FALSE(begun.stored);
  EXPECT_FALSE(repository_->find(begun.record.id_hash).value().has_value());
  auto resumed = sessions_->resume(begun.token, person_, "fp-1").value();
  ASSERT_TRUE(resumed.has_value());
  EXPECT_FALSE(resumed->stored);
  EXPECT_EQ(resumed->record.id_hash, begun.record.id_hash);
  EXPECT_EQ(resumed->record.csrf_token, begun.record.csrf_token);
  EXPECT_TRUE(resumed->token.empty()) << "no new cookie within the minute";
  EXPECT_FALSE(repository_->find(begun.record.id_hash).value().has_value());
}

TEST_F(SessionManagerTest, SignedCookieIsWorthlessWithAnotherCertificatePersonOrKey) {
  const auto begun = sessions_->begin(person_, "fp-1");
  EXPECT_FALSE(sessions_->resume(begun.token, person_, "fp-2").value().has_value());
  EXPECT_FALSE(sessions_->resume(begun.token, other_, "fp-1").value().has_value());
  auth::SessionManager other_portal(*repository_, clock_, random_, auth::SessionPolicy{},
                                    "another-key");
  EXPECT_FALSE(other_portal.resume(begun.token, person_, "fp-1").value().has_value());
  // Any changed character: person, times, nonce or MAC.
  for (std::size_t i = 0; i < begun.token.size(); ++i) {
    auto forged = begun.token;
    forged[i] = forged[i] == '1' ? '2' : '1';
    EXPECT_FALSE(sessions_->resume(forged, person_, "fp-1").value().has_value()) << forged;
  }
}

TEST_F(SessionManagerTest, SignedCookieMovesOnWithActivityAndTimesOut) {
  const auto begun = sessions_->begin(person_, "fp");
  clock_.advance(14min);
  auto resumed = sessions_->resume(begun.token, person_, "fp").value();
  ASSERT_TRUE(resumed.has_value());
  ASSERT_FALSE(resumed->token.empty()) << "a renewed cookie records the activity";
  EXPECT_EQ(resumed->record.csrf_token, begun.record.csrf_token)
      << "forms of other tabs stay valid";
  clock_.advance(14min);
  EXPECT_FALSE(sessions_->resume(begun.token, person_, "fp").value().has_value())
      << "the first cookie is idle for 28 minutes";
  EXPECT_TRUE(sessions_->resume(resumed->token, person_, "fp").value().has_value());
}

TEST_F(SessionManagerTest, SignedCookieEndsAfterTheAbsoluteTimeout) {
  auto token = sessions_->begin(person_, "fp").token;
  for (int i = 0; i < 8 * 6; ++i) {
    clock_.advance(10min);
    auto resumed = sessions_->resume(token, person_, "fp").value();
    ASSERT_TRUE(resumed.has_value());
    token = resumed->token;
  }
  clock_.advance(10min);
  EXPECT_FALSE(sessions_->resume(token, person_, "fp").value().has_value());
}

TEST_F(SessionManagerTest, FirstStateChangeKeepsTheSession) {
  auto begun = sessions_->begin(person_, "fp");
  ASSERT_TRUE(sessions_->keep(begun));
  EXPECT_TRUE(begun.stored);
  ASSERT_TRUE(repository_->find(begun.record.id_hash).value().has_value());
  ASSERT_TRUE(sessions_->keep(begun)) << "keeping again changes nothing";
  auto resumed = sessions_->resume(begun.token, person_, "fp").value();
  ASSERT_TRUE(resumed.has_value());
  EXPECT_TRUE(resumed->stored);
  EXPECT_EQ(resumed->record.csrf_token, begun.record.csrf_token);
}

TEST_F(SessionManagerTest, EndingASignedSessionEndsItAtOnceStoredOrNot) {
  auto begun = sessions_->begin(person_, "fp");
  ASSERT_TRUE(sessions_->end(begun));
  EXPECT_FALSE(sessions_->resume(begun.token, person_, "fp").value().has_value());
  auto copy = begun;
  auto kept = sessions_->keep(copy);
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().kind, core::ErrorKind::unauthenticated) << "logged out in another tab";

  auto other = sessions_->begin(person_, "fp");
  ASSERT_TRUE(sessions_->keep(other));
  ASSERT_TRUE(sessions_->end(other));
  EXPECT_FALSE(sessions_->resume(other.token, person_, "fp").value().has_value());
}

TEST_F(SessionManagerTest, SigningKeyIsMadeOnceAndShared) {
  auto first = auth::SessionManager::sharedSigningKey(*repository_, random_, clock_);
  auto second = auth::SessionManager::sharedSigningKey(*repository_, random_, clock_);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_GE(first->size(), 43u);
  EXPECT_EQ(*first, *second);
}

TEST(Secrets, ComparisonIsExact) {
  EXPECT_TRUE(auth::secretsEqual("abc", "abc"));
  EXPECT_FALSE(auth::secretsEqual("abc", "abd"));
  EXPECT_FALSE(auth::secretsEqual("abc", "abcd"));
  EXPECT_FALSE(auth::secretsEqual("", "a"));
}

}  // namespace
