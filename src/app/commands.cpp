#include "app/commands.hpp"

#include "app/background_jobs.hpp"
#include "app/config.hpp"
#include "app/demo.hpp"
#include "app/log_format.hpp"
#include "auth/certificate_login.hpp"
#include "auth/mobile_requests.hpp"
#include "auth/session_manager.hpp"
#include "ca/certificate_authority.hpp"
#include "ca/issuer_settings.hpp"
#include "ca/key_check.hpp"
#include "core/clock.hpp"
#include "http/server.hpp"
#include "metrics/registry.hpp"
#include "pki/crypto.hpp"
#include "policy/weak_keys.hpp"
#include "ra/card_orders.hpp"
#include "ra/card_production.hpp"
#include "ra/order_service.hpp"
#include "ra/order_signature.hpp"
#include "ra/server_orders.hpp"
#include "storage/audit_repository.hpp"
#include "storage/blocked_keys.hpp"
#include "storage/card_production.hpp"
#include "storage/certificate_inventory.hpp"
#include "storage/certificate_store.hpp"
#include "storage/database.hpp"
#include "storage/housekeeping.hpp"
#include "storage/leader_lock.hpp"
#include "storage/mobile_requests.hpp"
#include "storage/order_repository.hpp"
#include "storage/registry_repository.hpp"
#include "storage/session_repository.hpp"
#include "web/portal.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace app {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage =
    "Usage: mijncert COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  init-dev --dir DIR [--force] [--database URL]\n"
    "                        create the development demo (PKI, users, config, database)\n"
    "  serve --config FILE [--listen HOST:PORT] [--public-origin URL]\n"
    "                        run the portal over HTTPS with client certificates\n"
    "  migrate --config FILE apply pending database migrations\n"
    "  audit verify --config FILE\n"
    "                        check that the audit log's hash chain is intact\n"
    "  ca reconcile --config FILE\n"
    "                        finish or mark issuances interrupted by a crash\n"
    "  ca crl --config FILE  issue fresh CRLs for every issuing CA\n"
    "  keys import-weak FILE --config FILE\n"
    "                        add the keys in FILE to the Debian weak-key list\n"
    "\n"
    "Run `mijncert COMMAND --help` for the options of one command.\n";

// The PostgreSQL advisory lock whose holder runs the shared background jobs ("mijncert").
constexpr std::int64_t kBackgroundJobsLockKey = 0x6d696a6e63657274;

const std::map<std::string, std::string> kCommandHelp{
    {"init-dev",
     "Usage: mijncert init-dev --dir DIR [--force] [--database URL]\n\n"
     "Creates the demo of PRODUCT.md §9 in DIR: a development PKI modelled on PKIoverheid G4\n"
     "(DIR/pki, DIR/tls), client certificates for the demo people (DIR/users/NAME.crt, .key,\n"
     ".p12 with password 'demo'), DIR/mijncert.toml and a database with the demo data.\n\n"
     "  --dir DIR        where to create the demo (required)\n"
     "  --force          replace an existing demo in DIR\n"
     "  --database URL   use this database instead of DIR/mijncert.db, e.g.\n"
     "                   postgresql://user@127.0.0.1:5432/mijncert\n"},
    {"serve",
     "Usage: mijncert serve --config FILE [--listen HOST:PORT] [--public-origin URL]\n\n"
     "Serves the portal over HTTPS (TLS 1.2+, client certificates). Stops gracefully on "
     "SIGTERM.\n\n"
     "  --config FILE          configuration file (required)\n"
     "  --listen HOST:PORT     overrides server.listen from the configuration\n"
     "  --public-origin URL    overrides server.public_origin (the origin browsers see, checked\n"
     "                         on every state change), e.g. https://localhost:9443\n"},
    {"migrate",
     "Usage: mijncert migrate --config FILE\n\n"
     "Applies pending database migrations (SQLite or PostgreSQL, from the configuration).\n"},
    {"audit",
     "Usage: mijncert audit verify --config FILE\n\n"
     "Checks the hash chain of the audit log; exits 1 and names the first broken record if a\n"
     "record was changed, deleted or inserted.\n"},
    {"ca",
     "Usage: mijncert ca reconcile --config FILE\n"
     "       mijncert ca crl --config FILE\n\n"
     "reconcile: finds issuances a crash interrupted, once they are older than\n"
     "ca.stale_issuance_minutes (younger ones may still be under way). A signed certificate\n"
     "that was not stored is stored (with its audit record); an issuance that stopped before\n"
     "signing is marked failed. Safe to run at any time; the portal also does it by itself.\n\n"
     "crl: issues the next CRL of every issuing CA in [[ca.issuers]] at once, stores it in the\n"
     "database and writes it to its crl_file (served at /crl/NAME.crl). Running portal nodes\n"
     "pick it up within jobs.interval_seconds; they also publish due CRLs themselves.\n"},
    {"keys",
     "Usage: mijncert keys import-weak FILE --config FILE\n\n"
     "import-weak: adds every key in FILE to the Debian weak-key list ca.weak_keys_file (created\n"
     "if missing; ADR 0024). FILE holds PEM certificates, CSRs, public keys or RSA private keys\n"
     "(only the modulus is used), or moduli in hex, one a line (\"Modulus=...\" as `openssl rsa\n"
     "-noout -modulus` prints it). Keys already listed are skipped. Restart the portal to use\n"
     "the new list.\n"},
};

