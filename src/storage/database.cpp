#include "storage/database.hpp"

#include "storage/statement.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace storage {

namespace {

/// What Database::open connects to.
struct Target {
  Dialect dialect;
  std::string connect_string;        ///< for the SOCI backend
  std::string shown;                 ///< safe to put in messages: no password, no query
  std::vector<std::string> secrets;  ///< passwords in the URL, blanked out of driver messages
};

/// The authority ("user:password@host:port") of a URL with a scheme.
std::string_view authorityOf(std::string_view url) {
  std::string_view rest = url.substr(url.find("://") + 3);
  return rest.substr(0, rest.find_first_of("/?"));
}

/// The URL without password and query parameters (which may hold `password=`).
std::string redactPostgresqlUrl(std::string_view url) {
  const std::string_view authority = authorityOf(url);
  const auto authority_start = std::size_t(authority.data() - url.data());
  std::string_view rest = url.substr(authority_start);
  rest = rest.substr(0, rest.find('?'));
  std::string shown(url.substr(0, authority_start));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    shown += authority.substr(0, std::min(at, authority.find(':')));
    rest.remove_prefix(at);
  }
  return shown + std::string(rest);
}

/// Passwords a PostgreSQL URL carries in its user info or as a `password=` parameter.
std::vector<std::string> postgresqlSecrets(std::string_view url) {
  std::vector<std::string> secrets;
  const std::string_view authority = authorityOf(url);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto colon = authority.find(':');
    if (colon < at) secrets.emplace_back(authority.substr(colon + 1, at - colon - 1));
  }
  if (const auto query = url.find('?'); query != std::string_view::npos) {
    std::string_view parameters = url.substr(query + 1);
    while (!parameters.empty()) {
      const std::string_view parameter = parameters.substr(0, parameters.find('&'));
      if (parameter.starts_with("password="))
        secrets.emplace_back(parameter.substr(std::string_view("password=").size()));
      parameters.remove_prefix(std::min(parameters.size(), parameter.size() + 1));
    }
  }
  std::erase_if(secrets, [](const std::string& secret) { return secret.empty(); });
  return secrets;
}

/// `text` with every occurrence of each secret replaced by "***".
std::string blankOut(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets)
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
      text.replace(at, secret.size(), "***");
  return text;
}

/// libpq's keyword='value' form of a PostgreSQL URL. SOCI 4.0.3 re-splits the connect string
/// at spaces as if it were keyword=value pairs, which breaks URIs, so libpq parses the URI here.
core::Result<std::string> toKeywordValues(const std::string& url) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(url.c_str(), &error), &PQconninfoFree);
  // The parser's message may quote the password: it is not passed on.
  if (error) PQfreemem(error);
  if (!options) return core::makeError(core::ErrorKind::invalid, "storage.bad_url");
  std::string result;
  for (const PQconninfoOption* option = options.get(); option->keyword; ++option) {
    if (!option->val) continue;
    const std::string_view value(option->val);
    // No quoting survives SOCI's split at spaces (see above).
    if (value.find_first_of(" \t\n\r") != std::string_view::npos)
      return core::makeError(core::ErrorKind::invalid, "storage.bad_url: no spaces in parameters");
    result += option->keyword;
    result += "='";
    for (const char c : value) {
      if (c == '\'' || c == '\\') result += '\\';
      result += c;
    }
    result += "' ";
  }
  return result;
}

core::Result<Target> parseUrl(std::string_view url) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    auto keyword_values = toKeywordValues(std::string(url));
    if (!keyword_values) return keyword_values.error();
    return Target{Dialect::postgresql, std::move(*keyword_values), redactPostgresqlUrl(url),
                  postgresqlSecrets(url)};
  }
  if (url.starts_with("sqlite:")) {
    // "sqlite:///abs/path" and "sqlite:relative/path"; "sqlite://x" also means the path "x".
    std::string_view path = url.substr(std::string_view("sqlite:").size());
    if (path.starts_with("//")) path.remove_prefix(2);
    // The SOCI SQLite backend reads `db="…"`; a quote inside the path cannot be expressed.
    if (path.empty() || path.find('"') != std::string_view::npos)
      return core::makeError(core::ErrorKind::invalid, "storage.bad_url");
    return Target{
        Dialect::sqlite, "db=\"" + std::string(path) + "\"", "sqlite:" + std::string(path), {}};
  }
  return core::makeError(core::ErrorKind::invalid, "storage.bad_url");
}

