#include "core/time_format.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono;

TEST(TimeFormat, Iso8601RoundTrips) {
  const core::TimePoint t = sys_days{2024y / February / 29} + 13h + 5min + 9s;
  EXPECT_EQ(core::toIso8601(t), "2024-02-29T13:05:09Z");
  EXPECT_EQ(core::parseIso8601("2024-02-29T13:05:09Z"), t);
}

TEST(TimeFormat, ParseRejectsMalformedAndImpossibleDates) {
  EXPECT_FALSE(core::parseIso8601("2023-02-29T00:00:00Z"));  // not a leap year
  EXPECT_FALSE(core::parseIso8601("2024-13-01T00:00:00Z"));
  EXPECT_FALSE(core::parseIso8601("2024-01-01T24:00:00Z"));
  EXPECT_FALSE(core::parseIso8601("2024-01-01T00:00:00"));
  EXPECT_FALSE(core::parseIso8601("2024-01-01T00:00:00+01:00"));
  EXPECT_FALSE(core::parseIso8601(""));
}

TEST(TimeFormat, DutchDateIsDayMonthYear) {
  EXPECT_EQ(core::toDutchDate(sys_days{2026y / November / 7} + 23h), "07-11-2026");
}

TEST(TimeFormat, UnixSecondsRoundTrip) {
  const core::TimePoint t = sys_days{1970y / January / 2};
  EXPECT_EQ(core::toUnixSeconds(t), 86400);
  EXPECT_EQ(core::fromUnixSeconds(86400), t);
}

}  // namespace
