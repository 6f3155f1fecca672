#pragma once
// `mijncert init-dev`: the complete demo of PRODUCT.md §9 (PKI, users, config, database).

#include "core/error.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace app {

/// Options of init-dev.
struct DemoOptions {
  std::filesystem::path dir;
  bool force = false;                       ///< replace an existing demo
  std::optional<std::string> database_url;  ///< default: sqlite in DIR/mijncert.db
  std::filesystem::path static_dir;         ///< written into the config (build/static)
};

/// Creates the demo; refuses (ErrorKind::conflict) when DIR already holds one and !force,
/// changing nothing.
core::Result<void> createDemo(const DemoOptions& options);

}  // namespace app
