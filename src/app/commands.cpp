#include "app/commands.hpp"

#include "app/background_jobs.hpp"
#include "app/config.hpp"
#include "app/demo.hpp"
#include "auth/certificate_login.hpp"
#include "auth/mobile_requests.hpp"
#include "auth/session_manager.hpp"
#include "ca/certificate_authority.hpp"
#include "ca/issuer_settings.hpp"
#include "core/clock.hpp"
#include "http/server.hpp"
#include "metrics/registry.hpp"
#include "pki/crypto.hpp"
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
#include <map>
#include <optional>

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
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
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
  auth::CertificateLogin login(registry, audit_log, clock, config.session.login_audit_interval);
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
  ca::CertificateAuthority authority(issuers->issuers(), config.ca.products, certificate_store,
                                     clock, random, &metrics);
  storage::OrderRepository order_store(*database, clock);
  storage::BlockedKeyRepository blocked_keys(*database, clock);
  ra::OrderService order_service(order_store, registry, random, config.portal.origin);
  ra::ServerOrders server_orders(order_service, order_store, registry, inventory, certificate_store,
                                 blocked_keys, authority, clock);
  auto signatures = ra::OrderSignatureVerifier::create(config.server.tls, clock);
  if (!signatures) throw std::runtime_error("signature trust: " + signatures.error().message);
  // Cards (ADR 0007, ADR 0020): the demo bureau is the only built-in card production, and only
  // in a demo; without a bureau card orders cannot be approved.
  storage::ActivationCodeRepository activation_codes(*database, clock);
  std::optional<ra::DemoCardBureau> demo_bureau;
  if (config.cards.bureau == "demo") demo_bureau.emplace(config.cards.demo_dir, authority);
  ra::CardOrders card_orders(order_service, order_store, registry, inventory, activation_codes,
                             demo_bureau ? &*demo_bureau : nullptr, blocked_keys, certificate_store,
                             authority, random, clock, config.card_orders);
  ra::RegistryService registry_service(registry, audit_log);
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
                               clock, config.ca.stale_issuance_after, &metrics});

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
  ca::CertificateAuthority authority;

  ConfiguredCa(const Config& config, const core::Clock& clock, core::RandomSource& random)
      : database(openDatabase(config)),
        issuers(openIssuers(config)),
        store(*database, clock),
        authority(issuers.issuers(), config.ca.products, store, clock, random) {}

  static ca::OpenedIssuers openIssuers(const Config& config) {
    auto opened = ca::OpenedIssuers::open(config.ca.issuers);
    if (!opened) throw std::runtime_error(opened.error().message);
    return std::move(*opened);
  }
};

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
