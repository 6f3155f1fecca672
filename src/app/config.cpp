#include "app/config.hpp"

#include <toml.hpp>

#include <algorithm>
#include <cstdlib>
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

// A product: a built-in one of the same name with the given fields changed, or a new one.
ca::ProductProfile readProduct(const toml::value& table) {
  const auto name = toml::find<std::string>(table, "name");
  const auto builtIn = ca::builtInProfiles();
  const ca::ProductProfile* base = ca::findProfile(builtIn, name);
  ca::ProductProfile p = base ? *base : ca::ProductProfile{};
  p.name = name;
  if (table.contains("kind")) {
    const auto kind = core::parseCertificateKind(toml::find<std::string>(table, "kind"));
    if (!kind) throw std::runtime_error("products." + name + ".kind is not a certificate kind");
    p.kind = *kind;
  }
  using Names = std::vector<std::string>;
  p.issuing_ca = optional<std::string>(table, "issuing_ca", p.issuing_ca);
  p.required_subject = optional<Names>(table, "required_subject", p.required_subject);
  p.optional_subject = optional<Names>(table, "optional_subject", p.optional_subject);
  p.key_usage = optional<Names>(table, "key_usage", p.key_usage);
  p.rsa_key_usage = optional<Names>(table, "rsa_key_usage", p.rsa_key_usage);
  p.extended_key_usage = optional<Names>(table, "extended_key_usage", p.extended_key_usage);
  p.policy_oids = optional<Names>(table, "policy_oids", p.policy_oids);
  p.term_days = optional<int>(table, "term_days", p.term_days);
  p.max_validity_days = optional<int>(table, "max_validity_days", p.max_validity_days);
  p.min_dns_names = optional<int>(table, "min_dns_names", p.min_dns_names);
  p.max_dns_names = optional<int>(table, "max_dns_names", p.max_dns_names);
  p.common_name_in_dns_names =
      optional<bool>(table, "common_name_in_dns_names", p.common_name_in_dns_names);
  p.email_addresses = optional<bool>(table, "email_addresses", p.email_addresses);
  p.rsa_pss = optional<bool>(table, "rsa_pss", p.rsa_pss);
  if (p.issuing_ca.empty()) throw std::runtime_error("products." + name + " needs issuing_ca");
  if (p.term_days < 1 || p.term_days > p.max_validity_days)
    throw std::runtime_error("products." + name + ": term_days must be 1–max_validity_days");
  return p;
}

// One issuing CA; its key in a PEM file or in a PKCS#11 token whose PIN comes from an
// environment variable (never from the file, which is readable by operators).
ca::IssuerSettings readIssuer(const fs::path& base, const toml::value& table) {
  ca::IssuerSettings issuer;
  issuer.name = toml::find<std::string>(table, "name");
  issuer.certificate_file = resolve(base, toml::find<std::string>(table, "certificate"));
  issuer.key_file = resolve(base, optional<std::string>(table, "key_file", ""));
  issuer.chain_file = resolve(base, optional<std::string>(table, "chain_file", ""));
  issuer.crl_file = resolve(base, optional<std::string>(table, "crl_file", ""));
  issuer.crl_validity = std::chrono::hours{24 * optional<int>(table, "crl_validity_days", 7)};
  issuer.crl_url = optional<std::string>(table, "crl_url", "");
  if (table.contains("pkcs11_module")) {
    const auto pin_variable = optional<std::string>(table, "pkcs11_pin_env", "MIJNCERT_PKCS11_PIN");
    const char* pin = std::getenv(pin_variable.c_str());
    if (pin == nullptr)
      throw std::runtime_error("ca.issuers." + issuer.name + ": " + pin_variable + " is not set");
    issuer.pkcs11 = ca::Pkcs11Settings{toml::find<std::string>(table, "pkcs11_module"),
                                       toml::find<std::string>(table, "pkcs11_token"),
                                       toml::find<std::string>(table, "pkcs11_key"), pin};
  } else if (issuer.key_file.empty()) {
    throw std::runtime_error("ca.issuers." + issuer.name + " needs key_file or pkcs11_module");
  }
  return issuer;
}

