#include "app/background_jobs.hpp"

#include <spdlog/spdlog.h>

#include <string_view>

namespace app {

namespace {

/// Logs a failed job and adds it to the round's problems.
void note(std::string& problems, const std::string& job, const core::Error& error) {
  spdlog::warn("background job {} failed: {}", job, error.message);
  problems += (problems.empty() ? "" : "; ") + job + ": " + error.message;
}

}  // namespace

BackgroundJobs::BackgroundJobs(JobSettings settings, JobParts parts)
    : settings_(std::move(settings)), parts_(parts) {
  if (parts_.metrics == nullptr) return;
  metrics::Registry& registry = *parts_.metrics;
  // By Job. A CRL is published and synced per issuing CA, but counted per job: the log names
  // the CA of a failure, and the label stays the same whatever CAs are configured.
  constexpr std::array<std::string_view, kJobs> names = {
      "leader_lock", "crl_publish",  "reconcile",        "purge",
      "crl_sync",    "trust_reload", "refusal_summaries"};
  for (std::size_t i = 0; i < kJobs; ++i) {
    const prometheus::Labels labels{{"job", std::string(names[i])}};
    series_[i] = {&registry.job_runs.Add(labels), &registry.job_failures.Add(labels),
                  &registry.job_last_success.Add(labels)};
  }
  leaderMetric_ = registry.addSampled(
      "mijncert_background_jobs_leader",
      "1 while this node holds the leader lock and runs the shared background jobs, else 0",
      metrics::SampledKind::gauge, [this] {
        return std::vector<metrics::Sample>{{{}, status().leader ? 1.0 : 0.0}};
      });
}

void BackgroundJobs::record(Job job, bool succeeded) {
  const JobSeries& series = series_[static_cast<std::size_t>(job)];
  if (series.runs == nullptr) return;
  series.runs->Increment();
  if (!succeeded) {
    series.failures->Increment();
    return;
  }
  const std::chrono::duration<double> since_epoch = parts_.clock.now().time_since_epoch();
  series.last_success->Set(since_epoch.count());
}

BackgroundJobs::~BackgroundJobs() {
  if (thread_.joinable()) {
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
  }
}

void BackgroundJobs::start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      runOnce();
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, stop, settings_.interval, [] { return false; });
    }
  });
}

void BackgroundJobs::runOnce() {
  std::string problems;
  const auto held = parts_.leader_lock.hold();
  record(Job::leader_lock, static_cast<bool>(held));
  if (!held) note(problems, "leader-lock", held.error());
  const bool leader = held && *held;
  if (leader != status().leader)
    spdlog::info(leader ? "this node now runs the shared background jobs"
                        : "this node no longer runs the shared background jobs");
  // An exception (e.g. from a file system call) is a failed round, never the end of the thread.
  try {
    if (leader) runLeaderJobs(problems);
    runNodeJobs(problems);
  } catch (const std::exception& failure) {
    // The job that threw is not known here: the failure shows in the log and in /healthz.
    note(problems, "round", core::makeError(core::ErrorKind::internal, failure.what()));
  }
  std::lock_guard lock(mutex_);
  status_ = {leader, parts_.clock.now(), std::move(problems)};
}

void BackgroundJobs::runLeaderJobs(std::string& problems) {
  for (const auto& issuer : parts_.authority.issuers()) {
    const auto due = parts_.authority.crlDue(issuer.name);
    if (!due) {
      record(Job::crl_publish, false);
      note(problems, "crl " + issuer.name, due.error());
    } else if (*due) {
      const auto published = parts_.authority.publishCrl(issuer.name);
      record(Job::crl_publish, static_cast<bool>(published));
      if (!published)
        note(problems, "crl " + issuer.name, published.error());
      else
        spdlog::info("published a new CRL of {}", issuer.name);
    } else {
      record(Job::crl_publish, true);  // checked: none due
    }
  }
  const auto report = parts_.authority.reconcile(parts_.stale_issuance_after);
  record(Job::reconcile, static_cast<bool>(report));
  if (!report) {
    note(problems, "reconcile", report.error());
  } else if (report->stored > 0 || report->failed > 0) {
    spdlog::info("reconciled issuances: stored {} signed certificate(s), marked {} failed",
                 report->stored, report->failed);
  }
  const auto purged = parts_.housekeeping.purge(settings_.purge);
  record(Job::purge, static_cast<bool>(purged));
  if (!purged)
    note(problems, "purge", purged.error());
  else
    spdlog::debug("purged {} mobile request(s), {} rate event(s), {} session(s)",
                  purged->mobile_requests, purged->rate_events, purged->sessions);
}

void BackgroundJobs::runNodeJobs(std::string& problems) {
  // Refusal windows that ended while nobody else was refused still get their summary.
  if (parts_.login != nullptr) {
    const auto summarised = parts_.login->writeRefusalSummaries();
    record(Job::refusal_summaries, static_cast<bool>(summarised));
    if (!summarised) note(problems, "refusal summaries", summarised.error());
  }
  // A CRL another node published reaches this node's file, and then its trust.
  for (const auto& issuer : parts_.authority.issuers()) {
    const auto synced = parts_.authority.syncCrlFile(issuer.name);
    record(Job::crl_sync, static_cast<bool>(synced));
    if (!synced) note(problems, "crl file " + issuer.name, synced.error());
  }
  const auto reloaded = parts_.client_trust.reloadIfChanged();
  if (!reloaded) {
    record(Job::trust_reload, false);
    note(problems, "trust reload", reloaded.error());
    return;
  }
  if (!*reloaded) {
    record(Job::trust_reload, true);  // checked: nothing changed
    return;
  }
  const auto signatures = parts_.signatures.reload();
  record(Job::trust_reload, static_cast<bool>(signatures));
  if (!signatures)
    note(problems, "signature trust reload", signatures.error());
  else
    spdlog::info("reloaded the client CA bundle and CRLs");
}

web::JobHealth BackgroundJobs::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace app
