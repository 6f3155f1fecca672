#include "storage/database.hpp"

#include "core/time_format.hpp"
#include "storage/audit_repository.hpp"
#include "storage/migrations.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using storage::Database;
using storage::Dialect;
using storage_test::SqliteTest;
using storage_test::TempDir;

int latestVersion() {
  return storage::migrations(Dialect::sqlite)->back().version;
}

TEST(DatabaseOpen, AcceptsAbsoluteAndRelativeSqliteUrls) {
  TempDir dir;
  auto absolute = Database::open("sqlite://" + (dir.path() / "a.db").string(), 1);
  ASSERT_TRUE(absolute) << absolute.error().message;
  EXPECT_EQ((*absolute)->dialect(), Dialect::sqlite);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "a.db"));

  const auto relative = std::filesystem::relative(dir.path() / "b c.db");
  auto opened = Database::open("sqlite:" + relative.string(), 1);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "b c.db"));
}

TEST(DatabaseOpen, RefusesUnknownUrlsAndEmptyPools) {
  EXPECT_EQ(Database::open("mysql://localhost/x", 1).error().kind, core::ErrorKind::invalid);
  EXPECT_EQ(Database::open("sqlite:", 1).error().kind, core::ErrorKind::invalid);
  EXPECT_EQ(Database::open("sqlite:/tmp/x.db", 0).error().kind, core::ErrorKind::invalid);
  EXPECT_EQ(Database::open("postgresql://host/db?no_such_parameter=1", 1).error().kind,
            core::ErrorKind::invalid);
  // SOCI 4.0.3 cannot pass a parameter value with a space to libpq.
  EXPECT_EQ(Database::open("postgresql://host/db?application_name=a%20b", 1).error().kind,
            core::ErrorKind::invalid);
}

TEST(DatabaseOpen, UnreachableServerIsUnavailableWithoutPassword) {
  // Port 1 on the loopback interface refuses at once.
  auto opened = Database::open("postgresql://alice:s3cr3t@127.0.0.1:1/db?password=s3cr3t", 1);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, core::ErrorKind::unavailable);
  EXPECT_EQ(opened.error().message.find("s3cr3t"), std::string::npos) << opened.error().message;
  EXPECT_NE(opened.error().message.find("postgresql://alice@127.0.0.1:1/db"), std::string::npos)
      << opened.error().message;
}

TEST(DatabaseOpen, SqliteDirectoryThatDoesNotExistIsUnavailable) {
  auto opened = Database::open("sqlite:///nonexistent-dir-mijncert/x.db", 1);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, core::ErrorKind::unavailable);
}

TEST(DatabaseMigrate, UpgradeKeepsTheAuditChainVerifiable) {
  TempDir dir;
  const auto file = dir.path() / "old.db";
  {
    // The database as schema version 1 left it, with audit records written before the context
    // existed.
    soci::session raw(soci::sqlite3, "db=\"" + file.string() + "\"");
    const auto first = storage::migrations(Dialect::sqlite).value().front();
    ASSERT_EQ(first.version, 1);
    auto* backend = static_cast<soci::sqlite3_session_backend*>(raw.get_backend());
    ASSERT_EQ(
        sqlite_api::sqlite3_exec(backend->conn_, first.sql.c_str(), nullptr, nullptr, nullptr), 0);
    raw << "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
           "applied_at BIGINT NOT NULL)";
    raw << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'registry', 0)";
    std::optional<audit::Record> previous;
    for (int i = 0; i < 3; ++i) {
      previous = audit::chain(previous, {storage_test::testStart(), "system:test", "login", "",
                                         "{\"n\":" + std::to_string(i) + "}"});
      const long long at = core::toUnixSeconds(previous->event.at);
      raw << "INSERT INTO audit_log (sequence, at, actor, action, object, details, "
             "previous_hash, hash) VALUES (:s, :at, :actor, :action, :object, :details, "
             ":previous, :hash)",
          soci::use(previous->sequence), soci::use(at), soci::use(previous->event.actor),
          soci::use(previous->event.action), soci::use(previous->event.object),
          soci::use(previous->event.details), soci::use(previous->previous_hash),
          soci::use(previous->hash);
    }
  }
  auto database = Database::open("sqlite://" + file.string(), 1).value();
  // Every migration after the first is applied (their numbers need not be contiguous on a
  // branch: each change takes the number it was given).
  EXPECT_EQ(database->migrate().value(),
            static_cast<int>(storage::migrations(Dialect::sqlite).value().size()) - 1);
  storage::AuditRepository audit_log(*database);
  EXPECT_FALSE(audit_log.verify().value());
  ASSERT_TRUE(audit_log.append(
      {storage_test::testStart(), "person:1", "role.add", "person:2", "{}", "organisation:1"}));
  EXPECT_FALSE(audit_log.verify().value());
  const auto records = audit_log.find({}).value();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].event.context, "");
  EXPECT_EQ(records[3].event.context, "organisation:1");
}

