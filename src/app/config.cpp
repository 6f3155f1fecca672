#include "app/config.hpp"

#include "http/trusted_proxies.hpp"

#include <toml.hpp>

#include <algorithm>
#include <charconv>
#include <concepts>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace app {

namespace fs = std::filesystem;

namespace {

using Kind = SettingKind;
constexpr std::string_view kRequired = "required";
constexpr std::string_view kNoDefault = "—";
constexpr std::string_view kBuiltIn = "built-in";
constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;

// The ranges keep out what can only be a mistake: a zero timeout or size, or hours where seconds
// were meant. README.md §Configuration lists the same keys and defaults.
constexpr Setting kSettings[] = {
    {"server.listen", Kind::text, kRequired},
    {"server.public_origin", Kind::text, kRequired},
    {"server.threads", Kind::integer, "4", 1, 256},
    {"server.worker_threads", Kind::integer, "8", 1, 256},
    {"server.max_connections", Kind::integer, "512", 1, 100'000},
    {"server.max_connections_per_address", Kind::integer, "32", 1, 100'000},
    {"server.handshakes_per_second_per_address", Kind::integer, "5", 1, 100'000},
    {"server.handshake_burst_per_address", Kind::integer, "20", 1, 100'000},
    {"server.max_connection_age_seconds", Kind::integer, "600", 1, kDay},
    {"server.proxy_protocol", Kind::flag, "false"},
    {"server.proxy_protocol_from", Kind::texts, "`[]`"},
    {"server.trusted_proxies", Kind::texts, "`[]`"},
    {"server.client_certificate_header", Kind::text, "`X-SSL-Client-Cert`"},
    {"server.max_header_bytes", Kind::integer, "16384", kKiB, kKiB* kKiB},
    {"server.max_body_bytes", Kind::integer, "1048576", kKiB, kKiB* kKiB* kKiB},
    {"server.read_timeout_seconds", Kind::integer, "30", 1, kHour},
    {"server.write_timeout_seconds", Kind::integer, "30", 1, kHour},
    {"server.request_timeout_seconds", Kind::integer, "30", 1, kHour},
    {"server.idle_timeout_seconds", Kind::integer, "60", 1, kHour},
    {"server.shutdown_grace_seconds", Kind::integer, "20", 0, kHour},
    {"server.static_dir", Kind::path, kNoDefault},
    {"tls.certificate_chain", Kind::path, kRequired},
    {"tls.private_key", Kind::path, kRequired},
    {"tls.client_ca_bundle", Kind::path, kRequired},
    {"tls.client_crls", Kind::paths, "`[]`"},
    {"tls.login_issuers", Kind::paths, kNoDefault},
    {"database.url", Kind::text, kRequired},
    {"database.pool_size", Kind::integer, "8", 1, 1000},
    {"database.acquire_timeout_ms", Kind::integer, "5000", 1, 600'000},
    {"database.statement_timeout_seconds", Kind::integer, "30", 1, kDay},
    {"database.connect_timeout_seconds", Kind::integer, "5", 1, 600},
    {"jobs.interval_seconds", Kind::integer, "60", 1, kDay},
    {"jobs.mobile_requests_kept_hours", Kind::integer, "24", 0, 366 * 24},
    {"jobs.rate_events_kept_minutes", Kind::integer, "60", 1, 7 * 24 * 60},
    {"session.idle_timeout_minutes", Kind::integer, "15", 1, 24 * 60},
    {"session.absolute_timeout_hours", Kind::integer, "8", 1, 31 * 24},
    {"session.login_audit_interval_minutes", Kind::integer, "60", 1, 24 * 60},
    {"session.refusal_audit_window_seconds", Kind::integer, "600", 1, kDay},
    {"session.refusal_audits_per_address", Kind::integer, "10", 1, 100'000},
    {"session.refusal_audits_per_node", Kind::integer, "1000", 1, 1'000'000},
    {"portal.demo", Kind::flag, "false"},
    {"ca.stale_issuance_minutes", Kind::integer, "15", 1, 7 * 24 * 60},
    {"ca.weak_keys_file", Kind::path, "`/var/lib/mijncert/debian-weak-keys.txt`"},
    {"ca.issuers[].name", Kind::text, kRequired},
    {"ca.issuers[].certificate", Kind::path, kRequired},
    {"ca.issuers[].key_file", Kind::path, kNoDefault},
    {"ca.issuers[].pkcs11_module", Kind::text, kNoDefault},
    {"ca.issuers[].pkcs11_token", Kind::text, kNoDefault},
    {"ca.issuers[].pkcs11_key", Kind::text, kNoDefault},
    {"ca.issuers[].pkcs11_pin_env", Kind::text, "`MIJNCERT_PKCS11_PIN`"},
    {"ca.issuers[].chain_file", Kind::path, kNoDefault},
    {"ca.issuers[].crl_file", Kind::path, kNoDefault},
    {"ca.issuers[].crl_validity_days", Kind::integer, "7", 1, 366},
    {"ca.issuers[].crl_url", Kind::text, kNoDefault},
    {"products[].name", Kind::text, kRequired},
    {"products[].kind", Kind::text, kBuiltIn},
    {"products[].issuing_ca", Kind::text, kBuiltIn},
    {"products[].required_subject", Kind::texts, kBuiltIn},
    {"products[].optional_subject", Kind::texts, kBuiltIn},
    {"products[].key_usage", Kind::texts, kBuiltIn},
    {"products[].rsa_key_usage", Kind::texts, kBuiltIn},
    {"products[].extended_key_usage", Kind::texts, kBuiltIn},
    {"products[].policy_oids", Kind::texts, kBuiltIn},
    {"products[].term_days", Kind::integer, kBuiltIn, 1, 3650},
    {"products[].max_validity_days", Kind::integer, kBuiltIn, 1, 3650},
    {"products[].min_dns_names", Kind::integer, kBuiltIn, 0, 1000},
    {"products[].max_dns_names", Kind::integer, kBuiltIn, 0, 1000},
    {"products[].common_name_in_dns_names", Kind::flag, kBuiltIn},
    {"products[].email_addresses", Kind::flag, kBuiltIn},
    {"products[].rsa_pss", Kind::flag, kBuiltIn},
    {"mobile.request_validity_seconds", Kind::integer, "120", 10, kHour},
    {"mobile.requests_per_minute", Kind::integer, "10", 1, 100'000},
    {"orders.card_renewal_window_days", Kind::integer, "90", 1, 366},
    {"orders.activation_code_validity_hours", Kind::integer, "336", 1, 90 * 24},
    // Never longer than the Baseline Requirements allow (ADR 0025).
    {"orders.domain_validation_days", Kind::integer, "397", 1, policy::kMaxDomainValidationDays,
     "a domain validation may be relied on for at most 397 days (CA/Browser Forum Baseline "
     "Requirements; ADR 0025); set a shorter period or leave the key out"},
    {"cards.bureau", Kind::text, "`none`"},
    {"cards.demo_dir", Kind::path, kNoDefault},
    {"log.level", Kind::text, "`info`"},
    {"metrics.allow", Kind::texts, R"(`["127.0.0.1", "::1"]`)"},
};

bool isKey(std::string_view pattern) {
  return std::ranges::any_of(kSettings, [&](const Setting& s) { return s.key == pattern; });
}

// Whether some key lies inside the table `prefix` ("server.", "ca.issuers[].").
bool holdsKeys(std::string_view prefix) {
  return std::ranges::any_of(kSettings,
                             [&](const Setting& s) { return s.key.starts_with(prefix); });
}

// A setting's default as the file would give it; nullopt when it has none.
std::optional<toml::value> fallbackValue(const Setting& setting) {
  const std::string_view text = setting.fallback;
  if (text == kRequired || text == kNoDefault || text == kBuiltIn) return std::nullopt;
  switch (setting.kind) {
    case Kind::integer: {
      std::int64_t number = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), number).ec != std::errc{})
        throw std::logic_error("the default of " + std::string(setting.key) + " is no number");
      return toml::value(number);
    }
    case Kind::flag:
      return toml::value(text == "true");
    case Kind::texts:
    case Kind::paths: {
      // A TOML array, as README.md shows it: "`[]`", "`["127.0.0.1", "::1"]`".
      std::istringstream in("value = " + std::string(text.substr(1, text.size() - 2)));
      return toml::find(toml::parse(in, std::string(setting.key)), "value");
    }
    case Kind::text:
    case Kind::path:  // "`info`"
      return toml::value(std::string(text.substr(1, text.size() - 2)));
  }
  return std::nullopt;
}

bool fits(const toml::value& value, Kind kind) {
  switch (kind) {
    case Kind::text:
    case Kind::path:
      return value.is_string();
    case Kind::texts:
    case Kind::paths:
      return value.is_array() &&
             std::ranges::all_of(value.as_array(), [](const auto& v) { return v.is_string(); });
    case Kind::flag:
      return value.is_boolean();
    case Kind::integer:
      return value.is_integer();
  }
  return false;
}

std::string_view expectation(Kind kind) {
  switch (kind) {
    case Kind::text:
    case Kind::path:
      return "a string";
    case Kind::texts:
    case Kind::paths:
      return "a list of strings";
    case Kind::flag:
      return "true or false";
    case Kind::integer:
      return "a whole number";
  }
  return "";
}

std::string_view nameOf(toml::value_t type) {
  switch (type) {
    case toml::value_t::boolean:
      return "a boolean";
    case toml::value_t::integer:
      return "an integer";
    case toml::value_t::floating:
      return "a decimal number";
    case toml::value_t::string:
      return "a string";
    case toml::value_t::array:
      return "a list";
    case toml::value_t::table:
      return "a table";
    default:
      return "a date or time";
  }
}

bool isArrayOfTables(const toml::value& value) {
  return value.is_array() &&
         std::ranges::all_of(value.as_array(), [](const auto& v) { return v.is_table(); });
}

struct Problem {
  std::uint_least32_t line;
  std::string text;
};

// Collects what in `table` is no key of kSettings, so that a typo never silently leaves a default
// in force. `pattern` is the table's place in kSettings ("ca.issuers[]."), `shown` in the file
// ("ca.issuers[1].").
void findUnknown(const toml::value& table, const std::string& pattern, const std::string& shown,
                 std::vector<Problem>& problems) {
  for (const auto& [name, value] : table.as_table()) {
    const std::string key = pattern + name;
    const std::string at = shown + name;
    const auto line = value.location().line();
    if (isKey(key)) continue;  // its type is checked when it is read
    if (holdsKeys(key + ".")) {
      if (!value.is_table())
        problems.push_back({line, at + " must be a table"});
      else
        findUnknown(value, key + ".", at + ".", problems);
    } else if (holdsKeys(key + "[].")) {
      if (!isArrayOfTables(value))
        problems.push_back({line, at + " must be an array of tables [[" + at + "]]"});
      else
        for (std::size_t i = 0; i < value.as_array().size(); ++i)
          findUnknown(value.as_array()[i], key + "[].", at + "[" + std::to_string(i) + "].",
                      problems);
    } else if (value.is_table()) {
      problems.push_back({line, "unknown table [" + at + "]"});
    } else if (isArrayOfTables(value) && !value.as_array().empty()) {
      problems.push_back({line, "unknown table [[" + at + "]]"});
    } else {
      problems.push_back({line, "unknown key " + at});
    }
  }
}

void refuseUnknown(const toml::value& root, const std::string& file) {
  std::vector<Problem> problems;
  findUnknown(root, "", "", problems);
  if (problems.empty()) return;
  std::ranges::sort(problems, [](const Problem& a, const Problem& b) {
    return std::tie(a.line, a.text) < std::tie(b.line, b.text);
  });
  std::string message = "configuration " + file;
  for (const auto& problem : problems)
    message += (&problem == &problems.front() ? ": line " : "; line ") +
               std::to_string(problem.line) + ": " + problem.text;
  throw std::runtime_error(message);
}

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

// The file being read: named in messages, and the base of the relative paths in it.
struct Source {
  std::string file;
  fs::path base;
};

// One table of the file, the root or one of an array such as [[ca.issuers]], read through
// kSettings: every read takes the key's type, default and range from there.
class Section {
 public:
  Section(const Source& source, const toml::value& table, std::string pattern, std::string shown)
      : source_(source), table_(table), pattern_(std::move(pattern)), shown_(std::move(shown)) {}

  // Each read sets `field` to the key's value in the file, else to its default, and leaves it
  // when the key has neither. Paths come resolved.
  void read(std::string_view key, std::string& field) const {
    if (auto value = text(key)) field = std::move(*value);
  }
  void read(std::string_view key, fs::path& field) const {
    if (auto value = text(key)) field = std::move(*value);
  }
  void read(std::string_view key, std::vector<std::string>& field) const {
    const Setting& setting = lookup(key, {Kind::texts, Kind::paths});
    const auto value = get(setting, key);
    if (!value) return;
    field.clear();
    for (const auto& element : value->as_array()) {
      const auto& text = element.as_string().str;
      field.push_back(setting.kind == Kind::paths ? resolve(source_.base, text) : text);
    }
  }
  void read(std::string_view key, bool& field) const {
    if (const auto value = get(lookup(key, {Kind::flag}), key)) field = value->as_boolean();
  }
  template <std::integral Field>
  requires(!std::same_as<Field, bool>) void read(std::string_view key, Field& field) const {
    if (const auto value = integer(key)) field = static_cast<Field>(*value);
  }
  // A duration counted in `Unit`, the unit the key's name ends in.
  template <class Unit, class Rep, class Period>
  void read(std::string_view key, std::chrono::duration<Rep, Period>& field) const {
    if (const auto value = integer(key)) field = Unit(*value);
  }

  bool has(std::string_view key) const { return find(key) != nullptr; }

  // The tables of the array `key` (findUnknown made sure it holds only tables).
  std::vector<Section> tables(std::string_view key) const {
    std::vector<Section> sections;
    const toml::value* array = find(key);
    if (array == nullptr) return sections;
    const std::string name(key);
    for (std::size_t i = 0; i < array->as_array().size(); ++i)
      sections.emplace_back(source_, array->as_array()[i], pattern_ + name + "[].",
                            shown_ + name + "[" + std::to_string(i) + "].");
    return sections;
  }

  // Throws "configuration FILE: line N: KEY PROBLEM" with the line of the key, else of this
  // table (none for the root: its line 1 helps nobody).
  [[noreturn]] void fail(std::string_view key, const std::string& problem) const {
    const toml::value* at = find(key);
    if (at == nullptr && !pattern_.empty()) at = &table_;
    throw std::runtime_error("configuration " + source_.file + ": " +
                             (at ? "line " + std::to_string(at->location().line()) + ": " : "") +
                             shown_ + std::string(key) + " " + problem);
  }

 private:
  const Setting& lookup(std::string_view key, std::initializer_list<Kind> kinds) const {
    const std::string pattern = pattern_ + std::string(key);
    const auto* setting = std::ranges::find(kSettings, std::string_view(pattern), &Setting::key);
    if (setting == std::end(kSettings) || std::ranges::find(kinds, setting->kind) == kinds.end())
      throw std::logic_error("the configuration loader reads " + pattern + " unlike kSettings");
    return *setting;
  }

  const toml::value* find(std::string_view dotted) const {
    const toml::value* at = &table_;
    for (;;) {
      if (!at->is_table()) return nullptr;
      const auto dot = dotted.find('.');
      const auto& table = at->as_table();
      const auto entry = table.find(std::string(dotted.substr(0, dot)));
      if (entry == table.end()) return nullptr;
      at = &entry->second;
      if (dot == std::string_view::npos) return at;
      dotted.remove_prefix(dot + 1);
    }
  }

  // The key's value in the file, of the type its kind needs, else its default.
  std::optional<toml::value> get(const Setting& setting, std::string_view key) const {
    const toml::value* given = find(key);
    if (given == nullptr) {
      if (setting.fallback == kRequired) fail(key, "is required");
      return fallbackValue(setting);
    }
    if (!fits(*given, setting.kind))
      fail(key, "must be " + std::string(expectation(setting.kind)) + ", not " +
                    std::string(nameOf(given->type())));
    return *given;
  }

  std::optional<std::string> text(std::string_view key) const {
    const Setting& setting = lookup(key, {Kind::text, Kind::path});
    const auto value = get(setting, key);
    if (!value) return std::nullopt;
    const auto& text = value->as_string().str;
    return setting.kind == Kind::path ? resolve(source_.base, text) : text;
  }

  // Defaults are checked too: a wrong one in kSettings fails every test that loads a config.
  std::optional<std::int64_t> integer(std::string_view key) const {
    const Setting& setting = lookup(key, {Kind::integer});
    const auto value = get(setting, key);
    if (!value) return std::nullopt;
    const std::int64_t number = value->as_integer();
    if (number > setting.max && !setting.above_max.empty())
      fail(key, "must be at most " + std::to_string(setting.max) + ", not " +
                    std::to_string(number) + ": " + std::string(setting.above_max));
    if (number < setting.min || number > setting.max)
      fail(key, "must be " + std::to_string(setting.min) + "–" + std::to_string(setting.max) +
                    ", not " + std::to_string(number));
    return number;
  }

  const Source& source_;
  const toml::value& table_;
  std::string pattern_;  // the table's place in kSettings: "", "ca.issuers[]."
  std::string shown_;    // and in the file: "", "ca.issuers[1]."
};

// A product: a built-in one of the same name with the given fields changed, or a new one.
ca::ProductProfile readProduct(const Section& in) {
  std::string name;
  in.read("name", name);
  const auto builtIn = ca::builtInProfiles();
  const ca::ProductProfile* base = ca::findProfile(builtIn, name);
  ca::ProductProfile p = base ? *base : ca::ProductProfile{};
  p.name = name;
  if (in.has("kind")) {
    std::string kind;
    in.read("kind", kind);
    const auto parsed = core::parseCertificateKind(kind);
    if (!parsed) in.fail("kind", "must be server, personal, group, professional or mobile");
    p.kind = *parsed;
  }
  in.read("issuing_ca", p.issuing_ca);
  in.read("required_subject", p.required_subject);
  in.read("optional_subject", p.optional_subject);
  in.read("key_usage", p.key_usage);
  in.read("rsa_key_usage", p.rsa_key_usage);
  in.read("extended_key_usage", p.extended_key_usage);
  in.read("policy_oids", p.policy_oids);
  in.read("term_days", p.term_days);
  in.read("max_validity_days", p.max_validity_days);
  in.read("min_dns_names", p.min_dns_names);
  in.read("max_dns_names", p.max_dns_names);
  in.read("common_name_in_dns_names", p.common_name_in_dns_names);
  in.read("email_addresses", p.email_addresses);
  in.read("rsa_pss", p.rsa_pss);
  if (p.issuing_ca.empty()) in.fail("issuing_ca", "is required for a product that is not built in");
  if (p.term_days > p.max_validity_days)
    in.fail("term_days",
            "must not exceed max_validity_days (" + std::to_string(p.max_validity_days) + ")");
  return p;
}

// One issuing CA; its key in a PEM file or in a PKCS#11 token whose PIN comes from an
// environment variable (never from the file, which is readable by operators).
ca::IssuerSettings readIssuer(const Section& in) {
  ca::IssuerSettings issuer;
  in.read("name", issuer.name);
  in.read("certificate", issuer.certificate_file);
  in.read("key_file", issuer.key_file);
  in.read("chain_file", issuer.chain_file);
  in.read("crl_file", issuer.crl_file);
  in.read<std::chrono::days>("crl_validity_days", issuer.crl_validity);
  in.read("crl_url", issuer.crl_url);
  if (in.has("pkcs11_module")) {
    for (const char* key : {"pkcs11_token", "pkcs11_key"})
      if (!in.has(key)) in.fail(key, "is required with pkcs11_module");
    ca::Pkcs11Settings token;
    in.read("pkcs11_module", token.module);
    in.read("pkcs11_token", token.token_label);
    in.read("pkcs11_key", token.key_label);
    std::string pin_variable;
    in.read("pkcs11_pin_env", pin_variable);
    const char* pin = std::getenv(pin_variable.c_str());
    if (pin == nullptr) in.fail("pkcs11_pin_env", "names " + pin_variable + ", which is not set");
    token.pin = pin;
    issuer.pkcs11 = std::move(token);
  } else if (issuer.key_file.empty()) {
    in.fail("key_file", "or pkcs11_module is required");
  }
  return issuer;
}

// The certificates of the `[[ca.issuers]]` that sign a person's product: without
// `tls.login_issuers` their certificates are the ones that log people in.
std::vector<std::string> personIssuerCertificates(const ca::CaSettings& settings) {
  std::vector<std::string> files;
  for (const ca::ProductProfile& product : settings.products) {
    if (product.kind == core::CertificateKind::server) continue;
    for (const ca::IssuerSettings& issuer : settings.issuers) {
      const std::string file = issuer.certificate_file.string();
      if (issuer.name == product.issuing_ca && std::ranges::find(files, file) == files.end())
        files.push_back(file);
    }
  }
  return files;
}

ca::CaSettings readCa(const Section& in) {
  ca::CaSettings settings;
  in.read<std::chrono::minutes>("ca.stale_issuance_minutes", settings.stale_issuance_after);
  in.read("ca.weak_keys_file", settings.weak_keys_file);
  for (const Section& issuer : in.tables("ca.issuers"))
    settings.issuers.push_back(readIssuer(issuer));
  for (const Section& table : in.tables("products")) {
    ca::ProductProfile product = readProduct(table);
    const auto same = std::find_if(settings.products.begin(), settings.products.end(),
                                   [&](const auto& p) { return p.name == product.name; });
    if (same != settings.products.end()) {
      *same = std::move(product);
    } else {
      settings.products.push_back(std::move(product));
    }
  }
  return settings;
}

}  // namespace

std::span<const Setting> configurationSettings() {
  return kSettings;
}

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
  const Source source{file.string(), fs::absolute(file).parent_path()};
  refuseUnknown(root, source.file);
  const Section in(source, root, "", "");
  Config config;
  std::string listen;
  in.read("server.listen", listen);
  std::tie(config.server.host, config.server.port) = parseListen(listen);
  in.read("server.public_origin", config.portal.origin);
  in.read("server.threads", config.server.threads);
  in.read("server.worker_threads", config.server.worker_threads);
  in.read("server.max_connections", config.server.max_connections);
  in.read("server.max_connections_per_address", config.server.max_connections_per_address);
  std::size_t handshakesPerSecond = 5;
  in.read("server.handshakes_per_second_per_address", handshakesPerSecond);
  config.server.handshakes_per_second_per_address = static_cast<double>(handshakesPerSecond);
  in.read("server.handshake_burst_per_address", config.server.handshake_burst_per_address);
  in.read<std::chrono::seconds>("server.max_connection_age_seconds",
                                config.server.max_connection_age);
  in.read("server.proxy_protocol", config.server.proxy_protocol);
  in.read("server.proxy_protocol_from", config.server.proxy_protocol_from);
  in.read("server.max_header_bytes", config.server.max_header_bytes);
  in.read("server.max_body_bytes", config.server.max_body_bytes);
  in.read<std::chrono::seconds>("server.read_timeout_seconds", config.server.read_timeout);
  in.read<std::chrono::seconds>("server.write_timeout_seconds", config.server.write_timeout);
  in.read<std::chrono::seconds>("server.request_timeout_seconds", config.server.request_timeout);
  in.read<std::chrono::seconds>("server.idle_timeout_seconds", config.server.idle_timeout);
  in.read<std::chrono::seconds>("server.shutdown_grace_seconds", config.server.shutdown_grace);
  in.read("server.static_dir", config.server.static_dir);
  in.read("server.trusted_proxies", config.server.trusted_proxies);
  in.read("server.client_certificate_header", config.server.client_certificate_header);

  in.read("tls.certificate_chain", config.server.tls.certificate_chain_file);
  in.read("tls.private_key", config.server.tls.private_key_file);
  in.read("tls.client_ca_bundle", config.server.tls.client_ca_file);
  in.read("tls.client_crls", config.server.tls.crl_files);

  in.read("database.url", config.database_url);
  config.database_url = resolveDatabaseUrl(source.base, config.database_url);
  in.read("database.pool_size", config.database.pool_size);
  in.read<std::chrono::milliseconds>("database.acquire_timeout_ms",
                                     config.database.acquire_timeout);
  in.read<std::chrono::seconds>("database.statement_timeout_seconds",
                                config.database.statement_timeout);
  in.read<std::chrono::seconds>("database.connect_timeout_seconds",
                                config.database.connect_timeout);

  in.read<std::chrono::seconds>("jobs.interval_seconds", config.jobs.interval);
  in.read<std::chrono::hours>("jobs.mobile_requests_kept_hours",
                              config.jobs.purge.mobile_requests_kept_after_expiry);
  in.read<std::chrono::minutes>("jobs.rate_events_kept_minutes",
                                config.jobs.purge.rate_events_kept);
  in.read<std::chrono::minutes>("session.idle_timeout_minutes", config.session.idle_timeout);
  in.read<std::chrono::hours>("session.absolute_timeout_hours", config.session.absolute_timeout);
  in.read<std::chrono::minutes>("session.login_audit_interval_minutes",
                                config.session.login_audit_interval);
  in.read<std::chrono::seconds>("session.refusal_audit_window_seconds",
                                config.refusal_audit.window);
  in.read("session.refusal_audits_per_address", config.refusal_audit.per_address);
  in.read("session.refusal_audits_per_node", config.refusal_audit.per_node);
  // Expired sessions go once neither timeout could let them in any more.
  config.jobs.purge.session_idle_timeout = config.session.idle_timeout;
  config.jobs.purge.session_absolute_timeout = config.session.absolute_timeout;

  in.read("portal.demo", config.portal.demo);
  config.ca = readCa(in);
  if (in.has("tls.login_issuers")) {
    in.read("tls.login_issuers", config.login_issuers);
    if (config.login_issuers.empty())
      in.fail("tls.login_issuers", "is empty: nobody could log in with a certificate");
  } else {
    config.login_issuers = personIssuerCertificates(config.ca);
  }
  in.read<std::chrono::seconds>("mobile.request_validity_seconds", config.mobile.request_validity);
  in.read("mobile.requests_per_minute", config.mobile.requests_per_minute);
  in.read<std::chrono::days>("orders.card_renewal_window_days", config.card_orders.renewal_window);
  in.read<std::chrono::hours>("orders.activation_code_validity_hours",
                              config.card_orders.activation_code_validity);
  for (const std::string& entry : config.server.proxy_protocol_from) {
    if (!http::AddressRange::parse(entry))
      in.fail("server.proxy_protocol_from",
              "has '" + entry + "', which is no IP address or CIDR range");
  }
  if (config.server.proxy_protocol && config.server.proxy_protocol_from.empty())
    in.fail("server.proxy_protocol",
            "is true, but server.proxy_protocol_from names no load balancer that may send it");
  in.read<std::chrono::days>("orders.domain_validation_days", config.domain_validation);
  in.read("cards.bureau", config.cards.bureau);
  if (config.cards.bureau != "none" && config.cards.bureau != "demo")
    in.fail("cards.bureau", "must be \"none\" or \"demo\", not \"" + config.cards.bureau + "\"");
  in.read("cards.demo_dir", config.cards.demo_dir);
  if (config.cards.bureau == "demo" && config.cards.demo_dir.empty())
    in.fail("cards.bureau",
            "= \"demo\" needs cards.demo_dir, where the demo bureau keeps its keys");
  in.read("log.level", config.log_level);
  in.read("metrics.allow", config.server.metrics_allow);
  // Checked here, so a typo stops `serve` with the key and its line, not at the first scrape.
  for (const std::string& entry : config.server.metrics_allow) {
    if (!http::AddressRange::parse(entry))
      in.fail("metrics.allow", "has '" + entry +
                                   "', which is no IP address or CIDR range (such as "
                                   "\"127.0.0.1\", \"::1\" or \"10.0.0.0/24\")");
  }
  return config;
}

}  // namespace app
