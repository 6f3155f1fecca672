#include "storage/statement.hpp"

#include "storage/transaction.hpp"

#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace storage {

/// A statement prepared once on a session, and whether a Statement is running it now (a query
/// run again while its rows are still being read gets a statement of its own).
struct KeptStatement {
  explicit KeptStatement(soci::session& session) : statement(session) {}
  soci::statement statement;
  bool in_use = false;
};

namespace {

/// Beyond this many different query texts on one session the kept ones are dropped: texts are
/// few and fixed, so this only bounds a path that builds them from data.
constexpr std::size_t kKeptPerSession = 128;

using KeptStatements = std::unordered_map<std::string, std::unique_ptr<KeptStatement>>;

/// The sessions that keep statements; the map only changes when a session is added or removed.
struct Registry {
  std::mutex mutex;
  std::unordered_map<const soci::session*, KeptStatements> sessions;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

/// The statement kept for `query` on `session`, prepared now if it is new; nullptr when the
/// session keeps none or it is in use.
KeptStatement* keptStatement(soci::session& session, const std::string& query) {
  KeptStatements* kept = nullptr;
  {
    auto& all = registry();
    std::lock_guard lock(all.mutex);
    const auto found = all.sessions.find(&session);
    if (found == all.sessions.end()) return nullptr;
    kept = &found->second;
  }
  auto found = kept->find(query);
  if (found == kept->end()) {
    // Only a statement that nobody reads right now may go.
    if (kept->size() >= kKeptPerSession)
      std::erase_if(*kept, [](const auto& entry) { return !entry.second->in_use; });
    auto statement = std::make_unique<KeptStatement>(session);
    statement->statement.alloc();
    statement->statement.prepare(query, soci::details::st_repeatable_query);
    found = kept->emplace(query, std::move(statement)).first;
  }
  if (found->second->in_use) return nullptr;
  found->second->in_use = true;
  return found->second.get();
}

/// Write statements run on this thread (see writeStatementsRun).
thread_local std::uint64_t write_statements = 0;

/// Whether `query` changes rows: the statements this layer writes with start with one of these.
bool changesRows(std::string_view query) {
  query.remove_prefix(std::min(query.find_first_not_of(" \n"), query.size()));
  for (const std::string_view verb : {"INSERT", "UPDATE", "DELETE"}) {
    if (query.size() >= verb.size() &&
        std::equal(verb.begin(), verb.end(), query.begin(),
                   [](char a, char b) { return a == std::toupper(static_cast<unsigned char>(b)); }))
      return true;
  }
  return false;
}

}  // namespace

std::uint64_t writeStatementsRun() {
  return write_statements;
}

void keepPreparedStatements(soci::session& session) {
  auto& all = registry();
  std::lock_guard lock(all.mutex);
  all.sessions.try_emplace(&session);
}

void forgetPreparedStatements(soci::session& session) {
  KeptStatements kept;
  {
    auto& all = registry();
    std::lock_guard lock(all.mutex);
    const auto found = all.sessions.find(&session);
    if (found == all.sessions.end()) return;
    kept = std::move(found->second);
    all.sessions.erase(found);
  }
  // Finalized here, while the connection is still open.
  kept.clear();
}

bool Statement::execute(const std::string& query) {
  kept_ = keptStatement(session_, query);
  if (kept_) {
    statement_ = &kept_->statement;
  } else {
    statement_ = &own_.emplace(session_);
    statement_->alloc();
    // One-time: PostgreSQL then runs it in one round trip instead of PREPARE, EXECUTE and
    // DEALLOCATE of a named statement.
    statement_->prepare(query, soci::details::st_one_time_query);
  }
  for (const auto& binding : bindings_) binding.bind(*statement_, binding.target);
  statement_->define_and_bind();
  // Counted even if it fails: a failed write counts as a change, never the other way round.
  if (changesRows(query)) ++write_statements;
  return statement_->execute(true);
}

Statement::~Statement() {
  if (!kept_) return;
  // Reset ends the statement's read (in WAL an unfinished one pins a snapshot); the bindings
  // point at this Statement's caller's variables.
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(statement_->get_backend());
  sqlite3_reset(backend->stmt_);
  statement_->bind_clean_up();
  kept_->in_use = false;
}

std::string placeholders(int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) {
    if (i > 1) text += ", ";
    text += ":p" + std::to_string(i);
  }
  return text;
}

std::string insertInto(std::string_view table, std::string_view columns) {
  return "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (" +
         placeholders(columnCount(columns)) + ")";
}

std::vector<std::string_view> columnNames(std::string_view columns) {
  std::vector<std::string_view> names;
  while (!columns.empty()) {
    const auto comma = columns.find(',');
    names.push_back(columns.substr(0, comma));
    const auto next = columns.find_first_not_of(' ', comma + 1);
    if (comma == std::string_view::npos || next == std::string_view::npos) break;
    columns.remove_prefix(next);
  }
  return names;
}

int columnCount(std::string_view columns) {
  return int(columnNames(columns).size());
}

std::string assignments(std::string_view columns) {
  std::string text;
  int parameter = 0;
  for (const auto name : columnNames(columns)) {
    if (parameter > 0) text += ", ";
    text += std::string(name) + " = :p" + std::to_string(++parameter);
  }
  return text;
}

}  // namespace storage
