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
    sessions_ = std::make_unique<auth::SessionManager>(*repository_, clock_, random_,
                                                       auth::SessionPolicy{15min, 8h});
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
  ASSERT_TRUE(sessions_->end(started->token));
  EXPECT_FALSE(sessions_->resume(started->token, person_, "fp").value().has_value());
  EXPECT_FALSE(sessions_->resume("", person_, "fp").value().has_value());
  EXPECT_FALSE(sessions_->resume("made-up", person_, "fp").value().has_value());
}

TEST(Secrets, ComparisonIsExact) {
  EXPECT_TRUE(auth::secretsEqual("abc", "abc"));
  EXPECT_FALSE(auth::secretsEqual("abc", "abd"));
  EXPECT_FALSE(auth::secretsEqual("abc", "abcd"));
  EXPECT_FALSE(auth::secretsEqual("", "a"));
}

}  // namespace