/// Settings every SQLite connection needs (they are per connection, not stored in the file).
/// A connection is used by one thread at a time (whoever leases it), so SQLite need not lock it
/// around every call ("multi-thread" instead of "serialized" mode; a tenth of an export's CPU).
/// Takes effect only before SQLite's first connection in this process, which is where it runs.
void useSqliteWithoutConnectionLocks() {
  static const int once = sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  (void)once;
}

void configureSqlite(soci::session& sql) {
  // First, so that switching to WAL waits for other connections instead of failing.
  sql << "PRAGMA busy_timeout = 5000";
  // WAL lets readers continue while one writer commits.
  sql << "PRAGMA journal_mode = WAL";
  // FULL: a committed change (and its audit record) survives a power failure.
  sql << "PRAGMA synchronous = FULL";
  sql << "PRAGMA foreign_keys = ON";
}

/// libpq's network timeouts in keyword='value' form, each unless the URL sets its own. Without
/// keepalives a peer that vanished without a reset (fail-over, a firewall dropping the flow)
/// blocks a query, or holds the leader lock, until the kernel gives up after hours.
std::string withNetworkTimeouts(std::string keyword_values, const DatabaseSettings& settings) {
  const auto tcp_user_timeout_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      settings.statement_timeout + std::chrono::seconds{10});
  const std::pair<std::string_view, std::string> defaults[] = {
      {"connect_timeout", std::to_string(settings.connect_timeout.count())},
      {"keepalives", "1"},
      {"keepalives_idle", "10"},
      {"keepalives_interval", "5"},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", std::to_string(tcp_user_timeout_ms.count())},
  };
  for (const auto& [keyword, value] : defaults) {
    const std::string key = std::string(keyword) + "=";
    if (keyword_values.starts_with(key) || keyword_values.find(" " + key) != std::string::npos)
      continue;
    keyword_values = key + "'" + value + "' " + keyword_values;
  }
  return keyword_values;
}

/// How long /healthz waits for a pooled connection at most.
constexpr std::chrono::milliseconds kHealthAcquireTimeout{2000};

}  // namespace

SessionLease::SessionLease(Database& database, std::size_t position)
    : database_(&database), position_(position) {
  ++database_->in_use_;
}

SessionLease::SessionLease(SessionLease&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)), position_(other.position_) {}

SessionLease::~SessionLease() {
  if (!database_) return;
  database_->pool_->give_back(position_);
  --database_->in_use_;
}

soci::session& SessionLease::session() {
  return database_->pool_->at(position_);
}

SessionLease::Connection SessionLease::recoverAfterFailure() {
  if (session().is_connected()) return Connection::intact;
  // Every other pooled session is checked before its next use (see lease()).
  database_->slots_[position_].checked_generation = ++database_->lost_connections_;
  return database_->reconnectPooled(position_) ? Connection::reconnected : Connection::lost;
}

Database::Database(Dialect dialect, const DatabaseSettings& settings)
    : dialect_(dialect),
      settings_(settings),
      pool_(std::make_unique<soci::connection_pool>(settings.pool_size)),
      slots_(settings.pool_size) {}

Database::~Database() {
  // Kept statements are finalized while their connections are still open.
  for (std::size_t i = 0; i < settings_.pool_size; ++i) forgetPreparedStatements(pool_->at(i));
}

core::Result<std::unique_ptr<Database>> Database::open(const std::string& url,
                                                       std::size_t pool_size) {
  return open(url, DatabaseSettings{.pool_size = pool_size});
}

