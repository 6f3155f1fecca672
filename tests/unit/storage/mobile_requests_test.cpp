// Mobile login and signing requests and the rate limiter's attempt counters (ADR 0008,
// docs/mobile-protocol.md), on SQLite and, with MIJNCERT_TEST_POSTGRES_URL, on PostgreSQL.

#include "storage/mobile_requests.hpp"

#include "backend_test_support.hpp"
#include "core/time_format.hpp"
#include "storage/registry_repository.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace {

using backend_test::Backend;
using namespace std::chrono_literals;
using storage::MobileRequestKind;
using storage::MobileRequestStatus;

class MobileRequestRepositoryTest : public backend_test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    storage::RegistryRepository registry(*database_, clock_);
    holder_ = registry.createPerson(person("Eva", "de Boer"), servicedesk_).value();
    requests_ = std::make_unique<storage::MobileRequestRepository>(*database_, clock_);
    limiter_ = std::make_unique<storage::RateLimiter>(*database_, clock_);
  }
  void TearDown() override {
    limiter_.reset();
    requests_.reset();
    BackendTest::TearDown();
  }

  /// A pending login request made now from `address`, valid for two minutes.
  storage::MobileRequest loginRequest(const std::string& id,
                                      const std::string& address = "192.0.2.10") const {
    storage::MobileRequest request;
    request.id = id;
    request.kind = MobileRequestKind::login;
    request.browser_hash = std::string(64, 'b');
    request.nonce = "nonce-" + id;
    request.document = "Document: mijncert-inloggen-1\nVerzoek: " + id;
    request.client_address = address;
    request.created_at = clock_.now();
    request.expires_at = clock_.now() + 120s;
    return request;
  }

  /// Stores `request`, which must succeed.
  void create(const storage::MobileRequest& request) {
    auto created = requests_->create(request, audit::Actor::system("mobile-login"));
    ASSERT_TRUE(created) << created.error().message;
  }

  /// The stored request, which must exist.
  storage::MobileRequest stored(const std::string& id) {
    auto found = requests_->find(id);
    EXPECT_TRUE(found) << found.error().message;
    EXPECT_TRUE(found && found->has_value()) << id;
    return found && *found ? **found : storage::MobileRequest{};
  }

  /// Completes a pending request for the holder.
  core::Result<void> complete(const std::string& id) {
    return requests_->finish(id, MobileRequestStatus::completed, holder_, "mobile:abc123",
                             audit::Actor::person(holder_));
  }

  /// One attempt in the enrolment scope: at most three a minute.
  bool attempt(const std::string& key = "198.51.100.7", const std::string& scope = "enroll") {
    auto allowed = limiter_->allow(scope, key, 3, 60s);
    EXPECT_TRUE(allowed) << allowed.error().message;
    return allowed && *allowed;
  }

  core::PersonId holder_ = 0;
  std::unique_ptr<storage::MobileRequestRepository> requests_;
  std::unique_ptr<storage::RateLimiter> limiter_;
};

TEST_P(MobileRequestRepositoryTest, ARequestIsReadBackWithEveryField) {
  clock_.advance(90s);
  storage::MobileRequest input = loginRequest("AAAAAAAAAAAAAAAAAAAAAA");
  input.kind = MobileRequestKind::sign;
  input.person = holder_;
  create(input);

  const storage::MobileRequest found = stored(input.id);
  EXPECT_EQ(found.id, input.id);
  EXPECT_EQ(found.kind, MobileRequestKind::sign);
  EXPECT_EQ(found.browser_hash, input.browser_hash);
  EXPECT_EQ(found.order, std::nullopt);
  EXPECT_EQ(found.person, holder_);
  EXPECT_EQ(found.nonce, input.nonce);
  EXPECT_EQ(found.document, input.document);
  EXPECT_EQ(found.status, MobileRequestStatus::pending);
  EXPECT_EQ(found.refusal, "");
  EXPECT_EQ(found.signer_fingerprint, "");
  EXPECT_EQ(found.client_address, input.client_address);
  EXPECT_EQ(found.created_at, storage_test::testStart() + 90s);
  EXPECT_EQ(found.expires_at, storage_test::testStart() + 90s + 120s);

  auto unknown = requests_->find("BBBBBBBBBBBBBBBBBBBBBB");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());
  EXPECT_EQ(auditActions(), (std::vector<std::string>{"person.create", "mobile_request.create"}));
  EXPECT_FALSE(requests_->create(input, audit::Actor::system("mobile-login")))
      << "an id is stored once";
}

