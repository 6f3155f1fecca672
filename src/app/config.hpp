#pragma once
// The configuration file of `mijncert serve` (TOML; reference in README.md §Configuration).

#include "app/background_jobs.hpp"
#include "auth/mobile_requests.hpp"
#include "auth/refusal_throttle.hpp"
#include "auth/session_manager.hpp"
#include "ca/issuer_settings.hpp"
#include "http/server.hpp"
#include "policy/registry_rules.hpp"
#include "ra/card_orders.hpp"
#include "storage/database.hpp"
#include "web/portal.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace app {

/// `[cards]`: which card bureau produces cards (ADR 0020, docs/card-production.md).
struct CardBureauSettings {
  /// "none": card orders cannot be approved (no bureau integration yet); "demo": the demo bureau,
  /// which `serve` refuses unless portal.demo = true.
  std::string bureau = "none";
  std::filesystem::path demo_dir;  ///< where the demo bureau keeps its keys (required for "demo")
};

/// Everything `serve` and `migrate` read from the configuration file.
struct Config {
  http::ServerSettings server;
  web::PortalSettings portal;
  auth::SessionPolicy session;
  std::string database_url;            ///< "sqlite:/abs/path.db" or "postgresql://…"
  storage::DatabaseSettings database;  ///< `[database]`: pool and timeouts
  JobSettings jobs;                    ///< `[jobs]`
  std::string log_level = "info";
  ca::CaSettings ca;                       ///< `[ca]`, `[[ca.issuers]]`, `[[products]]`
  ra::CardOrderSettings card_orders;       ///< `[orders]`
  CardBureauSettings cards;                ///< `[cards]`
  auth::MobileSettings mobile;             ///< `[mobile]`
  auth::RefusalAuditPolicy refusal_audit;  ///< `session.refusal_audit…`
  /// PEM files of the CAs whose certificates log people in: `tls.login_issuers`, else the
  /// certificates of the `[[ca.issuers]]` that sign a person's product.
  std::vector<std::string> login_issuers;
  /// `orders.domain_validation_days`: how long a domain validation counts (ADR 0025).
  std::chrono::days domain_validation{policy::kMaxDomainValidationDays};
};

/// The type of a configuration key's value.
enum class SettingKind { text, path, texts, paths, flag, integer };

/// One key the configuration file may hold. The loader takes the key's type, default and range
/// from here and refuses keys that are not here; README.md §Configuration lists the same keys with
/// the same defaults (a unit test compares them).
struct Setting {
  std::string_view key;  ///< dotted; "[]" stands for each table of an array: "ca.issuers[].name"
  SettingKind kind;
  /// The default as README.md shows it: "4", "`info`", "`[]`", "false"; or "required", "—" (none),
  /// "built-in" (`[[products]]`: the built-in product's value).
  std::string_view fallback;
  std::int64_t min = 0;  ///< integers: the least sensible value
  std::int64_t max = 0;  ///< integers: the greatest sensible value
  /// integers: why no greater value is allowed, when that is a rule rather than sense.
  std::string_view above_max = {};
};

/// Every key the configuration file may hold.
std::span<const Setting> configurationSettings();

/// Reads a configuration file; relative paths in it are relative to the file's directory.
/// Throws std::runtime_error naming the file, key, line and problem: for a key that is not in
/// configurationSettings(), a value of the wrong type or outside its range, a missing required key.
Config loadConfig(const std::filesystem::path& file);

/// Splits "HOST:PORT" (or "[v6]:PORT"); throws std::runtime_error on malformed input.
std::pair<std::string, std::uint16_t> parseListen(const std::string& listen);

}  // namespace app
