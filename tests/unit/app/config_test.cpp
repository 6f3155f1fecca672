#include "app/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mijncert-config-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& text) {
    const auto file = dir_ / "mijncert.toml";
    std::ofstream(file) << text;
    return file;
  }
  fs::path dir_;
};

constexpr const char* kMinimal = R"(
[server]
listen = "0.0.0.0:9443"
public_origin = "https://portal.example"
[tls]
certificate_chain = "tls/server.crt"
private_key = "/etc/mijncert/server.key"
client_ca_bundle = "pki/client-cas.pem"
client_crls = ["pki/crl/a.crl"]
[database]
url = "sqlite:mijncert.db"
)";

TEST_F(ConfigTest, RelativePathsAreRelativeToTheFile) {
  const auto config = app::loadConfig(write(kMinimal));
  EXPECT_EQ(config.server.host, "0.0.0.0");
  EXPECT_EQ(config.server.port, 9443);
  EXPECT_EQ(config.portal.origin, "https://portal.example");
  EXPECT_EQ(config.server.tls.certificate_chain_file, (dir_ / "tls/server.crt").string());
  EXPECT_EQ(config.server.tls.private_key_file, "/etc/mijncert/server.key");
  ASSERT_EQ(config.server.tls.crl_files.size(), 1u);
  EXPECT_EQ(config.server.tls.crl_files[0], (dir_ / "pki/crl/a.crl").string());
  EXPECT_EQ(config.database_url, "sqlite:" + (dir_ / "mijncert.db").string());
  EXPECT_FALSE(config.portal.demo);
  EXPECT_EQ(config.server.max_body_bytes, 1024u * 1024u) << "safe default limits";
}

TEST_F(ConfigTest, PostgresUrlsAreKeptAsGiven) {
  std::string text = kMinimal;
  text.replace(text.find("sqlite:mijncert.db"), 18, "postgresql://u@127.0.0.1:5432/db");
  EXPECT_EQ(app::loadConfig(write(text)).database_url, "postgresql://u@127.0.0.1:5432/db");
}

TEST_F(ConfigTest, MissingKeysAndBadTypesAreNamed) {
  std::string text = kMinimal;
  text.replace(text.find("public_origin"), 13, "origin_typo");
  try {
    app::loadConfig(write(text));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("public_origin"), std::string::npos) << e.what();
  }
  EXPECT_THROW(
      app::loadConfig(write(std::string(kMinimal) + "[session]\nidle_timeout_minutes = \"x\"\n")),
      std::runtime_error);
  EXPECT_THROW(app::loadConfig(dir_ / "missing.toml"), std::runtime_error);
}

TEST_F(ConfigTest, TrustsNoProxyUnlessConfigured) {
  const auto config = app::loadConfig(write(kMinimal));
  EXPECT_TRUE(config.server.trusted_proxies.empty());
  EXPECT_EQ(config.server.client_certificate_header, "X-SSL-Client-Cert");
}

TEST_F(ConfigTest, ReadsTrustedProxiesAndTheirHeader) {
  const std::string proxies = R"(["127.0.0.2", "10.0.0.0/24"])";
  std::string text = kMinimal;
  text.insert(text.find("[tls]"),
              "trusted_proxies = " + proxies + "\nclient_certificate_header = \"X-Client-Cert\"\n");
  const auto config = app::loadConfig(write(text));
  EXPECT_EQ(config.server.trusted_proxies, (std::vector<std::string>{"127.0.0.2", "10.0.0.0/24"}));
  EXPECT_EQ(config.server.client_certificate_header, "X-Client-Cert");
  text.replace(text.find(proxies), proxies.size(), R"("127.0.0.2")");
  EXPECT_THROW(app::loadConfig(write(text)), std::runtime_error) << "a string, not a list";
}