/// Parsed "--name value" / "--flag" options.
struct Options {
  std::map<std::string, std::string> values;
  bool help = false;

  std::optional<std::string> get(const std::string& name) const {
    const auto found = values.find(name);
    return found == values.end() ? std::nullopt : std::optional{found->second};
  }
  bool flag(const std::string& name) const { return values.contains(name); }
};

Options parseOptions(const std::vector<std::string>& args, std::size_t first,
                     const std::vector<std::string>& flags,
                     const std::vector<std::string>& valued) {
  Options options;
  for (std::size_t i = first; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
    } else if (std::find(flags.begin(), flags.end(), arg) != flags.end()) {
      options.values[arg] = "";
    } else if (std::find(valued.begin(), valued.end(), arg) != valued.end()) {
      if (i + 1 >= args.size()) throw std::invalid_argument(arg + " needs a value");
      options.values[arg] = args[++i];
    } else {
      throw std::invalid_argument("unknown option " + arg);
    }
  }
  return options;
}

std::string required(const Options& options, const std::string& name) {
  auto value = options.get(name);
  if (!value || value->empty()) throw std::invalid_argument(name + " is required");
  return *value;
}

void setUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("mijncert");
  // One line per event, UTC timestamps, key=value fields (structured enough for grep and Loki).
  // Every message escaped: text from requests cannot start a line of its own (log_format.hpp).
  logger->set_formatter(std::make_unique<EscapingFormatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %v"));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// The database pool as the metrics show it (ADR 0016), read from the pool's own atomics at each
// scrape: storage stays free of metrics.
std::vector<metrics::SampledFamily> samplePool(metrics::Registry& registry,
                                               const storage::Database& database) {
  using metrics::Sample;
  using metrics::SampledKind;
  std::vector<metrics::SampledFamily> families;
  families.push_back(registry.addSampled(
      "mijncert_database_pool_connections", "Pooled database connections (database.pool_size)",
      SampledKind::gauge, [&database] {
        return std::vector<Sample>{{{}, double(database.poolStatistics().size)}};
      }));
  families.push_back(registry.addSampled(
      "mijncert_database_pool_connections_in_use", "Pooled database connections leased now",
      SampledKind::gauge, [&database] {
        return std::vector<Sample>{{{}, double(database.poolStatistics().in_use)}};
      }));
  families.push_back(registry.addSampled(
      "mijncert_database_pool_waiting_requests",
      "Units of work waiting for a free pooled connection now", SampledKind::gauge, [&database] {
        return std::vector<Sample>{{{}, double(database.poolStatistics().waiting)}};
      }));
  families.push_back(registry.addSampled(
      "mijncert_database_pool_acquire_timeouts_total",
      "Waits for a pooled connection that ended without one (database.acquire_timeout_ms; the "
      "request got 503)",
      SampledKind::counter, [&database] {
        return std::vector<Sample>{{{}, double(database.poolStatistics().timeouts)}};
      }));
  return families;
}

std::unique_ptr<storage::Database> openDatabase(const Config& config) {
  auto database = storage::Database::open(config.database_url, config.database);
  if (!database) throw std::runtime_error("database: " + database.error().message);
  return std::move(*database);
}

// The whole file, or nothing if it cannot be opened.
std::optional<std::string> readText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The Debian weak-key list of ca.weak_keys_file (ADR 0024): without it no key is certified.
policy::DebianWeakKeys loadWeakKeys(const Config& config) {
  auto list = policy::DebianWeakKeys::load(config.ca.weak_keys_file);
  if (!list && list.error().kind == core::ErrorKind::not_found)
    throw std::runtime_error("ca.weak_keys_file: " + list.error().message +
                             " (create it with `mijncert keys import-weak FILE --config FILE`)");
  if (!list) throw std::runtime_error("ca.weak_keys_file: " + list.error().message);
  return std::move(*list);
}

// The CAs whose certificates log people in (ADR 0022); a file may hold several.
std::vector<pki::Certificate> loginIssuers(const Config& config) {
  if (config.login_issuers.empty())
    throw std::runtime_error(
        "no CA issues login certificates: set tls.login_issuers, or configure the [[ca.issuers]] "
        "that sign the person products");
  std::vector<pki::Certificate> issuers;
  for (const std::string& file : config.login_issuers) {
    const auto pem = readText(file);
    if (!pem) throw std::runtime_error("tls.login_issuers: cannot read " + file);
    auto certificates = pki::Certificate::chainFromPem(*pem);
    if (!certificates) throw std::runtime_error("tls.login_issuers: no CA certificate in " + file);
    issuers.insert(issuers.end(), certificates->begin(), certificates->end());
  }
  return issuers;
}

fs::path staticDirNextToBinary() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path{"static"} : exe.parent_path() / "static";
}