core::Result<std::unique_ptr<Database>> Database::open(const std::string& url,
                                                       const DatabaseSettings& settings) {
  if (settings.pool_size == 0)
    return core::makeError(core::ErrorKind::invalid, "storage.bad_pool_size");
  auto target = parseUrl(url);
  if (!target) return target.error();
  if (target->dialect == Dialect::sqlite) useSqliteWithoutConnectionLocks();
  std::unique_ptr<Database> database(new Database(target->dialect, settings));
  database->connect_string_ = target->dialect == Dialect::postgresql
                                  ? withNetworkTimeouts(target->connect_string, settings)
                                  : target->connect_string;
  database->shown_ = target->shown;
  database->secrets_ = target->secrets;
  try {
    for (std::size_t i = 0; i < settings.pool_size; ++i) {
      auto& pooled = database->pool_->at(i);
      database->connect(pooled);
      // PostgreSQL runs each statement as a one-time query instead (Statement::execute).
      if (target->dialect == Dialect::sqlite) keepPreparedStatements(pooled);
    }
  } catch (const soci::soci_error& failure) {
    // libpq may quote parts of the URL in its message: blank out the password.
    spdlog::error("storage: cannot open {}: {}", target->shown,
                  database->redact(failure.get_error_message()));
    return core::makeError(core::ErrorKind::unavailable,
                           "storage.unavailable: cannot open database " + target->shown);
  }
  return database;
}

void Database::connect(soci::session& session) const {
  if (dialect_ == Dialect::sqlite)
    session.open(soci::sqlite3, connect_string_);
  else
    session.open(soci::postgresql, connect_string_);
  configure(session);
}

void Database::configure(soci::session& session) const {
  if (dialect_ == Dialect::sqlite) {
    configureSqlite(session);
    return;
  }
  // libpq prints server NOTICEs (e.g. "already exists, skipping") on stderr.
  session << "SET client_min_messages = warning";
  // A runaway statement holds a pooled connection (and its locks) at most this long.
  const auto timeout = std::chrono::milliseconds(settings_.statement_timeout).count();
  session << "SET statement_timeout = " + std::to_string(timeout);
}

std::unique_ptr<soci::session> Database::openSession() const {
  auto session = std::make_unique<soci::session>();
  connect(*session);
  return session;
}

void Database::reconnect(soci::session& session) const {
  forgetPreparedStatements(session);
  session.reconnect();
  configure(session);
}

std::string Database::redact(const std::string& message) const {
  return blankOut(message, secrets_);
}

bool Database::reconnectPooled(std::size_t position) {
  try {
    reconnect(pool_->at(position));
    if (dialect_ == Dialect::sqlite) keepPreparedStatements(pool_->at(position));
    slots_[position].broken = false;
    spdlog::warn("storage: database connection lost, reconnected to {}", shown_);
    return true;
  } catch (const soci::soci_error& failure) {
    // Not left dead for good: the next lease of this session tries again.
    slots_[position].broken = true;
    spdlog::warn("storage: database connection lost, reconnecting to {} failed: {}", shown_,
                 redact(failure.get_error_message()));
    return false;
  }
}

core::Result<SessionLease> Database::lease() {
  return lease(settings_.acquire_timeout);
}

core::Result<SessionLease> Database::lease(std::chrono::milliseconds timeout) {
  std::size_t position = 0;
  ++waiting_;
  const bool leased_one = pool_->try_lease(position, int(timeout.count()));
  --waiting_;
  if (!leased_one) {
    ++timeouts_;
    spdlog::warn("storage: no free database connection within {} ms (pool of {})", timeout.count(),
                 settings_.pool_size);
    return core::makeError(core::ErrorKind::unavailable, "storage.busy");
  }
  SessionLease leased(*this, position);
  Slot& slot = slots_[position];
  const std::uint64_t losses = lost_connections_.load();
  if (slot.broken || slot.checked_generation != losses) {
    if ((slot.broken || !leased.session().is_connected()) && !reconnectPooled(position))
      return core::makeError(core::ErrorKind::unavailable, "storage.unavailable");
    slot.checked_generation = losses;
  }
  return leased;
}

PoolStatistics Database::poolStatistics() const {
  return {settings_.pool_size, in_use_.load(std::memory_order_relaxed),
          waiting_.load(std::memory_order_relaxed), timeouts_.load(std::memory_order_relaxed)};
}

core::Result<void> Database::health() {
  auto leased =
      lease(std::min<std::chrono::milliseconds>(settings_.acquire_timeout, kHealthAcquireTimeout));
  if (!leased) return leased.error();
  try {
    int one = 0;
    leased->session() << "SELECT 1", soci::into(one);
    return {};
  } catch (const soci::soci_error& failure) {
    spdlog::warn("storage: health check failed: {}", redact(failure.get_error_message()));
    leased->recoverAfterFailure();
    return core::makeError(core::ErrorKind::unavailable, "storage.unavailable");
  }
}

}  // namespace storage
