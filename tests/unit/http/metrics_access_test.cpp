#include "http/metrics_access.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace http {
namespace {

MetricsAccess access(const std::vector<std::string>& entries) {
  auto parsed = MetricsAccess::parse(entries);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : MetricsAccess{};
}

TEST(MetricsAccessTest, TheDefaultAllowsLoopbackOnly) {
  const auto loopback = access({"127.0.0.1", "::1"});
  EXPECT_TRUE(loopback.allows("127.0.0.1"));
  EXPECT_TRUE(loopback.allows("::1"));
  EXPECT_TRUE(loopback.allows("::ffff:127.0.0.1"));  // an IPv4 client of a dual-stack listener
  EXPECT_FALSE(loopback.allows("127.0.0.2"));
  EXPECT_FALSE(loopback.allows("192.0.2.1"));
  EXPECT_FALSE(loopback.allows("2001:db8::1"));
}

TEST(MetricsAccessTest, MatchesCidrRanges) {
  const auto ranges = access({"10.1.0.0/16", "fd00::/8"});
  EXPECT_TRUE(ranges.allows("10.1.200.3"));
  EXPECT_FALSE(ranges.allows("10.2.0.1"));
  EXPECT_TRUE(ranges.allows("fd12:3456::1"));
  EXPECT_FALSE(ranges.allows("fe80::1"));
  EXPECT_FALSE(ranges.allows("127.0.0.1"));
}

TEST(MetricsAccessTest, AllowsNothingWhenEmptyOrUnparsable) {
  const auto none = access({});
  EXPECT_FALSE(none.allows("127.0.0.1"));
  EXPECT_FALSE(none.allows("::1"));
  const auto loopback = access({"127.0.0.1"});
  for (const char* peer : {"", "localhost", "127.0.0.1:443", "unknown"})
    EXPECT_FALSE(loopback.allows(peer)) << peer;
}

TEST(MetricsAccessTest, RefusesEntriesThatAreNoAddressOrRange) {
  for (const char* bad : {"localhost", "127.0.0.1/33", "10.0.0.0/", "::1/129", "", "*"}) {
    const auto parsed = MetricsAccess::parse({"127.0.0.1", bad});
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find(std::string("'") + bad + "'"), std::string::npos)
        << parsed.error().message;
    EXPECT_NE(parsed.error().message.find("metrics.allow entry"), std::string::npos);
  }
}

}  // namespace
}  // namespace http