TEST_F(ConfigTest, DatabaseAndJobSettingsHaveSafeDefaults) {
  const auto config = app::loadConfig(write(kMinimal));
  EXPECT_EQ(config.database.pool_size, 8u);
  EXPECT_EQ(config.database.acquire_timeout, std::chrono::milliseconds{5000});
  EXPECT_EQ(config.database.statement_timeout, std::chrono::seconds{30});
  EXPECT_EQ(config.jobs.interval, std::chrono::seconds{60});
  // Sessions are purged only once neither session timeout could let them in.
  EXPECT_EQ(config.jobs.purge.session_idle_timeout, config.session.idle_timeout);
  EXPECT_EQ(config.jobs.purge.session_absolute_timeout, config.session.absolute_timeout);
}

TEST_F(ConfigTest, ReadsDatabaseAndJobSettingsAndRefusesNonsense) {
  std::string text = kMinimal;
  text +=
      "pool_size = 3\nacquire_timeout_ms = 250\nstatement_timeout_seconds = 9\n"
      "connect_timeout_seconds = 2\n[jobs]\ninterval_seconds = 5\n"
      "mobile_requests_kept_hours = 2\nrate_events_kept_minutes = 10\n";
  const auto config = app::loadConfig(write(text));
  EXPECT_EQ(config.database.pool_size, 3u);
  EXPECT_EQ(config.database.acquire_timeout, std::chrono::milliseconds{250});
  EXPECT_EQ(config.database.statement_timeout, std::chrono::seconds{9});
  EXPECT_EQ(config.database.connect_timeout, std::chrono::seconds{2});
  EXPECT_EQ(config.jobs.interval, std::chrono::seconds{5});
  EXPECT_EQ(config.jobs.purge.mobile_requests_kept_after_expiry, std::chrono::hours{2});
  EXPECT_EQ(config.jobs.purge.rate_events_kept, std::chrono::minutes{10});
  for (const auto& [key, value] : {std::pair{"pool_size = 3", "pool_size = 0"},
                                   {"acquire_timeout_ms = 250", "acquire_timeout_ms = 0"},
                                   {"interval_seconds = 5", "interval_seconds = 0"}}) {
    std::string bad = text;
    bad.replace(bad.find(key), std::string(key).size(), value);
    EXPECT_THROW(app::loadConfig(write(bad)), std::runtime_error) << value;
  }
}

TEST_F(ConfigTest, WorkerSettingsHaveDefaultsAndBounds) {
  const auto defaults = app::loadConfig(write(kMinimal));
  EXPECT_EQ(defaults.server.worker_threads, 8);
  EXPECT_EQ(defaults.server.request_timeout, std::chrono::seconds{30});

  std::string text = kMinimal;
  const std::string table = "[server]\n";
  text.insert(text.find(table) + table.size(), "worker_threads = 2\nrequest_timeout_seconds = 5\n");
  const auto config = app::loadConfig(write(text));
  EXPECT_EQ(config.server.worker_threads, 2);
  EXPECT_EQ(config.server.request_timeout, std::chrono::seconds{5});
  for (const auto& [key, value] :
       {std::pair{"worker_threads = 2", "worker_threads = 0"},
        {"worker_threads = 2", "worker_threads = 5000"},
        {"request_timeout_seconds = 5", "request_timeout_seconds = 0"}}) {
    std::string bad = text;
    bad.replace(bad.find(key), std::string(key).size(), value);
    EXPECT_THROW(app::loadConfig(write(bad)), std::runtime_error) << value;
  }
}

TEST(Listen, ParsesHostAndPort) {
  EXPECT_EQ(app::parseListen("127.0.0.1:8443"),
            (std::pair<std::string, std::uint16_t>{"127.0.0.1", 8443}));
  EXPECT_EQ(app::parseListen("[::1]:0").first, "::1");
  EXPECT_THROW(app::parseListen("8443"), std::runtime_error);
  EXPECT_THROW(app::parseListen("host:"), std::runtime_error);
  EXPECT_THROW(app::parseListen("host:99999"), std::runtime_error);
  EXPECT_THROW(app::parseListen("host:80x"), std::runtime_error);
}

}  // namespace