int initDev(const Options& options, std::ostream& out, std::ostream& err) {
  DemoOptions demo{.dir = required(options, "--dir"),
                   .force = options.flag("--force"),
                   .database_url = options.get("--database"),
                   .static_dir = staticDirNextToBinary()};
  if (auto created = createDemo(demo); !created) {
    err << "mijncert init-dev: " << created.error().message << "\n";
    return 1;
  }
  const auto dir = fs::absolute(demo.dir);
  out << "Demo created in " << dir.string() << "\n"
      << "  configuration: " << (dir / "mijncert.toml").string() << "\n"
      << "  users:         " << (dir / "users").string() << "/NAME.p12 (password: demo)\n"
      << "  start it with: mijncert serve --config " << (dir / "mijncert.toml").string() << "\n";
  return 0;
}

int serve(const Options& options) {
  auto config = loadConfig(required(options, "--config"));
  if (auto listen = options.get("--listen")) {
    auto [host, port] = parseListen(*listen);
    config.server.host = host;
    config.server.port = port;
  }
  if (auto origin = options.get("--public-origin")) config.portal.origin = *origin;
  if (config.server.static_dir.empty()) config.server.static_dir = staticDirNextToBinary().string();
  // The demo bureau holds card holders' private keys (ADR 0020): never outside the demo.
  if (config.cards.bureau == "demo" && !config.portal.demo)
    throw std::runtime_error(
        "cards.bureau = \"demo\" is refused: the demo card bureau makes and keeps card holders' "
        "private keys, which only a demo may do. Set portal.demo = true for a demo, or "
        "cards.bureau = \"none\"; the portal was not started");
  setUpLogging(config.log_level);

  // Before everything that records into it, so that it goes last.
  metrics::Registry metrics;
  auto database = openDatabase(config);
  const auto pool_metrics = samplePool(metrics, *database);
  const auto pending = database->pendingMigrations();
  if (!pending) throw std::runtime_error("database: " + pending.error().message);
  if (*pending > 0)
    throw std::runtime_error("the database schema is " + std::to_string(*pending) +
                             " migration(s) behind: run `mijncert migrate --config FILE` first");

  core::SystemClock clock;
  pki::SystemRandom random;
  storage::RegistryRepository registry(*database, clock);
  storage::AuditRepository audit_log(*database);
  storage::SessionRepository session_store(*database);
  auth::CertificateLogin login(registry, audit_log, clock,
                               {.issuers = loginIssuers(config),
                                .audit_interval = config.session.login_audit_interval,
                                .refusals = config.refusal_audit});
  auto session_key = auth::SessionManager::sharedSigningKey(session_store, random, clock);
  if (!session_key) throw std::runtime_error("session key: " + session_key.error().message);
  auth::SessionManager sessions(session_store, clock, random, config.session,
                                std::move(*session_key));
  storage::CertificateInventory inventory(*database);
  const auto crls = ca::CrlFiles::of(config.ca.issuers);
  const auto chains = ca::IssuerChains::of(config.ca.issuers);

  // Ordering (ADR 0006): the CA issues approved orders inside the portal process.
  auto issuers = ca::OpenedIssuers::open(config.ca.issuers);
  if (!issuers) throw std::runtime_error("ca: " + issuers.error().message);
  storage::CertificateStore certificate_store(*database, clock);
  // Every key the CA certifies passes one check (ADR 0024), with the Debian weak keys.
  const policy::DebianWeakKeys weak_keys = loadWeakKeys(config);
  spdlog::info("Debian weak-key list {}: {} key(s)", config.ca.weak_keys_file.string(),
               weak_keys.size());
  storage::BlockedKeyRepository blocked_keys(*database, clock);
  const ca::KeyCheck key_check(blocked_keys, weak_keys);
  ca::CertificateAuthority authority(issuers->issuers(), config.ca.products, certificate_store,
                                     key_check, clock, random, &metrics);
  storage::OrderRepository order_store(*database, clock);
  ra::OrderService order_service(order_store, registry, random, config.portal.origin,
                                 config.domain_validation);
  ra::ServerOrders server_orders(order_service, order_store, registry, inventory, certificate_store,
                                 authority, clock);
  auto signatures = ra::OrderSignatureVerifier::create(config.server.tls, clock);
  if (!signatures) throw std::runtime_error("signature trust: " + signatures.error().message);
  // Cards (ADR 0007, ADR 0020): the demo bureau is the only built-in card production, and only
  // in a demo; without a bureau card orders cannot be approved.
  storage::ActivationCodeRepository activation_codes(*database, clock);
  std::optional<ra::DemoCardBureau> demo_bureau;
  if (config.cards.bureau == "demo") demo_bureau.emplace(config.cards.demo_dir, authority);
  ra::CardOrders card_orders(order_service, order_store, registry, inventory, activation_codes,
                             demo_bureau ? &*demo_bureau : nullptr, certificate_store, authority,
                             random, clock, config.card_orders);
  ra::RegistryService registry_service(registry, audit_log, clock, config.domain_validation);
  ra::KeyBlocklist blocklist(blocked_keys);
  ra::Orders orders(order_service, server_orders, card_orders, registry_service, order_store,
                    registry, *signatures);
  ra::OrganisationQueries queries(registry, inventory, clock, config.card_orders);

  // Mobile login and signing (ADR 0008): requests and rate limits live in the database.
  storage::MobileRequestRepository mobile_store(*database, clock);
  storage::RateLimiter rate_limiter(*database, clock);
  auth::MobileRequests mobile(mobile_store, registry, inventory, orders, *signatures, random, clock,
                              config.portal.origin, config.mobile);

  // Background jobs (ADR 0011): every node keeps its CRL files and trust current;
  // the holder of the leader lock publishes CRLs, reconciles issuances and purges expired rows.
  auto client_trust = pki::ClientTrust::load(config.server.tls);
  if (!client_trust) throw std::runtime_error("client trust: " + client_trust.error().message);
  storage::LeaderLock leader_lock(*database, kBackgroundJobsLockKey);
  storage::Housekeeping housekeeping(*database, clock);
  BackgroundJobs jobs(config.jobs,
                      JobParts{leader_lock, authority, housekeeping, **client_trust, *signatures,
                               clock, config.ca.stale_issuance_after, &metrics, &login});

  web::PortalServices services{.login = login,
                               .sessions = sessions,
                               .mobile = mobile,
                               .orders = orders,
                               .server_orders = server_orders,
                               .card_orders = card_orders,
                               .queries = queries,
                               .registry = registry_service,
                               .blocklist = blocklist,
                               .inventory = inventory,
                               .rate_limiter = rate_limiter,
                               .database = *database,
                               .clock = clock,
                               .crls = crls,
                               .chains = chains,
                               .demo_bureau = demo_bureau ? &*demo_bureau : nullptr,
                               .job_health = [&jobs] { return jobs.status(); }};
  web::Portal portal(config.portal, std::move(services));

  // Requests are counted per route pattern of the table (ADR 0016).
  config.server.metrics = &metrics;
  for (const web::Route& route : portal.router().routes())
    config.server.metric_routes.push_back(route.pattern);
  http::Server server(config.server, portal, *client_trust);
  jobs.start();
  spdlog::info("serving https://{}:{} origin={} pid={}", config.server.host, server.port(),
               config.portal.origin, ::getpid());
  server.run();
  // Refusals still counted in open windows are summarised now, not lost (ADR 0022).
  if (auto summarised = login.writeRefusalSummaries(true); !summarised)
    spdlog::error("refused logins not summarised at shutdown: {}", summarised.error().message);
  spdlog::info("stopped");
  return 0;
}

