#pragma once
// The portal's operational metrics (ADR 0016): every metric family of the process in one
// prometheus-cpp registry, and the Prometheus text exposition that GET /metrics answers with.
// The families are declared here, in one place, so that their names, units and labels are
// reviewed together and docs/operations.md §Metrics can be checked against them; the layers that
// record take their series from here once, at start-up, and keep references (recording is then
// an atomic add, never a lookup).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace metrics {

/// One value of a sampled family: its labels and what it is at the moment of the scrape.
struct Sample {
  prometheus::Labels labels;
  double value = 0;
};

/// What a sampled family is: a gauge (goes up and down) or a counter (only goes up).
enum class SampledKind { gauge, counter };

class Registry;

/// Keeps a sampled family registered; removes it when destroyed (its reader may capture objects
/// that die before the registry, like a server).
class SampledFamily {
 public:
  SampledFamily() = default;
  SampledFamily(SampledFamily&& other) noexcept;
  SampledFamily& operator=(SampledFamily&& other) noexcept;
  SampledFamily(const SampledFamily&) = delete;
  SampledFamily& operator=(const SampledFamily&) = delete;
  ~SampledFamily();

 private:
  friend class Registry;
  SampledFamily(Registry& registry, std::uint64_t id) : registry_(&registry), id_(id) {}
  Registry* registry_ = nullptr;
  std::uint64_t id_ = 0;
};

/// Upper bounds (seconds) of the request latency buckets: from a cached page (about a
/// millisecond) to the default request timeout (30 s).
const prometheus::Histogram::BucketBoundaries& requestSecondsBuckets();
/// Upper bounds (seconds) of the issuance duration buckets: a PEM key signs in milliseconds, a
/// PKCS#11 token may take seconds.
const prometheus::Histogram::BucketBoundaries& issuanceSecondsBuckets();

/// The metric families of one process. Thread-safe: series may be added and recorded from any
/// thread, and a scrape may run meanwhile.
class Registry {
  // First: the families below live in it.
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // HTTP (src/http/server.cpp): labels route, method, status.
  prometheus::Family<prometheus::Counter>& http_requests;  ///< mijncert_http_requests_total
  prometheus::Family<prometheus::Histogram>& http_request_duration;  ///< …_duration_seconds
  /// mijncert_http_connections_refused_total (src/http/server.cpp): label reason.
  prometheus::Family<prometheus::Counter>& connections_refused;
  // TLS (src/http/server.cpp): label result, and reason.
  prometheus::Family<prometheus::Counter>& tls_handshakes;  ///< mijncert_tls_handshakes_total
  prometheus::Family<prometheus::Counter>& client_certificate_failures;  ///< …_failures_total
  // Issuance (src/ca/certificate_authority.cpp): labels kind, product, result.
  prometheus::Family<prometheus::Counter>& issuances;  ///< mijncert_issuances_total
  prometheus::Family<prometheus::Histogram>& issuance_duration;
  // Background jobs (src/app/background_jobs.cpp): label job.
  prometheus::Family<prometheus::Counter>& job_runs;        ///< mijncert_background_job_runs_total
  prometheus::Family<prometheus::Counter>& job_failures;    ///< …_failures_total
  prometheus::Family<prometheus::Gauge>& job_last_success;  ///< …_last_success_timestamp_seconds

  /// Adds a family whose values `read` returns at every scrape, for what its owner already
  /// counts itself (a layer below this one's users, e.g. the database pool's atomics). `read`
  /// must be quick and must not block: it runs inside the scrape. The family stays until the
  /// returned handle is destroyed.
  [[nodiscard]] SampledFamily addSampled(std::string name, std::string help, SampledKind kind,
                                         std::function<std::vector<Sample>()> read);

  /// Every family in the Prometheus text exposition format, version 0.0.4.
  std::string exposition() const;
  /// The names of every family, sampled ones included (the docs check lists them).
  std::vector<std::string> familyNames() const;

 private:
  friend class SampledFamily;
  struct Sampled {
    std::uint64_t id;
    std::string name;
    std::string help;
    SampledKind kind;
    std::function<std::vector<Sample>()> read;
  };
  void removeSampled(std::uint64_t id);

  mutable std::mutex sampledMutex_;
  std::vector<Sampled> sampled_;
  std::uint64_t nextSampledId_ = 1;
};

/// The media type of Registry::exposition().
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace metrics