TEST_P(MobileRequestRepositoryTest, ALoginRequestHasNoPersonUntilItIsCompleted) {
  create(loginRequest("login-1"));
  EXPECT_EQ(stored("login-1").person, std::nullopt);
  EXPECT_EQ(stored("login-1").kind, MobileRequestKind::login);

  ASSERT_TRUE(complete("login-1"));
  const storage::MobileRequest completed = stored("login-1");
  EXPECT_EQ(completed.status, MobileRequestStatus::completed);
  EXPECT_EQ(completed.person, holder_);
  EXPECT_EQ(completed.signer_fingerprint, "mobile:abc123");
  EXPECT_EQ(number("SELECT completed_at FROM mobile_requests WHERE id = 'login-1'"),
            core::toUnixSeconds(clock_.now()));
}

TEST_P(MobileRequestRepositoryTest, OnlyAPendingRequestIsFinished) {
  create(loginRequest("answered"));
  create(loginRequest("cancelled"));
  ASSERT_TRUE(complete("answered"));

  // A second answer (or a cancel after the answer) finds nothing pending.
  auto again = complete("answered");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, core::ErrorKind::conflict);
  EXPECT_EQ(again.error().message, "mobile_request.not_pending");
  EXPECT_FALSE(requests_->finish("answered", MobileRequestStatus::cancelled, std::nullopt, "",
                                 audit::Actor::system("mobile-login")));
  EXPECT_EQ(stored("answered").status, MobileRequestStatus::completed);
  EXPECT_EQ(stored("answered").signer_fingerprint, "mobile:abc123");

  // A cancelled request keeps no person and can no longer be answered.
  ASSERT_TRUE(requests_->finish("cancelled", MobileRequestStatus::cancelled, std::nullopt, "",
                                audit::Actor::system("mobile-login")));
  EXPECT_EQ(stored("cancelled").status, MobileRequestStatus::cancelled);
  EXPECT_EQ(stored("cancelled").person, std::nullopt);
  EXPECT_FALSE(complete("cancelled"));
  EXPECT_EQ(stored("cancelled").status, MobileRequestStatus::cancelled);
  EXPECT_FALSE(complete("unknown")) << "nothing to finish";

  EXPECT_EQ(auditActions(), (std::vector<std::string>{
                                "person.create", "mobile_request.create", "mobile_request.create",
                                "mobile_request.completed", "mobile_request.cancelled"}));
}

TEST_P(MobileRequestRepositoryTest, ACompletedLoginIsConsumedOnce) {
  create(loginRequest("login"));
  EXPECT_FALSE(requests_->consume("login").value()) << "pending: nothing to consume yet";
  ASSERT_TRUE(complete("login"));

  EXPECT_TRUE(requests_->consume("login").value());
  EXPECT_EQ(stored("login").status, MobileRequestStatus::consumed);
  EXPECT_FALSE(requests_->consume("login").value());
  EXPECT_FALSE(requests_->consume("unknown").value());
  EXPECT_FALSE(complete("login")) << "a consumed request is not pending";
}

TEST_P(MobileRequestRepositoryTest, ARefusalIsRecordedWhileTheRequestStaysPending) {
  create(loginRequest("login"));
  ASSERT_TRUE(requests_->recordRefusal("login", "mobile.not_mobile"));
  EXPECT_EQ(stored("login").refusal, "mobile.not_mobile");
  EXPECT_EQ(stored("login").status, MobileRequestStatus::pending);
  ASSERT_TRUE(requests_->recordRefusal("login", "signature.document_mismatch"));
  EXPECT_EQ(stored("login").refusal, "signature.document_mismatch") << "the last refusal counts";
  EXPECT_TRUE(complete("login"));
}

