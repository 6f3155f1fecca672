#include "app/config.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

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
  // The message loadConfig throws for `text`; empty when it loads.
  std::string errorFor(const std::string& text) {
    try {
      app::loadConfig(write(text));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
  // Expects loading `text` to fail with "line N: EXPECTED", N the line of `needle` in `text`.
  void expectErrorAt(const std::string& text, const std::string& needle,
                     const std::string& expected) {
    const auto at = text.find(needle);
    ASSERT_NE(at, std::string::npos) << needle;
    const auto line = 1 + std::count(text.begin(), text.begin() + at, '\n');
    const auto error = errorFor(text);
    EXPECT_NE(error.find("line " + std::to_string(line) + ": " + expected), std::string::npos)
        << expected << "\n"
        << error;
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
  text.erase(text.find("public_origin"), text.find("[tls]") - text.find("public_origin"));
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

TEST_F(ConfigTest, LoginIssuersDefaultToTheCasOfThePersonProducts) {
  const std::string issuers = R"(
[[ca.issuers]]
name = "persons-ca"
certificate = "pki/persons-ca.crt"
key_file = "pki/persons-ca.key"
[[ca.issuers]]
name = "tls-ca"
certificate = "pki/tls-ca.crt"
key_file = "pki/tls-ca.key"
)";
  const auto derived = app::loadConfig(write(std::string(kMinimal) + issuers));
  EXPECT_EQ(derived.login_issuers,
            std::vector<std::string>{(dir_ / "pki/persons-ca.crt").string()});
  EXPECT_EQ(derived.refusal_audit.window, std::chrono::seconds{600});
  EXPECT_EQ(derived.refusal_audit.per_address, 10u);
  EXPECT_EQ(derived.refusal_audit.per_node, 1000u);

  std::string text = kMinimal;
  text.replace(text.find("[tls]\n"), 6,
               "[tls]\nlogin_issuers = [\"pki/old-persons-ca.crt\", \"/etc/ca.pem\"]\n");
  text.replace(text.find("[database]"), 10,
               "[session]\nrefusal_audit_window_seconds = 120\nrefusal_audits_per_address = 2\n"
               "refusal_audits_per_node = 50\n[database]");
  const auto listed = app::loadConfig(write(text + issuers));
  EXPECT_EQ(listed.login_issuers,
            (std::vector<std::string>{(dir_ / "pki/old-persons-ca.crt").string(), "/etc/ca.pem"}));
  EXPECT_EQ(listed.refusal_audit.window, std::chrono::seconds{120});
  EXPECT_EQ(listed.refusal_audit.per_address, 2u);
  EXPECT_EQ(listed.refusal_audit.per_node, 50u);

  std::string empty = kMinimal;
  empty.replace(empty.find("[tls]\n"), 6, "[tls]\nlogin_issuers = []\n");
  expectErrorAt(empty, "login_issuers", "tls.login_issuers is empty");
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

// kMinimal with `lines` added to its [server] table.
std::string withServer(const std::string& lines) {
  std::string text = kMinimal;
  text.insert(text.find("[tls]"), lines + "\n");
  return text;
}

// A configuration with a mistake: the text, where the mistake is, what the error says about it.
struct ErrorCase {
  std::string text;
  std::string needle;
  std::string expected;
};

constexpr const char* kIssuer = R"(
[[ca.issuers]]
name = "tls-ca"
certificate = "pki/tls-ca.crt"
key_file = "pki/tls-ca.key"
)";

TEST_F(ConfigTest, UnknownKeysAndTablesAreNamedWithTheirLine) {
  const std::vector<ErrorCase> cases{
      {"colour = \"blue\"\n" + std::string(kMinimal), "colour", "unknown key colour"},
      {withServer("thredas = 4"), "thredas", "unknown key server.thredas"},
      {std::string(kMinimal) + "[servr]\nthreads = 4\n", "[servr]", "unknown table [servr]"},
      {std::string(kMinimal) + "[mobile.extra]\n", "[mobile.extra]",
       "unknown table [mobile.extra]"},
      {std::string(kMinimal) + kIssuer + kIssuer + "keyfile = \"b.key\"\n", "keyfile",
       "unknown key ca.issuers[1].keyfile"},
      {std::string(kMinimal) + "[[products]]\nname = \"server-private\"\nterm_day = 90\n",
       "term_day", "unknown key products[0].term_day"},
      {withServer("tls = \"x\""), "tls = ", "unknown key server.tls"},
      {"portal = true\n" + std::string(kMinimal), "portal", "portal must be a table"},
  };
  for (const auto& [text, needle, expected] : cases) expectErrorAt(text, needle, expected);
}

TEST_F(ConfigTest, ReportsEveryUnknownKeyInFileOrder) {
  const auto error = errorFor(withServer("zzz = 1\naaa = 2"));
  const auto zzz = error.find("unknown key server.zzz");
  ASSERT_NE(zzz, std::string::npos) << error;
  EXPECT_GT(error.find("unknown key server.aaa"), zzz) << error;
}

TEST_F(ConfigTest, DurationsAndSizesMustBeSensibleWholeNumbers) {
  const std::string minimal = kMinimal;
  const std::vector<ErrorCase> cases{
      {withServer("threads = 0"), "threads", "server.threads must be 1–256, not 0"},
      {withServer("worker_threads = 0"), "worker_threads",
       "server.worker_threads must be 1–256, not 0"},
      {withServer("max_body_bytes = -1"), "max_body_bytes",
       "server.max_body_bytes must be 1024–1073741824, not -1"},
      {withServer("max_header_bytes = 0"), "max_header_bytes",
       "server.max_header_bytes must be 1024–1048576, not 0"},
      {withServer("idle_timeout_seconds = 86400"), "idle_timeout_seconds",
       "server.idle_timeout_seconds must be 1–3600, not 86400"},
      {withServer("request_timeout_seconds = 0"), "request_timeout_seconds",
       "server.request_timeout_seconds must be 1–3600, not 0"},
      {withServer("read_timeout_seconds = \"30\""), "read_timeout_seconds",
       "server.read_timeout_seconds must be a whole number, not a string"},
      {withServer("write_timeout_seconds = 1.5"), "write_timeout_seconds",
       "server.write_timeout_seconds must be a whole number, not a decimal number"},
      {withServer("trusted_proxies = [1]"), "trusted_proxies",
       "server.trusted_proxies must be a list of strings, not a list"},
      {minimal + "statement_timeout_seconds = 0\n", "statement_timeout_seconds",
       "database.statement_timeout_seconds must be 1–86400, not 0"},
      {minimal + "[session]\nidle_timeout_minutes = \"x\"\n", "idle_timeout_minutes",
       "session.idle_timeout_minutes must be a whole number, not a string"},
      {minimal + "[session]\nabsolute_timeout_hours = -8\n", "absolute_timeout_hours",
       "session.absolute_timeout_hours must be 1–744, not -8"},
      {minimal + "[jobs]\nrate_events_kept_minutes = 0\n", "rate_events_kept_minutes",
       "jobs.rate_events_kept_minutes must be 1–10080, not 0"},
      {minimal + "[mobile]\nrequest_validity_seconds = 5\n", "request_validity_seconds",
       "mobile.request_validity_seconds must be 10–3600, not 5"},
      {minimal + "[orders]\nactivation_code_validity_hours = 100000\n",
       "activation_code_validity_hours",
       "orders.activation_code_validity_hours must be 1–2160, not 100000"},
      {minimal + "[ca]\nstale_issuance_minutes = 0\n", "stale_issuance_minutes",
       "ca.stale_issuance_minutes must be 1–10080, not 0"},
      {minimal + kIssuer + "crl_validity_days = 0\n", "crl_validity_days",
       "ca.issuers[0].crl_validity_days must be 1–366, not 0"},
      {minimal + "[[products]]\nname = \"server-private\"\nterm_days = 0\n", "term_days",
       "products[0].term_days must be 1–3650, not 0"},
      {minimal + "[portal]\ndemo = \"yes\"\n", "demo",
       "portal.demo must be true or false, not a string"},
  };
  for (const auto& [text, needle, expected] : cases) expectErrorAt(text, needle, expected);
  EXPECT_EQ(errorFor(withServer("shutdown_grace_seconds = 0")), "") << "no grace is a choice";
}

TEST_F(ConfigTest, DomainValidationsCountAtMost397DaysAndShorterWhenConfigured) {
  const std::string minimal = kMinimal;
  EXPECT_EQ(app::loadConfig(write(minimal)).domain_validation, std::chrono::days{397});
  EXPECT_EQ(
      app::loadConfig(write(minimal + "[orders]\ndomain_validation_days = 90\n")).domain_validation,
      std::chrono::days{90});
  // Longer than the Baseline Requirements allow: refused with the reason, not silently capped.
  expectErrorAt(minimal + "[orders]\ndomain_validation_days = 398\n", "domain_validation_days",
                "orders.domain_validation_days must be at most 397, not 398: a domain validation "
                "may be relied on for at most 397 days");
  expectErrorAt(minimal + "[orders]\ndomain_validation_days = 0\n", "domain_validation_days",
                "orders.domain_validation_days must be 1–397, not 0");
}

TEST_F(ConfigTest, MetricsAreForLoopbackUnlessConfigured) {
  const std::string minimal = kMinimal;
  const auto defaults = app::loadConfig(write(minimal));
  EXPECT_EQ(defaults.server.metrics_allow, (std::vector<std::string>{"127.0.0.1", "::1"}));
  const auto configured =
      app::loadConfig(write(minimal + "[metrics]\nallow = [\"10.0.0.0/24\", \"2001:db8::7\"]\n"));
  EXPECT_EQ(configured.server.metrics_allow,
            (std::vector<std::string>{"10.0.0.0/24", "2001:db8::7"}));
  const auto nobody = app::loadConfig(write(minimal + "[metrics]\nallow = []\n"));
  EXPECT_TRUE(nobody.server.metrics_allow.empty());
}

TEST_F(ConfigTest, RefusesAMetricsAllowEntryThatIsNoAddress) {
  const std::string minimal = kMinimal;
  expectErrorAt(minimal + "[metrics]\nallow = [\"127.0.0.1\", \"prometheus.local\"]\n", "allow",
                "metrics.allow has 'prometheus.local', which is no IP address or CIDR range");
  expectErrorAt(minimal + "[metrics]\nallow = [\"10.0.0.0/33\"]\n", "allow",
                "metrics.allow has '10.0.0.0/33'");
  expectErrorAt(minimal + "[metrics]\nallow = \"127.0.0.1\"\n", "allow",
                "metrics.allow must be a list of strings, not a string");
}

TEST_F(ConfigTest, NoCardBureauUnlessConfiguredAndTheDemoBureauNeedsItsDirectory) {
  const std::string minimal = kMinimal;
  EXPECT_EQ(app::loadConfig(write(minimal)).cards.bureau, "none");
  const auto demo =
      app::loadConfig(write(minimal + "[cards]\nbureau = \"demo\"\ndemo_dir = \"cards\"\n"));
  EXPECT_EQ(demo.cards.bureau, "demo");
  EXPECT_EQ(demo.cards.demo_dir, dir_ / "cards");
  expectErrorAt(minimal + "[cards]\nbureau = \"demo\"\n", "bureau",
                "cards.bureau = \"demo\" needs cards.demo_dir");
  expectErrorAt(minimal + "[cards]\nbureau = \"smartcards-bv\"\n", "bureau",
                "cards.bureau must be \"none\" or \"demo\", not \"smartcards-bv\"");
}

TEST_F(ConfigTest, ReadsTheWorkerSettings) {
  const auto config =
      app::loadConfig(write(withServer("worker_threads = 3\nrequest_timeout_seconds = 7")));
  EXPECT_EQ(config.server.worker_threads, 3);
  EXPECT_EQ(config.server.request_timeout, std::chrono::seconds{7});
  const auto defaults = app::loadConfig(write(kMinimal));
  EXPECT_EQ(defaults.server.worker_threads, 8);
  EXPECT_EQ(defaults.server.request_timeout, std::chrono::seconds{30});
}

TEST_F(ConfigTest, IssuerAndProductErrorsNameTheirTable) {
  const std::string minimal = kMinimal;
  const auto keyless = minimal + "[[ca.issuers]]\nname = \"tls-ca\"\ncertificate = \"a.crt\"\n";
  expectErrorAt(keyless, "[[ca.issuers]]", "ca.issuers[0].key_file or pkcs11_module is required");
  const auto longer = minimal + "[[products]]\nname = \"server-private\"\nterm_days = 2000\n";
  expectErrorAt(longer, "term_days", "products[0].term_days must not exceed max_validity_days");
}

// README.md §Configuration as {key: default}, one table row per key; a row "`[[ca.issuers]] name`"
// documents the key ca.issuers[].name.
std::map<std::string, std::string> documentedDefaults() {
  std::ifstream readme(MIJNCERT_README);
  EXPECT_TRUE(readme) << MIJNCERT_README;
  const std::regex row(R"(^\| `(?:\[\[([a-z.]+)\]\] )?([a-z0-9_.]+)` \| ([^|]*[^ |]) \|)");
  std::map<std::string, std::string> defaults;
  bool inside = false;
  for (std::string line; std::getline(readme, line);) {
    if (line.starts_with("## ")) inside = line == "## Configuration";
    if (!inside || !line.starts_with("| `")) continue;
    std::smatch match;
    if (!std::regex_search(line, match, row)) {
      ADD_FAILURE() << "not one key with its default: " << line;
      continue;
    }
    const std::string key = match[1].matched ? match[1].str() + "[]." + match[2].str() : match[2];
    EXPECT_TRUE(defaults.emplace(key, match[3]).second) << "twice: " << key;
  }
  return defaults;
}

TEST(ConfigurationSettings, ReadmeListsEveryKeyWithItsDefault) {
  std::map<std::string, std::string> expected;
  for (const auto& setting : app::configurationSettings())
    expected.emplace(setting.key, setting.fallback);
  const auto documented = documentedDefaults();
  for (const auto& [key, fallback] : expected) {
    const auto row = documented.find(key);
    if (row == documented.end())
      ADD_FAILURE() << "README.md §Configuration lacks " << key;
    else
      EXPECT_EQ(row->second, fallback) << key;
  }
  for (const auto& [key, fallback] : documented)
    EXPECT_TRUE(expected.contains(key)) << "README.md documents " << key << ", the loader has none";
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
