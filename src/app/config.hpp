#pragma once
// The configuration file of `mijncert serve` (TOML; reference in README.md §Configuration).

#include "app/background_jobs.hpp"
#include "auth/mobile_requests.hpp"
#include "auth/session_manager.hpp"
#include "ca/issuer_settings.hpp"
#include "http/server.hpp"
#include "ra/card_orders.hpp"
#include "storage/database.hpp"
#include "web/portal.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace app {

/// Everything `serve` and `migrate` read from the configuration file.
struct Config {
  http::ServerSettings server;
  web::PortalSettings portal;
  auth::SessionPolicy session;
  std::string database_url;            ///< "sqlite:/abs/path.db" or "postgresql://…"
  storage::DatabaseSettings database;  ///< `[database]`: pool and timeouts
  JobSettings jobs;                    ///< `[jobs]`
  std::string log_level = "info";
  ca::CaSettings ca;                  ///< `[ca]`, `[[ca.issuers]]`, `[[products]]`
  ra::CardOrderSettings card_orders;  ///< `[orders]`
  auth::MobileSettings mobile;        ///< `[mobile]`
};

/// Reads a configuration file; relative paths in it are relative to the file's directory.
/// Throws std::runtime_error naming the file, key and problem.
Config loadConfig(const std::filesystem::path& file);

/// Splits "HOST:PORT" (or "[v6]:PORT"); throws std::runtime_error on malformed input.
std::pair<std::string, std::uint16_t> parseListen(const std::string& listen);

}  // namespace app