TEST(DatabaseMigrate, TheSoftCardsOfTheOldDemoBureauAreRemoved) {
  TempDir dir;
  const auto file = dir.path() / "with-soft-cards.db";
  {
    // The database as schema version 12 left it, with a soft card of the demo bureau (a
    // holder's private key under a constant password).
    soci::session raw(soci::sqlite3, "db=\"" + file.string() + "\"");
    auto* backend = static_cast<soci::sqlite3_session_backend*>(raw.get_backend());
    raw << "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
           "applied_at BIGINT NOT NULL)";
    for (const auto& migration : storage::migrations(Dialect::sqlite).value()) {
      if (migration.version > 12) break;
      ASSERT_EQ(sqlite_api::sqlite3_exec(backend->conn_, migration.sql.c_str(), nullptr, nullptr,
                                         nullptr),
                0)
          << migration.version;
      raw << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, 'old', 0)",
          soci::use(migration.version);
    }
    raw << "INSERT INTO soft_cards (card_id, pkcs12, created_at) VALUES (1, 'MIIKpAIBAzCCClo=', 0)";
  }
  auto database = Database::open("sqlite://" + file.string(), 1).value();
  EXPECT_EQ(database->migrate().value(), latestVersion() - 12);
  soci::session raw(soci::sqlite3, "db=\"" + file.string() + "\"");
  int soft_cards = -1;
  raw << "SELECT COUNT(*) FROM soft_cards", soci::into(soft_cards);
  EXPECT_EQ(soft_cards, 0) << "the soft cards are still there";
}

TEST_F(SqliteTest, EveryPooledConnectionIsConfigured) {
  // Lease all four at once, so that each pooled connection is checked.
  std::vector<std::unique_ptr<soci::session>> sessions;
  for (int i = 0; i < 4; ++i)
    sessions.push_back(std::make_unique<soci::session>(database_->pool()));
  for (auto& sql : sessions) {
    std::string journal;
    int foreign_keys = 0, synchronous = 0, busy_timeout = 0;
    *sql << "PRAGMA journal_mode", soci::into(journal);
    *sql << "PRAGMA foreign_keys", soci::into(foreign_keys);
    *sql << "PRAGMA synchronous", soci::into(synchronous);
    *sql << "PRAGMA busy_timeout", soci::into(busy_timeout);
    EXPECT_EQ(journal, "wal");
    EXPECT_EQ(foreign_keys, 1);
    EXPECT_EQ(synchronous, 2);  // FULL
    EXPECT_EQ(busy_timeout, 5000);
  }
}

void addPerson(soci::session& sql, const std::string& surname) {
  storage::changeRows(sql,
                      "INSERT INTO persons (given_name, surname, email, phone, profession, "
                      "created_at) VALUES ('A', :s, '', '', '', 0)",
                      [&](storage::Statement& s) { s.use(surname); });
}