TEST_P(MobileRequestRepositoryTest, PollsAreRecordedAtMostOncePerInterval) {
  create(loginRequest("login"));
  create(loginRequest("other"));
  EXPECT_TRUE(requests_->recordPoll("login", 2s).value());
  EXPECT_FALSE(requests_->recordPoll("login", 2s).value());
  EXPECT_TRUE(requests_->recordPoll("other", 2s).value()) << "each request has its own interval";

  clock_.advance(1s);
  EXPECT_FALSE(requests_->recordPoll("login", 2s).value());
  clock_.advance(1s);
  EXPECT_TRUE(requests_->recordPoll("login", 2s).value());
  EXPECT_FALSE(requests_->recordPoll("login", 2s).value()) << "the accepted poll counts again";
  EXPECT_EQ(number("SELECT last_poll_at FROM mobile_requests WHERE id = 'login'"),
            core::toUnixSeconds(clock_.now()));
}

TEST_P(MobileRequestRepositoryTest, RequestsAreCountedPerAddressSinceATime) {
  const core::TimePoint start = clock_.now();
  create(loginRequest("a-1", "192.0.2.1"));
  create(loginRequest("a-2", "192.0.2.1"));
  create(loginRequest("b-1", "192.0.2.2"));
  clock_.advance(30s);
  create(loginRequest("a-3", "192.0.2.1"));

  EXPECT_EQ(requests_->countSince("192.0.2.1", start).value(), 3);
  EXPECT_EQ(requests_->countSince("192.0.2.1", start + 1s).value(), 1);
  EXPECT_EQ(requests_->countSince("192.0.2.1", start + 31s).value(), 0);
  EXPECT_EQ(requests_->countSince("192.0.2.2", start).value(), 1);
  EXPECT_EQ(requests_->countSince("192.0.2.3", start).value(), 0);
}

TEST_P(MobileRequestRepositoryTest, TheRateLimiterAllowsTheLimitWithinASlidingWindow) {
  EXPECT_TRUE(attempt());
  EXPECT_TRUE(attempt());
  clock_.advance(30s);
  EXPECT_TRUE(attempt());
  EXPECT_FALSE(attempt()) << "a fourth attempt within the minute";
  EXPECT_TRUE(attempt("198.51.100.8")) << "another address has its own count";
  EXPECT_TRUE(attempt("198.51.100.7", "login")) << "another scope has its own count";

  clock_.advance(15s);
  EXPECT_FALSE(attempt());
  // The two first attempts leave the window; refused attempts were not counted.
  clock_.advance(16s);
  EXPECT_TRUE(attempt());
  EXPECT_TRUE(attempt());
  EXPECT_FALSE(attempt()) << "the attempt at 30s is still within the window";
  clock_.advance(30s);
  EXPECT_TRUE(attempt());
}

// Two nodes (two pools on one database), several threads each: the count and the insert of one
// attempt never interleave with another's, so exactly `limit` attempts get through.
TEST_P(MobileRequestRepositoryTest, ConcurrentAttemptsOverTheLimitAllowExactlyTheLimit) {
  auto other_node = storage::Database::open(url(), 4).value();
  constexpr int kLimit = 7, kThreads = 6, kAttemptsPerThread = 5;
  std::atomic<int> allowed{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      storage::RateLimiter limiter(t % 2 == 0 ? *database_ : *other_node, clock_);
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        auto result = limiter.allow("enrol", "192.0.2.9", kLimit, 60s);
        if (!result)
          ++failed;
        else if (*result)
          ++allowed;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(allowed.load(), kLimit);
  EXPECT_EQ(number("SELECT COUNT(*) FROM rate_events WHERE client = '192.0.2.9'"), kLimit);
}

INSTANTIATE_TEST_SUITE_P(Backends, MobileRequestRepositoryTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
