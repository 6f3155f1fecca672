// Housekeeping (ADR 0011): expired mobile requests, old rate-limit attempts and ended sessions are
// deleted, nothing else, and without audit records.

#include "storage/housekeeping.hpp"

#include "backend_test_support.hpp"
#include "core/time_format.hpp"
#include "storage/mobile_requests.hpp"
#include "storage/registry_repository.hpp"
#include "storage/session_repository.hpp"

#include <gtest/gtest.h>

namespace {

using backend_test::Backend;
using namespace std::chrono_literals;

class HousekeepingTest : public backend_test::BackendTest {
 protected:
  /// A login request made now that expires at `expires_at`.
  void request(const std::string& id, core::TimePoint expires_at) {
    storage::MobileRequest r;
    r.id = id;
    r.browser_hash = "b";
    r.nonce = "n-" + id;
    r.document = "d";
    r.client_address = "192.0.2.1";
    r.created_at = clock_.now();
    r.expires_at = expires_at;
    ASSERT_TRUE(storage::MobileRequestRepository(*database_, clock_)
                    .create(r, audit::Actor::system("mobile-login")));
  }

  /// A rate-limit attempt at `at`.
  void attempt(core::TimePoint at) {
    soci::session sql(database_->pool());
    const long long when = core::toUnixSeconds(at);
    sql << "INSERT INTO rate_events (scope, client, at) VALUES ('enrol', '192.0.2.1', :at)",
        soci::use(when);
  }

  /// A session of `person` created and last seen at the given times.
  void session(const std::string& id, core::PersonId person, core::TimePoint created,
               core::TimePoint seen) {
    ASSERT_TRUE(storage::SessionRepository(*database_)
                    .create({id, person, "fp", "csrf", created, seen, std::nullopt}));
  }

  storage::Housekeeping housekeeping() { return {*database_, clock_}; }
};

TEST_P(HousekeepingTest, PurgesOnlyWhatHasExpired) {
  const core::TimePoint now = clock_.now();
  request("fresh", now + 2min);
  request("expired-an-hour-ago", now - 1h);
  request("expired-two-days-ago", now - 48h);
  attempt(now - 10min);
  attempt(now - 61min);
  attempt(now - 5h);
  const auto person = storage::RegistryRepository(*database_, clock_)
                          .createPerson(this->person("Eva", "de Boer"), servicedesk_)
                          .value();
  session("active", person, now - 1h, now - 1min);
  session("idle", person, now - 1h, now - 16min);
  session("too-old", person, now - 9h, now - 1min);
  const auto audit_before = auditActions();

  const storage::PurgeRules rules{.session_idle_timeout = 15min, .session_absolute_timeout = 8h};
  EXPECT_EQ(housekeeping().purge(rules).value(), (storage::PurgeCounts{1, 2, 2}));
  EXPECT_EQ(number("SELECT COUNT(*) FROM mobile_requests WHERE id = 'expired-two-days-ago'"), 0);
  EXPECT_EQ(number("SELECT COUNT(*) FROM mobile_requests"), 2);
  EXPECT_EQ(number("SELECT COUNT(*) FROM rate_events"), 1);
  EXPECT_EQ(number("SELECT COUNT(*) FROM sessions WHERE id_hash = 'active'"), 1);
  EXPECT_EQ(number("SELECT COUNT(*) FROM sessions"), 1);
  EXPECT_EQ(auditActions(), audit_before) << "housekeeping writes no audit records";

  EXPECT_EQ(housekeeping().purge(rules).value(), (storage::PurgeCounts{})) << "nothing left";

  // A day later the other requests are past their keeping time too.
  clock_.advance(25h);
  EXPECT_EQ(housekeeping().purge(rules).value(), (storage::PurgeCounts{2, 1, 1}));
  EXPECT_EQ(number("SELECT COUNT(*) FROM mobile_requests"), 0);
}

TEST_P(HousekeepingTest, KeepingTimesAreTheRulesOwn) {
  const core::TimePoint now = clock_.now();
  request("expired-an-hour-ago", now - 1h);
  attempt(now - 10min);
  const storage::PurgeRules rules{.mobile_requests_kept_after_expiry = 30min,
                                  .rate_events_kept = 5min};
  EXPECT_EQ(housekeeping().purge(rules).value(), (storage::PurgeCounts{1, 1, 0}));
}

INSTANTIATE_TEST_SUITE_P(Backends, HousekeepingTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_test::backendName);

}  // namespace