int migrate(const Options& options, std::ostream& out) {
  const auto config = loadConfig(required(options, "--config"));
  auto database = openDatabase(config);
  const auto applied = database->migrate();
  if (!applied) throw std::runtime_error("migration failed: " + applied.error().message);
  const auto version = database->schemaVersion();
  out << "Applied " << *applied << " migration(s); schema version "
      << (version ? std::to_string(*version) : "?") << "\n";
  return 0;
}

int auditVerify(const Options& options, std::ostream& out, std::ostream& err) {
  const auto config = loadConfig(required(options, "--config"));
  auto database = openDatabase(config);
  storage::AuditRepository audit_log(*database);
  const auto result = audit_log.verify();
  if (!result) throw std::runtime_error("audit log: " + result.error().message);
  if (*result) {
    err << "audit log BROKEN at record " << (*result)->sequence << ": " << (*result)->reason
        << "\n";
    return 1;
  }
  out << "audit log intact\n";
  return 0;
}

// The CA as configured, with what it needs kept alive alongside it.
struct ConfiguredCa {
  std::unique_ptr<storage::Database> database;
  ca::OpenedIssuers issuers;
  storage::CertificateStore store;
  storage::BlockedKeyRepository blocked_keys;
  policy::DebianWeakKeys weak_keys;
  ca::KeyCheck key_check;
  ca::CertificateAuthority authority;

