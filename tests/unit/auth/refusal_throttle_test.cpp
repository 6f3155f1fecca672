#include "auth/refusal_throttle.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using auth::RefusalSource;
using auth::RefusalSummary;
using auth::RefusalThrottle;
using Verdict = RefusalThrottle::Verdict;

const core::TimePoint kStart{std::chrono::sys_days{2026y / 12 / 7}};

class RefusalThrottleTest : public ::testing::Test {
 protected:
  Verdict admit(const std::string& fingerprint, std::uint64_t connection,
                const std::string& address = "192.0.2.1", std::chrono::seconds at = 0s) {
    return throttle_.admit(fingerprint, RefusalSource{connection, address}, kStart + at,
                           {{"subject", "CN=" + fingerprint}});
  }

  RefusalThrottle throttle_{
      auth::RefusalAuditPolicy{.window = 600s, .per_address = 3, .per_node = 5}};
};

TEST_F(RefusalThrottleTest, AConnectionIsJudgedOnceHoweverManyRequestsItCarries) {
  EXPECT_EQ(admit("a", 1), Verdict::record);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(admit("a", 1), Verdict::repeat);
  // Nothing was held back: the window ends without a summary.
  EXPECT_TRUE(throttle_.endedWindows(kStart + 600s).empty());
}

TEST_F(RefusalThrottleTest, ACertificateIsRecordedOncePerWindowAndTheRestSummarised) {
  EXPECT_EQ(admit("a", 1), Verdict::record);
  for (std::uint64_t connection = 2; connection <= 38; ++connection)
    EXPECT_EQ(admit("a", connection, "198.51.100." + std::to_string(connection)),
              Verdict::held_back);
  EXPECT_TRUE(throttle_.endedWindows(kStart + 599s).empty());
  const auto summaries = throttle_.endedWindows(kStart + 600s);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].scope, RefusalSummary::Scope::certificate);
  EXPECT_EQ(summaries[0].key, "a");
  EXPECT_EQ(summaries[0].held_back, 37u);
  EXPECT_EQ(summaries[0].since, kStart);
  EXPECT_EQ(summaries[0].about.at("subject").as_string(), "CN=a");
  // The next window records the certificate again.
  EXPECT_EQ(admit("a", 39, "192.0.2.1", 601s), Verdict::record);
}

TEST_F(RefusalThrottleTest, AnAddressGetsAFewRecordsPerWindow) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(admit("new" + std::to_string(i), i), Verdict::record);
  EXPECT_EQ(admit("new3", 3), Verdict::held_back);
  EXPECT_EQ(admit("new4", 4), Verdict::held_back);
  EXPECT_EQ(admit("other", 5, "192.0.2.2"), Verdict::record);  // another address still counts
  const auto summaries = throttle_.endedWindows(kStart + 600s);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].scope, RefusalSummary::Scope::address);
  EXPECT_EQ(summaries[0].key, "192.0.2.1");
  EXPECT_EQ(summaries[0].held_back, 2u);
}

TEST_F(RefusalThrottleTest, ANodeRecordsABoundedNumberPerWindow) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(admit("c" + std::to_string(i), i, "203.0.113." + std::to_string(i)), Verdict::record);
  EXPECT_EQ(admit("c5", 5, "203.0.113.5"), Verdict::held_back);
  const auto summaries = throttle_.endedWindows(kStart + 10s, true);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].scope, RefusalSummary::Scope::node);
  EXPECT_EQ(summaries[0].held_back, 1u);
  // Everything was forgotten: a new window begins.
  EXPECT_EQ(admit("c6", 6, "203.0.113.6", 11s), Verdict::record);
}

TEST_F(RefusalThrottleTest, AnIpv6SubscriberCountsAsOneAddress) {
  EXPECT_EQ(auth::refusalAddressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(auth::refusalAddressKey("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(auth::refusalAddressKey("192.0.2.7"), "192.0.2.7");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(admit("v6-" + std::to_string(i), i, "2001:db8:1:2::" + std::to_string(i + 1)),
              Verdict::record);
  EXPECT_EQ(admit("v6-3", 3, "2001:db8:1:2:ffff::1"), Verdict::held_back);
}

}  // namespace
