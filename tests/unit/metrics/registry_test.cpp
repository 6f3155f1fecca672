#include "metrics/registry.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace metrics {
namespace {

TEST(Registry, ExposesSampledFamiliesWhileTheirHandleLives) {
  Registry registry;
  double in_use = 3;
  std::optional<SampledFamily> handle =
      registry.addSampled("mijncert_test_in_use", "Test gauge", SampledKind::gauge, [&in_use] {
        return std::vector<Sample>{{{{"pool", "a"}}, in_use}};
      });
  std::string text = registry.exposition();
  EXPECT_NE(text.find("# TYPE mijncert_test_in_use gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mijncert_test_in_use{pool=\"a\"} 3\n"), std::string::npos) << text;
  in_use = 5;  // read at the scrape, not when added
  EXPECT_NE(registry.exposition().find("mijncert_test_in_use{pool=\"a\"} 5\n"), std::string::npos);

  handle.reset();
  EXPECT_EQ(registry.exposition().find("mijncert_test_in_use"), std::string::npos);
}

TEST(Registry, ExposesCountersWithTheirType) {
  Registry registry;
  registry.tls_handshakes.Add({{"result", "completed"}}).Increment(2);
  const auto counted =
      registry.addSampled("mijncert_test_timeouts_total", "Test counter", SampledKind::counter, [] {
        return std::vector<Sample>{{{}, 7}};
      });
  const std::string text = registry.exposition();
  EXPECT_NE(text.find("# TYPE mijncert_tls_handshakes_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("mijncert_tls_handshakes_total{result=\"completed\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE mijncert_test_timeouts_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("mijncert_test_timeouts_total 7\n"), std::string::npos) << text;
}

TEST(Registry, NamesEveryFamilyWithThePrefixAndABaseUnit) {
  Registry registry;
  const auto names = registry.familyNames();
  EXPECT_EQ(names.size(), 10u);
  for (const auto& name : names) {
    EXPECT_TRUE(name.starts_with("mijncert_")) << name;
    // Durations in seconds, never milliseconds (Prometheus' base units).
    EXPECT_EQ(name.find("_ms"), std::string::npos) << name;
    EXPECT_EQ(name.find("millis"), std::string::npos) << name;
  }
}

// docs/operations.md §Metrics explains every family an operator sees (ADR 0014: docs checked
// against the build). The sampled families are registered by the layers that own what they
// read, so they are listed here.
TEST(Registry, EveryFamilyIsExplainedInTheOperationsGuide) {
  std::ifstream in(std::string(MIJNCERT_SOURCE_DIR) + "/docs/operations.md");
  ASSERT_TRUE(in);
  const std::string guide(std::istreambuf_iterator<char>(in), {});
  Registry registry;
  auto names = registry.familyNames();
  for (const char* sampled :
       {"mijncert_http_lane_requests", "mijncert_http_lane_capacity_requests",
        "mijncert_http_open_connections", "mijncert_database_pool_connections",
        "mijncert_database_pool_connections_in_use", "mijncert_database_pool_waiting_requests",
        "mijncert_database_pool_acquire_timeouts_total", "mijncert_background_jobs_leader"})
    names.push_back(sampled);
  for (const auto& name : names)
    EXPECT_NE(guide.find("`" + name + "`"), std::string::npos)
        << "docs/operations.md §Metrics does not explain " << name;
}

}  // namespace
}  // namespace metrics
