#include "metrics/registry.hpp"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <utility>

namespace metrics {

namespace {

prometheus::MetricFamily collectSampled(const std::string& name, const std::string& help,
                                        SampledKind kind, const std::vector<Sample>& samples) {
  prometheus::MetricFamily family{
      name,
      help,
      kind == SampledKind::gauge ? prometheus::MetricType::Gauge : prometheus::MetricType::Counter,
      {}};
  for (const Sample& sample : samples) {
    prometheus::ClientMetric metric;
    for (const auto& [label, value] : sample.labels) metric.label.push_back({label, value});
    if (kind == SampledKind::gauge)
      metric.gauge.value = sample.value;
    else
      metric.counter.value = sample.value;
    family.metric.push_back(std::move(metric));
  }
  return family;
}

}  // namespace

const prometheus::Histogram::BucketBoundaries& requestSecondsBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return buckets;
}

const prometheus::Histogram::BucketBoundaries& issuanceSecondsBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                               1,    2.5,   5,    10,  30};
  return buckets;
}

SampledFamily::SampledFamily(SampledFamily&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

SampledFamily& SampledFamily::operator=(SampledFamily&& other) noexcept {
  if (this != &other) {
    if (registry_) registry_->removeSampled(id_);
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

SampledFamily::~SampledFamily() {
  if (registry_) registry_->removeSampled(id_);
}

Registry::Registry()
    : registry_(std::make_shared<prometheus::Registry>()),
      http_requests(prometheus::BuildCounter()
                        .Name("mijncert_http_requests_total")
                        .Help("HTTP requests answered, by route pattern, method and status")
                        .Register(*registry_)),
      http_request_duration(
          prometheus::BuildHistogram()
              .Name("mijncert_http_request_duration_seconds")
              .Help("Time from the first byte of a request to its answer written, by route "
                    "pattern, method and status")
              .Register(*registry_)),
      connections_refused(
          prometheus::BuildCounter()
              .Name("mijncert_http_connections_refused_total")
              .Help("New connections closed before their TLS handshake, by reason: a connection "
                    "limit, the handshake rate, or a missing or untrusted PROXY header")
              .Register(*registry_)),
      tls_handshakes(prometheus::BuildCounter()
                         .Name("mijncert_tls_handshakes_total")
                         .Help("TLS handshakes of new connections, completed or failed")
                         .Register(*registry_)),
      client_certificate_failures(
          prometheus::BuildCounter()
              .Name("mijncert_tls_client_certificate_failures_total")
              .Help("Connections whose client certificate failed verification, by reason")
              .Register(*registry_)),
      issuances(prometheus::BuildCounter()
                    .Name("mijncert_certificate_issuances_total")
                    .Help("Certificate issuances, by certificate kind, product and result")
                    .Register(*registry_)),
      issuance_duration(prometheus::BuildHistogram()
                            .Name("mijncert_certificate_issuance_duration_seconds")
                            .Help("Time to issue a certificate (reserve, sign, store, audit), "
                                  "by certificate kind and product; issued ones only")
                            .Register(*registry_)),
      job_runs(prometheus::BuildCounter()
                   .Name("mijncert_background_job_runs_total")
                   .Help("Runs of each background job on this node")
                   .Register(*registry_)),
      job_failures(prometheus::BuildCounter()
                       .Name("mijncert_background_job_failures_total")
                       .Help("Failed runs of each background job on this node")
                       .Register(*registry_)),
      job_last_success(prometheus::BuildGauge()
                           .Name("mijncert_background_job_last_success_timestamp_seconds")
                           .Help("Unix time of the last successful run of each background job "
                                 "on this node")
                           .Register(*registry_)) {}

Registry::~Registry() = default;

SampledFamily Registry::addSampled(std::string name, std::string help, SampledKind kind,
                                   std::function<std::vector<Sample>()> read) {
  std::lock_guard lock(sampledMutex_);
  const std::uint64_t id = nextSampledId_++;
  sampled_.push_back({id, std::move(name), std::move(help), kind, std::move(read)});
  return SampledFamily(*this, id);
}

void Registry::removeSampled(std::uint64_t id) {
  std::lock_guard lock(sampledMutex_);
  std::erase_if(sampled_, [id](const Sampled& sampled) { return sampled.id == id; });
}

std::string Registry::exposition() const {
  auto families = registry_->Collect();
  {
    // Readers are quick and do not block (addSampled); holding the lock keeps a family whose
    // owner is going away from being read after its handle is gone.
    std::lock_guard lock(sampledMutex_);
    for (const Sampled& sampled : sampled_)
      families.push_back(collectSampled(sampled.name, sampled.help, sampled.kind, sampled.read()));
  }
  return prometheus::TextSerializer().Serialize(families);
}

std::vector<std::string> Registry::familyNames() const {
  // From the families themselves: a family without series yet is left out of a scrape.
  std::vector<std::string> names;
  for (const std::string* name :
       {&http_requests.GetName(), &http_request_duration.GetName(), &connections_refused.GetName(),
        &tls_handshakes.GetName(), &client_certificate_failures.GetName(), &issuances.GetName(),
        &issuance_duration.GetName(), &job_runs.GetName(), &job_failures.GetName(),
        &job_last_success.GetName()})
    names.push_back(*name);
  std::lock_guard lock(sampledMutex_);
  for (const Sampled& sampled : sampled_) names.push_back(sampled.name);
  return names;
}

}  // namespace metrics
