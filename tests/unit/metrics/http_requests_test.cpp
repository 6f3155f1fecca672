#include "metrics/http_requests.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace metrics {
namespace {

// The value of the sample `series` (name and labels exactly as exposed) in `exposition`; -1 if
// it is absent.
double sampleValue(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

std::string requests(std::string_view route, std::string_view method, unsigned status) {
  return "mijncert_http_requests_total{method=\"" + std::string(method) + "\",route=\"" +
         std::string(route) + "\",status=\"" + std::to_string(status) + "\"}";
}

TEST(MethodLabel, NamesTheUsualMethodsAndFoldsTheRest) {
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    EXPECT_EQ(methodLabel(method), method);
  // Whatever a client sends as its method, the label stays one of eight.
  for (const char* method : {"get", "PROPFIND", "", "GET ", "BREW"})
    EXPECT_EQ(methodLabel(method), "other") << method;
}

TEST(HttpRequests, LabelsRoutesByPatternAndEverythingElseAsUnmatched) {
  Registry registry;
  HttpRequests http(registry, {"/organisaties/{id}", "/healthz", "/healthz"}, {"/metrics"});
  EXPECT_EQ(http.routeLabel("/organisaties/{id}"), "/organisaties/{id}");
  EXPECT_EQ(http.routeLabel("/metrics"), "/metrics");
  EXPECT_EQ(http.routeLabel(kStaticRoute), "static");
  EXPECT_EQ(http.routeLabel(kUnroutedRoute), "unrouted");
  // A raw path never becomes a label: no client can create series.
  EXPECT_EQ(http.routeLabel("/organisaties/7"), "unmatched");
  EXPECT_EQ(http.routeLabel(""), "unmatched");
}

TEST(HttpRequests, CountsEachRouteMethodAndStatusApart) {
  Registry registry;
  HttpRequests http(registry, {"/organisaties/{id}"});
  http.observe("/organisaties/{id}", "GET", 200, 0.003);
  http.observe("/organisaties/{id}", "GET", 200, 0.2);
  http.observe("/organisaties/{id}", "GET", 404, 0.001);
  http.observe("/organisaties/{id}", "HEAD", 200, 0.001);
  http.observe("", "PROPFIND", 404, 0.001);
  const std::string text = registry.exposition();
  EXPECT_EQ(sampleValue(text, requests("/organisaties/{id}", "GET", 200)), 2) << text;
  EXPECT_EQ(sampleValue(text, requests("/organisaties/{id}", "GET", 404)), 1);
  EXPECT_EQ(sampleValue(text, requests("/organisaties/{id}", "HEAD", 200)), 1);
  EXPECT_EQ(sampleValue(text, requests("unmatched", "other", 404)), 1);
  EXPECT_EQ(sampleValue(text, requests("/organisaties/{id}", "POST", 200)), -1)
      << "a series appears only once used";

  const std::string duration =
      "mijncert_http_request_duration_seconds_bucket{method=\"GET\",route=\"/organisaties/{id}\","
      "status=\"200\",le=\"";
  EXPECT_EQ(sampleValue(text, duration + "0.005\"}"), 1) << text;
  EXPECT_EQ(sampleValue(text, duration + "0.25\"}"), 2);
  EXPECT_EQ(sampleValue(text, duration + "+Inf\"}"), 2);
}

TEST(HttpRequests, CountsMoreStatusesThanARouteHasSlotsFor) {
  Registry registry;
  HttpRequests http(registry, {"/a"});
  for (int round = 0; round < 2; ++round)
    for (unsigned status = 200; status < 240; ++status) http.observe("/a", "GET", status, 0.01);
  const std::string text = registry.exposition();
  for (unsigned status = 200; status < 240; ++status)
    EXPECT_EQ(sampleValue(text, requests("/a", "GET", status)), 2) << status;
}

TEST(HttpRequests, LosesNoCountWhenThreadsRecordAtOnce) {
  Registry registry;
  HttpRequests http(registry, {"/a", "/b"});
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&http] {
      for (int i = 0; i < kEach; ++i)
        http.observe(i % 2 ? "/a" : "/b", "GET", 200 + static_cast<unsigned>(i % 5), 0.001);
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string text = registry.exposition();
  double total = 0;
  for (const char* route : {"/a", "/b"})
    for (unsigned status = 200; status < 205; ++status)
      total += sampleValue(text, requests(route, "GET", status));
  EXPECT_EQ(total, kThreads * kEach);
}

}  // namespace
}  // namespace metrics
