#include "app/commands.hpp"
#include "app/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = app::runCommand(args, out, err);
  return {code, out.str(), err.str()};
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Commands, HelpListsEveryCommand) {
  const auto help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* command : {"init-dev", "serve", "migrate", "audit verify"})
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
  for (const char* command : {"init-dev", "serve", "migrate", "audit"}) {
    const auto sub = run({command, "--help"});
    EXPECT_EQ(sub.code, 0) << command;
    EXPECT_NE(sub.out.find("Usage: mijncert " + std::string(command)), std::string::npos);
  }
}

TEST(Commands, UsageErrorsExitTwoWithHelp) {
  EXPECT_EQ(run({}).code, 2);
  const auto unknown = run({"frobnicate"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown command"), std::string::npos);
  const auto missing = run({"init-dev"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("--dir is required"), std::string::npos);
  EXPECT_EQ(run({"serve", "--config"}).code, 2);
  EXPECT_EQ(run({"migrate", "--bogus"}).code, 2);
}

TEST(Commands, InitDevCreatesTheDemoAndRefusesToOverwriteIt) {
  const auto dir = fs::temp_directory_path() / "mijncert-commands-init-dev";
  fs::remove_all(dir);
  const auto first = run({"init-dev", "--dir", dir.string()});
  ASSERT_EQ(first.code, 0) << first.err;
  for (const char* file : {"mijncert.toml", "mijncert.db", "pki/root-ca.crt", "tls/server.crt",
                           "users/contact.p12", "users/foreign.key"})
    EXPECT_TRUE(fs::exists(dir / file)) << file;

  EXPECT_NO_THROW(app::loadConfig(dir / "mijncert.toml")) << "only known keys, sensible values";
  const auto config = slurp(dir / "mijncert.toml");
  const auto database = slurp(dir / "mijncert.db");
  const auto second = run({"init-dev", "--dir", dir.string()});
  EXPECT_EQ(second.code, 1);
  EXPECT_NE(second.err.find("--force"), std::string::npos) << second.err;
  EXPECT_EQ(slurp(dir / "mijncert.toml"), config) << "nothing changed";
  EXPECT_EQ(slurp(dir / "mijncert.db"), database) << "nothing changed";

  const auto forced = run({"init-dev", "--dir", dir.string(), "--force"});
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_NE(slurp(dir / "users/contact.crt"), "");

  const auto verify = run({"audit", "verify", "--config", (dir / "mijncert.toml").string()});
  EXPECT_EQ(verify.code, 0) << verify.err;
  EXPECT_NE(verify.out.find("intact"), std::string::npos);
  const auto migrate = run({"migrate", "--config", (dir / "mijncert.toml").string()});
  EXPECT_EQ(migrate.code, 0) << migrate.err;
  EXPECT_NE(migrate.out.find("Applied 0 migration(s)"), std::string::npos) << migrate.out;
  fs::remove_all(dir);
}

}  // namespace