TEST_F(SqliteTest, AnAutocommitWriteCountsAsAWriteAndAReadDoesNot) {
  const auto before = database_->writeCount();
  const auto count = [&] {
    return storage::withSession(*database_, [](soci::session& sql) -> core::Result<long long> {
      return storage::selectValue<long long>(sql, "SELECT COUNT(*) FROM persons").value_or(-1);
    });
  };
  ASSERT_EQ(count().value(), 0);
  EXPECT_EQ(database_->writeCount(), before);
  ASSERT_TRUE(storage::withSession(*database_, [](soci::session& sql) -> core::Result<void> {
    addPerson(sql, "Jansen");
    return {};
  }));
  EXPECT_EQ(database_->writeCount(), before + 1);
  EXPECT_EQ(count().value(), 1);
}

TEST_F(SqliteTest, AKeptStatementRunsAgainWithNewValuesAndWithinItsOwnRows) {
  auto done = storage::withSession(*database_, [](soci::session& sql) -> core::Result<void> {
    for (const auto* surname : {"Jansen", "de Vries", "Bakker"}) addPerson(sql, surname);
    const std::string by_name = "SELECT COUNT(*) FROM persons WHERE surname <> :s";
    // The same text again with other values, and again while its rows are being read.
    EXPECT_EQ(storage::selectValue<long long>(sql, by_name, std::string("Jansen")), 2);
    EXPECT_EQ(storage::selectValue<long long>(sql, by_name, std::string("nobody")), 3);
    const std::string surnames = "SELECT surname FROM persons WHERE surname <> :s ORDER BY id";
    std::vector<std::string> pairs;
    std::string surname;
    const std::string none;
    storage::forEachRow(
        sql, surnames, [&](storage::Statement& s) { s.into(surname).use(none); },
        [&] {
          const auto others = storage::selectColumn<std::string>(sql, surnames, surname);
          for (const auto& other : others) pairs.push_back(surname + "/" + other);
        });
    EXPECT_EQ(pairs.size(), 6u);
    EXPECT_EQ(pairs.front(), "Jansen/de Vries");
    return {};
  });
  ASSERT_TRUE(done) << done.error().message;
}

TEST_F(SqliteTest, AKeptStatementHoldsNoReadOpenAfterwards) {
  ASSERT_TRUE(storage::withSession(*database_, [](soci::session& sql) -> core::Result<void> {
    for (const auto* surname : {"Jansen", "de Vries"}) addPerson(sql, surname);
    // Reads the first of two rows only: unless it is reset, the statement keeps its snapshot.
    EXPECT_TRUE(storage::selectValue<std::string>(sql, "SELECT surname FROM persons"));
    return {};
  }));
  // A checkpoint that truncates the WAL must wait for every reader; without a busy timeout on
  // this connection it reports busy (1) at once if one is left.
  int busy = -1, log_frames = 0, checkpointed = 0;
  *rawSession() << "PRAGMA wal_checkpoint(TRUNCATE)", soci::into(busy), soci::into(log_frames),
      soci::into(checkpointed);
  EXPECT_EQ(busy, 0);
}

TEST(Migrations, AreIdempotent) {
  TempDir dir;
  auto database = Database::open("sqlite://" + (dir.path() / "m.db").string(), 2);
  ASSERT_TRUE(database);
  EXPECT_EQ((*database)->schemaVersion().value(), 0);
  const auto all = storage::migrations(Dialect::sqlite).value();
  EXPECT_EQ((*database)->migrate().value(), int(all.size()));
  EXPECT_EQ((*database)->schemaVersion().value(), latestVersion());
  EXPECT_EQ((*database)->migrate().value(), 0);
  EXPECT_EQ((*database)->schemaVersion().value(), latestVersion());

  // A second process (here: a second Database) finds nothing to do either.
  auto again = Database::open("sqlite://" + (dir.path() / "m.db").string(), 1);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->migrate().value(), 0);
}

