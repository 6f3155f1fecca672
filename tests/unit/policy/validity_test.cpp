#include "policy/validity.hpp"

#include <gtest/gtest.h>

namespace policy {
namespace {

using namespace std::chrono_literals;
using std::chrono::days;

core::TimePoint day(int y, unsigned m, unsigned d) {
  return core::TimePoint{std::chrono::sys_days{std::chrono::year{y} / m / d}};
}

const ValidityLimits kRoomy{days{730}, days{1200}, day(2040, 1, 1)};

TEST(ValidityTest, ANewCertificateRunsForTheTermFromNow) {
  const core::TimePoint now = day(2026, 5, 1) + 10h;
  const auto validity = newValidity(now, kRoomy);
  ASSERT_TRUE(validity.has_value());
  EXPECT_EQ(*validity, (Validity{now, now + days{730}, 0s, ValidityCap::none}));
}

TEST(ValidityTest, ARenewalEndsAtTheOldEndPlusTheFullTerm) {
  const core::TimePoint now = day(2026, 5, 1);
  const auto validity = renewalValidity(now, day(2026, 6, 15), kRoomy);
  ASSERT_TRUE(validity.has_value());
  EXPECT_EQ(validity->start, now);
  EXPECT_EQ(validity->end, day(2028, 6, 14));  // 730 days, across 29 February 2028
  EXPECT_EQ(validity->overlap, days{45});
  EXPECT_EQ(validity->cap, ValidityCap::none);
}

TEST(ValidityTest, ARenewalOfALeapDayEndCountsDays) {
  const auto validity = renewalValidity(day(2028, 2, 1), day(2028, 2, 29), kRoomy);
  ASSERT_TRUE(validity.has_value());
  EXPECT_EQ(validity->end, day(2030, 2, 28));  // 2028-02-29 + 730 days: no 29 February in 2030
  EXPECT_EQ(validity->overlap, days{28});
}

TEST(ValidityTest, AnExpiredOriginalRenewsForAFullTermFromNow) {
  const core::TimePoint now = day(2026, 5, 1);
  const auto validity = renewalValidity(now, day(2026, 3, 1), kRoomy);
  ASSERT_TRUE(validity.has_value());
  EXPECT_EQ(*validity, (Validity{now, now + days{730}, 0s, ValidityCap::none}));
}

TEST(ValidityTest, TheProductMaximumCountsFromTheStart) {
  const ValidityLimits limits{days{730}, days{760}, day(2040, 1, 1)};
  const core::TimePoint now = day(2026, 5, 1);
  const auto validity = renewalValidity(now, day(2026, 7, 1), limits);
  ASSERT_TRUE(validity.has_value());
  EXPECT_EQ(validity->end, now + days{760});
  EXPECT_EQ(validity->cap, ValidityCap::product);
  EXPECT_EQ(validity->overlap, days{61});
}

TEST(ValidityTest, TheIssuingCaEndCapsTheValidity) {
  const ValidityLimits limits{days{730}, days{1200}, day(2027, 1, 1)};
  const auto renewal = renewalValidity(day(2026, 5, 1), day(2026, 7, 1), limits);
  ASSERT_TRUE(renewal.has_value());
  EXPECT_EQ(renewal->end, day(2027, 1, 1));
  EXPECT_EQ(renewal->cap, ValidityCap::ca);
  const auto fresh = newValidity(day(2026, 5, 1), limits);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->cap, ValidityCap::ca);
}

TEST(ValidityTest, TheTighterCapWins) {
  const ValidityLimits limits{days{730}, days{100}, day(2026, 12, 1)};
  const auto validity = newValidity(day(2026, 5, 1), limits);
  ASSERT_TRUE(validity.has_value());
  EXPECT_EQ(validity->cap, ValidityCap::product);
  EXPECT_EQ(validity->end, day(2026, 5, 1) + days{100});
}

TEST(ValidityTest, AnOverlapNeverExceedsTheCappedEnd) {
  const ValidityLimits limits{days{730}, days{1200}, day(2026, 6, 1)};
  const auto validity = renewalValidity(day(2026, 5, 1), day(2026, 7, 1), limits);
  ASSERT_TRUE(validity.has_value());
  EXPECT_EQ(validity->overlap, days{31});
}

TEST(ValidityTest, AnEndedCaLeavesNoRoom) {
  const ValidityLimits limits{days{730}, days{730}, day(2026, 1, 1)};
  const auto validity = newValidity(day(2026, 5, 1), limits);
  ASSERT_FALSE(validity.has_value());
  EXPECT_EQ(validity.error().message, "validity.ca_ends");
}

}  // namespace
}  // namespace policy