  ConfiguredCa(const Config& config, const core::Clock& clock, core::RandomSource& random)
      : database(openDatabase(config)),
        issuers(openIssuers(config)),
        store(*database, clock),
        blocked_keys(*database, clock),
        weak_keys(loadWeakKeys(config)),
        key_check(blocked_keys, weak_keys),
        authority(issuers.issuers(), config.ca.products, store, key_check, clock, random) {}

  static ca::OpenedIssuers openIssuers(const Config& config) {
    auto opened = ca::OpenedIssuers::open(config.ca.issuers);
    if (!opened) throw std::runtime_error(opened.error().message);
    return std::move(*opened);
  }
};

// Adds the keys of `file` to the Debian weak-key list (ADR 0024), appending only new entries.
int keysImportWeak(const std::string& file, const Options& options, std::ostream& out) {
  const auto config = loadConfig(required(options, "--config"));
  const fs::path list_file = config.ca.weak_keys_file;
  const auto input = readText(file);
  if (!input) throw std::runtime_error(file + ": cannot be read");
  const auto fingerprints = policy::DebianWeakKeys::fingerprintsIn(*input);
  if (!fingerprints) throw std::runtime_error(file + ": " + fingerprints.error().message);
  const auto existing = readText(list_file);
  policy::DebianWeakKeys list;
  if (existing) {
    auto parsed = policy::DebianWeakKeys::parse(*existing);
    if (!parsed) throw std::runtime_error(list_file.string() + ": " + parsed.error().message);
    list = std::move(*parsed);
  }
  std::string added;
  std::size_t count = 0;
  for (const std::string& fingerprint : *fingerprints)
    if (list.add(fingerprint)) added += fingerprint + "\n", ++count;
  std::ofstream output(list_file, std::ios::binary | std::ios::app);
  if (!existing) output << policy::DebianWeakKeys::kHeader;
  if (existing && !existing->empty() && existing->back() != '\n') output << '\n';
  output << added;
  output.close();
  if (!output) throw std::runtime_error(list_file.string() + ": cannot be written");
  out << "added " << count << " key(s) to " << list_file.string() << "; "
      << fingerprints->size() - count << " listed already; " << list.size() << " in all\n";
  return 0;
}

