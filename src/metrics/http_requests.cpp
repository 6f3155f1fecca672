#include "metrics/http_requests.hpp"

#include <string>

namespace metrics {

namespace {

// The labels of methodLabel in the order of their slots; "other" is last.
constexpr std::array<std::string_view, 8> kMethodLabels = {"GET",   "HEAD",   "POST",    "PUT",
                                                           "PATCH", "DELETE", "OPTIONS", "other"};

std::size_t methodSlot(std::string_view method) {
  for (std::size_t i = 0; i + 1 < kMethodLabels.size(); ++i)
    if (kMethodLabels[i] == method) return i;
  return kMethodLabels.size() - 1;
}

}  // namespace

std::string_view methodLabel(std::string_view method) {
  return kMethodLabels[methodSlot(method)];
}

HttpRequests::HttpRequests(Registry& registry, const std::vector<std::string>& routes,
                           const std::vector<std::string>& extra_routes)
    : registry_(registry) {
  const auto add = [this](std::string_view label) {
    if (byLabel_.contains(label)) return;  // GET and POST of one pattern: one label
    Route& route = routes_.emplace_back();
    route.label = std::string(label);
    byLabel_.emplace(route.label, &route);
  };
  for (const auto fixed : {kUnmatchedRoute, kStaticRoute, kUnroutedRoute}) add(fixed);
  for (const auto& route : routes) add(route);
  for (const auto& route : extra_routes) add(route);
  unmatched_ = byLabel_.at(kUnmatchedRoute);
}

std::string_view HttpRequests::routeLabel(std::string_view route) const {
  const auto found = byLabel_.find(route);
  return found == byLabel_.end() ? unmatched_->label : found->second->label;
}

void HttpRequests::observe(std::string_view route, std::string_view method, unsigned status,
                           double seconds) {
  const auto found = byLabel_.find(route);
  Route& target = found == byLabel_.end() ? *unmatched_ : *found->second;
  const Series& chosen = series(target, methodSlot(method), status);
  chosen.count->Increment();
  chosen.duration->Observe(seconds);
}

const HttpRequests::Series& HttpRequests::series(Route& route, std::size_t method,
                                                 unsigned status) {
  for (const auto& slot : route.methods[method].slots) {
    const Series* series = slot.load(std::memory_order_acquire);
    if (series == nullptr) break;  // filled front to back: no further one
    if (series->status == status) return *series;
  }
  return addSeries(route, method, status);
}

const HttpRequests::Series& HttpRequests::addSeries(Route& route, std::size_t method,
                                                    unsigned status) {
  std::lock_guard lock(addMutex_);
  const auto make = [&]() -> Series {
    const prometheus::Labels labels{{"route", route.label},
                                    {"method", std::string(kMethodLabels[method])},
                                    {"status", std::to_string(status)}};
    return {status, &registry_.http_requests.Add(labels),
            &registry_.http_request_duration.Add(labels, requestSecondsBuckets())};
  };
  for (auto& slot : route.methods[method].slots) {
    const Series* present = slot.load(std::memory_order_acquire);
    if (present == nullptr) {
      const Series& added = store_.emplace_back(make());
      slot.store(&added, std::memory_order_release);
      return added;
    }
    if (present->status == status) return *present;  // another thread was first
  }
  // More statuses for one route and method than slots: looked up under the lock every time.
  // The portal answers a route with a handful of statuses, so this stays theoretical.
  const auto key = std::make_tuple(&route, method, status);
  auto found = overflow_.find(key);
  if (found == overflow_.end()) found = overflow_.emplace(key, make()).first;
  return found->second;
}

}  // namespace metrics
