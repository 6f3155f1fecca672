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