int caCommand(const std::string& action, const Options& options, std::ostream& out) {
  const auto config = loadConfig(required(options, "--config"));
  core::SystemClock clock;
  pki::SystemRandom random;
  ConfiguredCa configured(config, clock, random);
  if (action == "reconcile") {
    const auto report = configured.authority.reconcile(config.ca.stale_issuance_after);
    if (!report) throw std::runtime_error("reconcile: " + report.error().message);
    out << "stored " << report->stored << " signed certificate(s); marked " << report->failed
        << " abandoned issuance(s) failed\n";
    return 0;
  }
  for (const auto& issuer : configured.authority.issuers()) {
    const auto crl = configured.authority.publishCrl(issuer.name);
    if (!crl) throw std::runtime_error("CRL of " + issuer.name + ": " + crl.error().message);
    out << "CRL of " << issuer.name << " written to " << issuer.crl_file.string() << "\n";
  }
  return 0;
}

}  // namespace

int runCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  const auto& command = args[0];
  const auto help = kCommandHelp.find(command);
  if (help == kCommandHelp.end()) {
    err << "mijncert: unknown command '" << command << "'\n\n" << kUsage;
    return 2;
  }
  try {
    if (command == "init-dev") {
      const auto options = parseOptions(args, 1, {"--force"}, {"--dir", "--database"});
      if (options.help) return out << help->second, 0;
      return initDev(options, out, err);
    }
    if (command == "serve") {
      const auto options = parseOptions(args, 1, {}, {"--config", "--listen", "--public-origin"});
      if (options.help) return out << help->second, 0;
      return serve(options);
    }
    if (command == "migrate") {
      const auto options = parseOptions(args, 1, {}, {"--config"});
      if (options.help) return out << help->second, 0;
      return migrate(options, out);
    }
    if (command == "ca") {
      if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
        (args.size() < 2 ? err : out) << help->second;
        return args.size() < 2 ? 2 : 0;
      }
      if (args[1] != "reconcile" && args[1] != "crl")
        throw std::invalid_argument("unknown ca command '" + args[1] + "'");
      const auto options = parseOptions(args, 2, {}, {"--config"});
      if (options.help) return out << help->second, 0;
      return caCommand(args[1], options, out);
    }
    if (command == "keys") {
      if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
        (args.size() < 2 ? err : out) << help->second;
        return args.size() < 2 ? 2 : 0;
      }
      if (args[1] != "import-weak")
        throw std::invalid_argument("unknown keys command '" + args[1] + "'");
      if (args.size() < 3 || args[2].starts_with("--"))
        throw std::invalid_argument("import-weak needs the FILE of keys");
      const auto options = parseOptions(args, 3, {}, {"--config"});
      if (options.help) return out << help->second, 0;
      return keysImportWeak(args[2], options, out);
    }
    // audit verify
    if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
      (args.size() < 2 ? err : out) << help->second;
      return args.size() < 2 ? 2 : 0;
    }
    if (args[1] != "verify") throw std::invalid_argument("unknown audit command '" + args[1] + "'");
    const auto options = parseOptions(args, 2, {}, {"--config"});
    if (options.help) return out << help->second, 0;
    return auditVerify(options, out, err);
  } catch (const std::invalid_argument& e) {
    err << "mijncert " << command << ": " << e.what() << "\n\n" << help->second;
    return 2;
  }
}

}  // namespace app
