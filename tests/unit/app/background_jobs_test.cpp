// One round of background jobs on one node (SQLite: the node is always the leader): due CRLs
// are published, every CRL file follows the database and the trust follows the files, expired
// rows go, and a failing job is reported without stopping the others.
#include "app/background_jobs.hpp"

#include "../ca/ca_test_support.hpp"
#include "metrics/registry.hpp"
#include "pki/crypto.hpp"
#include "storage/mobile_requests.hpp"

#include <gtest/gtest.h>

namespace app {
namespace {

using namespace std::chrono_literals;

class BackgroundJobsTest : public ca_test::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    ca_ = authority(random_);
    // The client trust reads the CRLs the CA publishes, as in the demo configuration.
    ASSERT_TRUE(ca_->publishCrl("tls-ca"));
    ASSERT_TRUE(ca_->publishCrl("persons-ca"));
    tls_.client_ca_file = (dir_.path() / "chain.pem").string();
    tls_.crl_files = {(dir_.path() / "tls-ca.crl").string(),
                      (dir_.path() / "persons-ca.crl").string()};
    auto trust = pki::ClientTrust::load(tls_);
    ASSERT_TRUE(trust) << trust.error().message;
    trust_ = *trust;
    auto signatures = ra::OrderSignatureVerifier::create(tls_, clock_);
    ASSERT_TRUE(signatures) << signatures.error().message;
    signatures_.emplace(std::move(*signatures));
    lock_ = std::make_unique<storage::LeaderLock>(*database_, 42);
    housekeeping_ = std::make_unique<storage::Housekeeping>(*database_, clock_);
    jobs_ = std::make_unique<BackgroundJobs>(
        JobSettings{},
        JobParts{*lock_, *ca_, *housekeeping_, *trust_, *signatures_, clock_, 15min});
  }

  std::int64_t latestCrlNumber(const std::string& issuer) {
    return (*store_->latestCrl(issuer))->number;
  }

  pki::SystemRandom random_;
  std::unique_ptr<ca::CertificateAuthority> ca_;
  pki::ServerTlsSettings tls_;
  std::shared_ptr<pki::ClientTrust> trust_;
  std::optional<ra::OrderSignatureVerifier> signatures_;
  std::unique_ptr<storage::LeaderLock> lock_;
  std::unique_ptr<storage::Housekeeping> housekeeping_;
  std::unique_ptr<BackgroundJobs> jobs_;
};

TEST_F(BackgroundJobsTest, BeforeTheFirstRoundNothingIsReported) {
  EXPECT_FALSE(jobs_->status().last_run);
}

TEST_F(BackgroundJobsTest, ARoundPublishesOnlyDueCrls) {
  const auto before = latestCrlNumber("tls-ca");
  jobs_->runOnce();
  const auto status = jobs_->status();
  EXPECT_TRUE(status.leader);
  EXPECT_EQ(status.last_run, clock_.now());
  EXPECT_EQ(status.problem, "");
  EXPECT_EQ(latestCrlNumber("tls-ca"), before);  // fresh: not due

  clock_.advance(24h * 4);  // past half of the 7 days
  jobs_->runOnce();
  EXPECT_EQ(latestCrlNumber("tls-ca"), before + 1);
  EXPECT_EQ(ca_test::readFile(dir_.path() / "tls-ca.crl"), (*store_->latestCrl("tls-ca"))->pem);
  EXPECT_EQ(jobs_->status().problem, "");
}

TEST_F(BackgroundJobsTest, AFileBehindTheDatabaseIsRewrittenAndTheTrustReloaded) {
  const auto generation = trust_->generation();
  jobs_->runOnce();
  EXPECT_EQ(trust_->generation(), generation);  // nothing changed: no reload

  // Another node, with its own files, publishes a CRL: only the database has it here.
  auto elsewhere = issuers();
  std::filesystem::create_directory(dir_.path() / "other-node");
  for (auto& issuer : elsewhere) issuer.crl_file = dir_.path() / "other-node" / issuer.name;
  ca::CertificateAuthority other_node(elsewhere, ca::builtInProfiles(), *store_, *key_check_,
                                      clock_, random_);
  const auto newest = other_node.publishCrl("persons-ca");
  ASSERT_TRUE(newest);
  jobs_->runOnce();
  EXPECT_EQ(ca_test::readFile(dir_.path() / "persons-ca.crl"), *newest);
  EXPECT_EQ(trust_->generation(), generation + 1);
  EXPECT_EQ(jobs_->status().problem, "");
}

TEST_F(BackgroundJobsTest, AFailingJobIsReportedAndTheOthersStillRun) {
  storage::RateLimiter limiter(*database_, clock_);
  ASSERT_TRUE(limiter.allow("enrol", "192.0.2.1", 5, 60s));
  // The CRL file cannot be replaced: a directory stands where it should be.
  std::filesystem::remove(dir_.path() / "tls-ca.crl");
  std::filesystem::create_directory(dir_.path() / "tls-ca.crl");
  clock_.advance(2h);
  jobs_->runOnce();
  const auto status = jobs_->status();
  EXPECT_NE(status.problem.find("crl file tls-ca"), std::string::npos) << status.problem;
  EXPECT_TRUE(status.last_run);
  EXPECT_EQ(rows("rate_events"), 0);  // the purge ran all the same
}

// ADR 0016: runs and failures per job, the last success, and whether this node leads.
TEST_F(BackgroundJobsTest, CountsRunsAndFailuresPerJob) {
  metrics::Registry registry;
  {
    BackgroundJobs jobs(JobSettings{}, JobParts{*lock_, *ca_, *housekeeping_, *trust_, *signatures_,
                                                clock_, 15min, &registry});
    std::filesystem::remove(dir_.path() / "tls-ca.crl");
    std::filesystem::create_directory(dir_.path() / "tls-ca.crl");  // its sync fails
    jobs.runOnce();
    const std::string text = registry.exposition();
    const auto has = [&text](const std::string& line) {
      return text.find(line + "\n") != std::string::npos;
    };
    EXPECT_TRUE(has(R"(mijncert_background_job_runs_total{job="crl_sync"} 2)")) << text;
    EXPECT_TRUE(has(R"(mijncert_background_job_failures_total{job="crl_sync"} 1)"));
    EXPECT_TRUE(has(R"(mijncert_background_job_runs_total{job="crl_publish"} 2)"));
    EXPECT_TRUE(has(R"(mijncert_background_job_failures_total{job="crl_publish"} 0)"));
    EXPECT_TRUE(has(R"(mijncert_background_job_runs_total{job="purge"} 1)"));
    EXPECT_TRUE(has(R"(mijncert_background_job_runs_total{job="leader_lock"} 1)"));
    EXPECT_TRUE(has(R"(mijncert_background_jobs_leader 1)"));
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch());
    EXPECT_NE(text.find(R"(mijncert_background_job_last_success_timestamp_seconds{job="purge"} )" +
                        std::to_string(seconds.count())),
              std::string::npos)
        << text;
  }
  // The jobs are gone: their leader gauge goes with them.
  EXPECT_EQ(registry.exposition().find("mijncert_background_jobs_leader"), std::string::npos);
}

TEST_F(BackgroundJobsTest, TheThreadRunsARoundAtOnceAndStopsWithTheObject) {
  jobs_->start();
  // Generous: a round does synchronous disk writes on a shared, busy test machine.
  for (int i = 0; i < 1500 && !jobs_->status().last_run; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(jobs_->status().last_run);
  jobs_.reset();  // joins the thread; a hang here fails the test by its timeout
}

}  // namespace
}  // namespace app
