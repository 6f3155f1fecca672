#pragma once
// Periodic work of a portal node (ADR 0011). Every node keeps its copy of the CRLs and its trust
// in client certificates and signatures current, and summarises the refused logins it held back
// (ADR 0022); one node at a time — the holder of the database's leader lock — publishes due CRLs,
// finishes interrupted issuances and deletes expired rows. When that node dies its lock goes with
// its connection and another takes over.

#include "auth/certificate_login.hpp"
#include "ca/certificate_authority.hpp"
#include "core/clock.hpp"
#include "metrics/registry.hpp"
#include "pki/tls.hpp"
#include "ra/order_signature.hpp"
#include "storage/housekeeping.hpp"
#include "storage/leader_lock.hpp"
#include "web/portal.hpp"

#include <array>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace app {

/// `[jobs]` in the configuration.
struct JobSettings {
  std::chrono::seconds interval{60};  ///< between two rounds
  storage::PurgeRules purge;          ///< what expired rows are kept how long
};

/// The parts the jobs work with; all outlive the BackgroundJobs.
struct JobParts {
  storage::LeaderLock& leader_lock;
  ca::CertificateAuthority& authority;
  storage::Housekeeping& housekeeping;
  pki::ClientTrust& client_trust;
  ra::OrderSignatureVerifier& signatures;
  const core::Clock& clock;
  std::chrono::minutes stale_issuance_after;
  metrics::Registry* metrics = nullptr;     ///< counts runs and failures per job; null: none
  auth::CertificateLogin* login = nullptr;  ///< summarises held-back refusals; null: none
};

/// Runs a round of jobs now and then every `interval` on its own thread.
class BackgroundJobs {
 public:
  BackgroundJobs(JobSettings settings, JobParts parts);
  /// Stops the thread (waits for a round under way).
  ~BackgroundJobs();
  BackgroundJobs(const BackgroundJobs&) = delete;
  BackgroundJobs& operator=(const BackgroundJobs&) = delete;

  /// Starts the thread; its first round runs at once.
  void start();
  /// One round on the calling thread. A failing job is logged and reported in status(); the
  /// other jobs still run.
  void runOnce();
  /// The outcome of the last round (what /healthz shows).
  web::JobHealth status() const;

 private:
  /// The jobs as the metrics name them (`job` label, ADR 0016).
  enum class Job {
    leader_lock,
    crl_publish,
    reconcile,
    purge,
    crl_sync,
    trust_reload,
    refusal_summaries
  };
  static constexpr std::size_t kJobs = 7;
  struct JobSeries {
    prometheus::Counter* runs = nullptr;
    prometheus::Counter* failures = nullptr;
    prometheus::Gauge* last_success = nullptr;
  };

  void runLeaderJobs(std::string& problems);
  void runNodeJobs(std::string& problems);
  /// Counts one run of `job` for the metrics.
  void record(Job job, bool succeeded);

  JobSettings settings_;
  JobParts parts_;
  std::array<JobSeries, kJobs> series_{};  ///< by Job; unset without metrics
  mutable std::mutex mutex_;               ///< guards status_
  web::JobHealth status_;
  metrics::SampledFamily leaderMetric_;  ///< reads status_: declared after it, so released first
  std::condition_variable_any wake_;
  std::mutex wake_mutex_;
  std::jthread thread_;  ///< last: stopped and joined before the members it uses go
};

}  // namespace app
