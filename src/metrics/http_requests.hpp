#pragma once
// The series of mijncert_http_requests_total and mijncert_http_request_duration_seconds, found
// without a lock on every request (ADR 0016). Labels stay bounded: `route` is a pattern of the
// route table (never the raw path) or one of the fixed labels below, `method` one of a few
// names, `status` one of the codes the portal answers with.

#include "metrics/registry.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace metrics {

/// `route` of a request the route table found no route for (404, 405, a malformed target).
inline constexpr std::string_view kUnmatchedRoute = "unmatched";
/// `route` of the files under /static/, which the transport serves itself.
inline constexpr std::string_view kStaticRoute = "static";
/// `route` of a request the transport answered before any route was chosen: refused while being
/// read (400, 413, 431), no worker free (503) or past its deadline (503).
inline constexpr std::string_view kUnroutedRoute = "unrouted";

/// The `method` label: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS by name, anything else
/// "other" (a client may send any token as its method).
std::string_view methodLabel(std::string_view method);

/// Records requests. Thread-safe; observe() takes no lock once a route, method and status have
/// been seen together.
class HttpRequests {
 public:
  /// `routes`: the patterns of the handler's route table, the only route labels besides the
  /// fixed ones above and `extra_routes` (the transport's own paths, e.g. "/metrics").
  HttpRequests(Registry& registry, const std::vector<std::string>& routes,
               const std::vector<std::string>& extra_routes = {});
  HttpRequests(const HttpRequests&) = delete;
  HttpRequests& operator=(const HttpRequests&) = delete;

  /// Counts one answered request and its duration. A `route` that is not a known label counts
  /// as kUnmatchedRoute, so no client can create series.
  void observe(std::string_view route, std::string_view method, unsigned status, double seconds);

  /// The route label `route` is counted under.
  std::string_view routeLabel(std::string_view route) const;

 private:
  /// The two series of one route, method and status.
  struct Series {
    unsigned status;
    prometheus::Counter* count;
    prometheus::Histogram* duration;
  };
  /// The series of one route and method, one per status seen so far. Filled front to back and
  /// never emptied: a reader that finds a slot set may use it without a lock.
  struct Statuses {
    static constexpr std::size_t kSlots = 16;
    std::array<std::atomic<const Series*>, kSlots> slots{};
  };
  static constexpr std::size_t kMethods = 8;
  struct Route {
    std::string label;
    std::array<Statuses, kMethods> methods;
  };

  const Series& series(Route& route, std::size_t method, unsigned status);
  const Series& addSeries(Route& route, std::size_t method, unsigned status);

  Registry& registry_;
  std::deque<Route> routes_;  ///< a deque: Route holds atomics and must not move
  /// Label → route; complete after construction and never changed, so read without a lock.
  std::unordered_map<std::string_view, Route*> byLabel_;
  Route* unmatched_ = nullptr;
  std::mutex addMutex_;       ///< serialises adding series
  std::deque<Series> store_;  ///< owns the Series of the slots; guarded by addMutex_
  /// Series beyond a route's slots; guarded by addMutex_.
  std::map<std::tuple<const Route*, std::size_t, unsigned>, Series> overflow_;
};

}  // namespace metrics