ca::CaSettings readCa(const fs::path& base, const toml::value& root) {
  ca::CaSettings settings;
  if (root.contains("ca")) {
    const auto& section = toml::find(root, "ca");
    settings.stale_issuance_after =
        std::chrono::minutes{optional<int>(section, "stale_issuance_minutes", 15)};
    if (section.contains("issuers"))
      for (const auto& issuer : toml::find<std::vector<toml::value>>(section, "issuers"))
        settings.issuers.push_back(readIssuer(base, issuer));
  }
  if (root.contains("products")) {
    for (const auto& table : toml::find<std::vector<toml::value>>(root, "products")) {
      ca::ProductProfile product = readProduct(table);
      const auto same = std::find_if(settings.products.begin(), settings.products.end(),
                                     [&](const auto& p) { return p.name == product.name; });
      if (same != settings.products.end()) {
        *same = std::move(product);
      } else {
        settings.products.push_back(std::move(product));
      }
    }
  }
  return settings;
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
    config.server.worker_threads = optional<int>(server, "worker_threads", 8);
    config.server.request_timeout =
        std::chrono::seconds{optional<int>(server, "request_timeout_seconds", 30)};
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
    config.server.trusted_proxies =
        optional<std::vector<std::string>>(server, "trusted_proxies", {});
    config.server.client_certificate_header = optional<std::string>(
        server, "client_certificate_header", config.server.client_certificate_header);

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
    config.database.pool_size = optional<std::size_t>(database, "pool_size", 8);
    config.database.acquire_timeout =
        std::chrono::milliseconds{optional<int>(database, "acquire_timeout_ms", 5000)};
    config.database.statement_timeout =
        std::chrono::seconds{optional<int>(database, "statement_timeout_seconds", 30)};
    config.database.connect_timeout =
        std::chrono::seconds{optional<int>(database, "connect_timeout_seconds", 5)};

    if (root.contains("session")) {
      const auto& session = toml::find(root, "session");
      config.session.idle_timeout =
          std::chrono::minutes{optional<int>(session, "idle_timeout_minutes", 15)};
      config.session.absolute_timeout =
          std::chrono::hours{optional<int>(session, "absolute_timeout_hours", 8)};
    }
    if (root.contains("portal"))
      config.portal.demo = optional<bool>(toml::find(root, "portal"), "demo", false);
    if (root.contains("orders")) {
      const auto& orders = toml::find(root, "orders");
      config.card_orders.renewal_window =
          std::chrono::days{optional<int>(orders, "card_renewal_window_days", 90)};
      config.card_orders.activation_code_validity =
          std::chrono::hours{optional<int>(orders, "activation_code_validity_hours", 14 * 24)};
    }
    if (root.contains("mobile")) {
      const auto& mobile = toml::find(root, "mobile");
      config.mobile.request_validity =
          std::chrono::seconds{optional<int>(mobile, "request_validity_seconds", 120)};
      config.mobile.requests_per_minute = optional<int>(mobile, "requests_per_minute", 10);
    }
    if (root.contains("jobs")) {
      const auto& jobs = toml::find(root, "jobs");
      config.jobs.interval = std::chrono::seconds{optional<int>(jobs, "interval_seconds", 60)};
      config.jobs.purge.mobile_requests_kept_after_expiry =
          std::chrono::hours{optional<int>(jobs, "mobile_requests_kept_hours", 24)};
      config.jobs.purge.rate_events_kept =
          std::chrono::minutes{optional<int>(jobs, "rate_events_kept_minutes", 60)};
    }
    if (root.contains("log"))
      config.log_level = optional<std::string>(toml::find(root, "log"), "level", "info");
    config.ca = readCa(base, root);
  } catch (const std::out_of_range& e) {
    throw std::runtime_error("configuration " + file.string() +
                             " lacks a required key: " + e.what());
  } catch (const toml::type_error& e) {
    throw std::runtime_error("configuration " + file.string() +
                             " has a value of the wrong type: " + e.what());
  }
  // Expired sessions go once neither timeout could let them in any more.
  config.jobs.purge.session_idle_timeout = config.session.idle_timeout;
  config.jobs.purge.session_absolute_timeout = config.session.absolute_timeout;
  if (config.database.pool_size < 1 || config.database.pool_size > 1000 ||
      config.database.acquire_timeout.count() < 1 ||
      config.database.statement_timeout.count() < 1 || config.database.connect_timeout.count() < 1)
    throw std::runtime_error(
        "configuration: database.pool_size must be 1–1000 and its timeouts positive");
  if (config.jobs.interval.count() < 1 || config.jobs.purge.rate_events_kept.count() < 1 ||
      config.jobs.purge.mobile_requests_kept_after_expiry.count() < 0)
    throw std::runtime_error(
        "configuration: jobs.interval_seconds and jobs.rate_events_kept_minutes must be "
        "positive");
  if (config.server.threads < 1 || config.server.threads > 256)
    throw std::runtime_error("configuration: server.threads must be 1–256");
  if (config.server.worker_threads < 1 || config.server.worker_threads > 1024 ||
      config.server.request_timeout.count() < 1 || config.server.request_timeout.count() > 3600)
    throw std::runtime_error(
        "configuration: server.worker_threads must be 1–1024 and "
        "server.request_timeout_seconds 1–3600");
  if (config.mobile.request_validity.count() < 10 || config.mobile.requests_per_minute < 1)
    throw std::runtime_error(
        "configuration: mobile.request_validity_seconds must be at least 10 and "
        "mobile.requests_per_minute positive");
  if (config.card_orders.renewal_window.count() < 1 ||
      config.card_orders.activation_code_validity.count() < 1)
    throw std::runtime_error(
        "configuration: orders.card_renewal_window_days and "
        "orders.activation_code_validity_hours must be positive");
  return config;
}

}  // namespace app