TEST_F(SqliteTest, MigrationsAreRecordedWithTheirNames) {
  soci::session sql(database_->pool());
  std::string name;
  int version = 0;
  sql << "SELECT version, name FROM schema_migrations ORDER BY version LIMIT 1",
      soci::into(version), soci::into(name);
  EXPECT_EQ(version, 1);
  EXPECT_EQ(name, "registry");
}

TEST(Migrations, AreNumberedWithoutRepeats) {
  for (Dialect dialect : {Dialect::sqlite, Dialect::postgresql}) {
    const auto all = storage::migrations(dialect).value();
    ASSERT_FALSE(all.empty());
    for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].version, all[i].version);
    for (const auto& migration : all) EXPECT_EQ(migration.sql.find("{{"), std::string::npos);
  }
}

TEST(Migrations, RenderDialectSubstitutionsAndBlocks) {
  const std::string source =
      "CREATE TABLE t (id {{id}}, data {{blob}});\n"
      "-- dialect: sqlite\n"
      "SELECT 'only sqlite';\n"
      "-- dialect: postgresql\n"
      "SELECT 'only postgresql';\n"
      "-- dialect: all\n"
      "SELECT 'both';\n";
  const auto sqlite = storage::renderMigration(source, Dialect::sqlite).value();
  EXPECT_NE(sqlite.find("id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB"), std::string::npos);
  EXPECT_NE(sqlite.find("only sqlite"), std::string::npos);
  EXPECT_EQ(sqlite.find("only postgresql"), std::string::npos);
  EXPECT_NE(sqlite.find("both"), std::string::npos);
  const auto postgresql = storage::renderMigration(source, Dialect::postgresql).value();
  EXPECT_NE(postgresql.find("id BIGSERIAL PRIMARY KEY, data BYTEA"), std::string::npos);
  EXPECT_EQ(postgresql.find("only sqlite"), std::string::npos);
  EXPECT_NE(postgresql.find("only postgresql"), std::string::npos);
  EXPECT_NE(postgresql.find("both"), std::string::npos);

  EXPECT_FALSE(storage::renderMigration("CREATE TABLE t (x {{unknown}});", Dialect::sqlite));
}

TEST_F(SqliteTest, AuditLogRefusesUpdateAndDelete) {
  storage::AuditRepository audit_log(*database_);
  ASSERT_TRUE(audit_log.append({clock_.now(), "system:test", "test.event", "", "{}"}));
  for (auto* statement :
       {"UPDATE audit_log SET details = '{\"forged\":true}'", "DELETE FROM audit_log"}) {
    auto raw = rawSession();
    try {
      *raw << statement;
      ADD_FAILURE() << "the trigger let through: " << statement;
    } catch (const soci::soci_error& refused) {
      EXPECT_NE(std::string(refused.what()).find("append-only"), std::string::npos);
      EXPECT_EQ(storage::toError(refused).kind, core::ErrorKind::conflict);
    }
  }
  const auto records = audit_log.find({}).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].event.details, "{}");
}

TEST_F(SqliteTest, FailuresBecomeSafeErrors) {
  // Not an expected failure: a statement the database cannot run.
  auto result = storage::withSession(*database_, [](soci::session& sql) -> core::Result<int> {
    sql << "SELECT secret_column FROM no_such_table";
    return 1;
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::unavailable);
  EXPECT_EQ(result.error().message.find("no_such_table"), std::string::npos);
}

TEST_F(SqliteTest, TransactionRollsBackOnError) {
  auto failed = storage::inTransaction(
      *database_, storage::TransactionMode::write, [](soci::session& sql) -> core::Result<void> {
        sql << "INSERT INTO persons (given_name, surname, email, phone, profession, created_at) "
               "VALUES ('A', 'B', '', '', '', 0)";
        return core::makeError(core::ErrorKind::conflict, "test.refused");
      });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "test.refused");
  soci::session sql(database_->pool());
  int count = -1;
  sql << "SELECT COUNT(*) FROM persons", soci::into(count);
  EXPECT_EQ(count, 0);
}

}  // namespace
