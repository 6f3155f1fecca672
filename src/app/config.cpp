#include "app/config.hpp"

#include <toml.hpp>

#include <stdexcept>

namespace app {

namespace fs = std::filesystem;

namespace {

// A relative path in the file is relative to the directory of the file, not to the working
// directory, so the same config works whoever starts the server from wherever.
std::string resolve(const fs::path& base, const std::string& path) {
  if (path.empty()) return path;
  const fs::path p{path};
  return p.is_absolute() ? p.string() : (base / p).lexically_normal().string();
}

std::string resolveDatabaseUrl(const fs::path& base, const std::string& url) {
  constexpr std::string_view sqlite = "sqlite:";
  if (!url.starts_with(sqlite) || url.starts_with("sqlite://")) return url;
  return std::string(sqlite) + resolve(base, url.substr(sqlite.size()));
}

template <class T>
T optional(const toml::value& table, const char* key, T fallback) {
  return table.contains(key) ? toml::find<T>(table, key) : fallback;
}

}  // namespace

std::pair<std::string, std::uint16_t> parseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    throw std::runtime_error("listen address must be HOST:PORT, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw std::runtime_error("listen port is not a number in '" + listen + "'");
  }
  if (port < 0 || port > 65535)
    throw std::runtime_error("listen port out of range in '" + listen + "'");
  return {host, static_cast<std::uint16_t>(port)};
}

Config loadConfig(const fs::path& file) {
  toml::value root;
  try {
    root = toml::parse(file);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read configuration " + file.string() + ": " + e.what());
  }
  const fs::path base = fs::absolute(file).parent_path();
  Config config;
  try {
    const auto& server = toml::find(root, "server");
    auto [host, port] = parseListen(toml::find<std::string>(server, "listen"));
    config.server.host = host;
    config.server.port = port;
    config.portal.origin = toml::find<std::string>(server, "public_origin");
    config.server.threads = optional<int>(server, "threads", 4);
    config.server.max_connections = optional<std::size_t>(server, "max_connections", 512);
    config.server.max_header_bytes = optional<std::size_t>(server, "max_header_bytes", 16 * 1024);
    config.server.max_body_bytes = optional<std::size_t>(server, "max_body_bytes", 1024 * 1024);
    config.server.read_timeout =
        std::chrono::seconds{optional<int>(server, "read_timeout_seconds", 30)};
    config.server.write_timeout =
        std::chrono::seconds{optional<int>(server, "write_timeout_seconds", 30)};
    config.server.idle_timeout =
        std::chrono::seconds{optional<int>(server, "idle_timeout_seconds", 60)};
    config.server.shutdown_grace =
        std::chrono::seconds{optional<int>(server, "shutdown_grace_seconds", 20)};
    config.server.static_dir = resolve(base, optional<std::string>(server, "static_dir", ""));

    const auto& tls = toml::find(root, "tls");
    config.server.tls.certificate_chain_file =
        resolve(base, toml::find<std::string>(tls, "certificate_chain"));
    config.server.tls.private_key_file = resolve(base, toml::find<std::string>(tls, "private_key"));
    config.server.tls.client_ca_file =
        resolve(base, toml::find<std::string>(tls, "client_ca_bundle"));
    for (const auto& crl : optional<std::vector<std::string>>(tls, "client_crls", {}))
      config.server.tls.crl_files.push_back(resolve(base, crl));

    const auto& database = toml::find(root, "database");
    config.database_url = resolveDatabaseUrl(base, toml::find<std::string>(database, "url"));
    config.database_pool = optional<std::size_t>(database, "pool_size", 8);

    if (root.contains("session")) {
      const auto& session = toml::find(root, "session");
      config.session.idle_timeout =
          std::chrono::minutes{optional<int>(session, "idle_timeout_minutes", 15)};
      config.session.absolute_timeout =
          std::chrono::hours{optional<int>(session, "absolute_timeout_hours", 8)};
    }
    if (root.contains("portal"))
      config.portal.demo = optional<bool>(toml::find(root, "portal"), "demo", false);
    if (root.contains("log"))
      config.log_level = optional<std::string>(toml::find(root, "log"), "level", "info");
  } catch (const std::out_of_range& e) {
    throw std::runtime_error("configuration " + file.string() +
                             " lacks a required key: " + e.what());
  } catch (const toml::type_error& e) {
    throw std::runtime_error("configuration " + file.string() +
                             " has a value of the wrong type: " + e.what());
  }
  if (config.server.threads < 1 || config.server.threads > 256)
    throw std::runtime_error("configuration: server.threads must be 1–256");
  return config;
}

}  // namespace app
