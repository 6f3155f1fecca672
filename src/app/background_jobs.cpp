#include "app/background_jobs.hpp"

#include <spdlog/spdlog.h>

namespace app {

namespace {

/// Logs a failed job and adds it to the round's problems.
void note(std::string& problems, const std::string& job, const core::Error& error) {
  spdlog::warn("background job {} failed: {}", job, error.message);
  problems += (problems.empty() ? "" : "; ") + job + ": " + error.message;
}

}  // namespace

BackgroundJobs::BackgroundJobs(JobSettings settings, JobParts parts)
    : settings_(std::move(settings)), parts_(parts) {}

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
    note(problems, "round", core::makeError(core::ErrorKind::internal, failure.what()));
  }
  std::lock_guard lock(mutex_);
  status_ = {leader, parts_.clock.now(), std::move(problems)};
}

void BackgroundJobs::runLeaderJobs(std::string& problems) {
  for (const auto& issuer : parts_.authority.issuers()) {
    const auto due = parts_.authority.crlDue(issuer.name);
    if (!due) {
      note(problems, "crl " + issuer.name, due.error());
    } else if (*due) {
      if (auto published = parts_.authority.publishCrl(issuer.name); !published)
        note(problems, "crl " + issuer.name, published.error());
      else
        spdlog::info("published a new CRL of {}", issuer.name);
    }
  }
  if (const auto report = parts_.authority.reconcile(parts_.stale_issuance_after); !report) {
    note(problems, "reconcile", report.error());
  } else if (report->stored > 0 || report->failed > 0) {
    spdlog::info("reconciled issuances: stored {} signed certificate(s), marked {} failed",
                 report->stored, report->failed);
  }
  if (const auto purged = parts_.housekeeping.purge(settings_.purge); !purged)
    note(problems, "purge", purged.error());
  else
    spdlog::debug("purged {} mobile request(s), {} rate event(s), {} session(s)",
                  purged->mobile_requests, purged->rate_events, purged->sessions);
}

void BackgroundJobs::runNodeJobs(std::string& problems) {
  // A CRL another node published reaches this node's file, and then its trust.
  for (const auto& issuer : parts_.authority.issuers()) {
    if (const auto synced = parts_.authority.syncCrlFile(issuer.name); !synced)
      note(problems, "crl file " + issuer.name, synced.error());
  }
  const auto reloaded = parts_.client_trust.reloadIfChanged();
  if (!reloaded) {
    note(problems, "trust reload", reloaded.error());
    return;
  }
  if (!*reloaded) return;
  if (const auto signatures = parts_.signatures.reload(); !signatures)
    note(problems, "signature trust reload", signatures.error());
  else
    spdlog::info("reloaded the client CA bundle and CRLs");
}

web::JobHealth BackgroundJobs::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace app
