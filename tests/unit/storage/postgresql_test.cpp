// Runs the storage layer against a real PostgreSQL server when MIJNCERT_TEST_POSTGRES_URL names
// one (e.g. postgresql://postgres@127.0.0.1:55432/postgres); skipped otherwise. Each test works
// in a fresh schema that is dropped afterwards.

#include "storage/audit_repository.hpp"
#include "storage/migrations.hpp"
#include "storage/registry_repository.hpp"
#include "storage/session_repository.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <thread>

namespace {

using core::ErrorKind;

class PostgresqlTest : public storage_test::StorageTest {
 protected:
  void SetUp() override {
    const char* base = std::getenv("MIJNCERT_TEST_POSTGRES_URL");
    if (!base || !*base) GTEST_SKIP() << "MIJNCERT_TEST_POSTGRES_URL is not set";
    base_url_ = base;
    schema_ = "mijncert_test_" + std::to_string(std::random_device{}());
    // Set-up and tampering go through their own connection, outside the tested pool.
    auto admin_database = storage::Database::open(base_url_, 1);
    ASSERT_TRUE(admin_database) << admin_database.error().message;
    admin_database_ = std::move(*admin_database);
    admin_ = std::make_unique<soci::session>(admin_database_->pool());
    *admin_ << "CREATE SCHEMA " + schema_;
    // libpq URI parameter: every connection of the pool works in the test's schema.
    const std::string url = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") +
                            "options=-csearch_path%3D" + schema_;
    auto opened = storage::Database::open(url, 4);
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
    ASSERT_EQ(database_->dialect(), storage::Dialect::postgresql);
  }

  void TearDown() override {
    database_.reset();
    if (admin_) *admin_ << "DROP SCHEMA " + schema_ + " CASCADE";
    admin_.reset();
  }

  std::string base_url_;
  std::string schema_;
  std::unique_ptr<storage::Database> admin_database_;
  std::unique_ptr<soci::session> admin_;  // leased from admin_database_
};

TEST_F(PostgresqlTest, MigratesWritesAndVerifies) {
  const auto all = storage::migrations(storage::Dialect::postgresql).value();
  ASSERT_EQ(database_->schemaVersion().value(), 0);
  ASSERT_EQ(database_->migrate().value(), int(all.size()));
  EXPECT_EQ(database_->migrate().value(), 0);
  EXPECT_EQ(database_->schemaVersion().value(), all.back().version);

  storage::RegistryRepository registry(*database_, clock_);
  const auto organisation_id =
      registry.createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_)
          .value();
  const auto person_id = registry.createPerson(person("Jan", "Jansen"), servicedesk_).value();
  ASSERT_TRUE(registry.addRole(person_id, organisation_id, core::Role::contact, servicedesk_));
  const core::CertificateIdentity identity{"CN=TSP,C=NL", "900001234"};
  ASSERT_TRUE(registry.addCertificateIdentity(person_id, identity, servicedesk_));
  ASSERT_TRUE(registry.addValidatedDomain(organisation_id, "voorbeeld.nl", servicedesk_));

  const auto principal = registry.findPrincipalByCertificate(identity).value();
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->person.id, person_id);
  ASSERT_EQ(principal->memberships.size(), 1u);
  EXPECT_TRUE(principal->mayActFor(organisation_id));
  EXPECT_EQ(registry.findOrganisation(organisation_id).value()->billing.vat_number,
            "NL001234567B01");
  EXPECT_EQ(registry.validatedDomains(organisation_id).value(),
            std::vector<std::string>{"voorbeeld.nl"});

  auto duplicate = registry.createOrganisation(organisation("Kopie", "12345678", ""), servicedesk_);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().kind, ErrorKind::conflict);
  auto taken = registry.addCertificateIdentity(person_id, identity, servicedesk_);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::conflict);

  // A constraint violation inside a transaction aborts it on PostgreSQL; the rollback must leave
  // every pooled connection usable (more attempts than connections).
  for (int i = 0; i < 6; ++i) {
    auto violated = storage::inTransaction(
        *database_, storage::TransactionMode::write,
        [&](soci::session& sql) -> core::Result<void> {
          sql << "INSERT INTO validated_domains (organisation_id, domain, validated_at) "
                 "VALUES (:o, 'voorbeeld.nl', 0)",
              soci::use(organisation_id);
          return {};
        },
        {.duplicate = "domain.exists"});
    ASSERT_FALSE(violated);
    EXPECT_EQ(violated.error().kind, ErrorKind::conflict);
    EXPECT_EQ(violated.error().message, "domain.exists");
  }
  EXPECT_TRUE(registry.findPrincipal(person_id).value());

  storage::SessionRepository sessions(*database_);
  ASSERT_TRUE(
      sessions.create({"h", person_id, "fp", "csrf", clock_.now(), clock_.now(), organisation_id}));
  EXPECT_EQ(sessions.find("h").value()->organisation, organisation_id);
  ASSERT_TRUE(sessions.end(sessions.find("h").value().value(), clock_.now()));
  EXPECT_TRUE(sessions.find("h").value()->ended_at);

  storage::AuditRepository audit_log(*database_);
  EXPECT_EQ(audit_log.find({}).value().size(), 5u);
  EXPECT_FALSE(audit_log.verify().value());

  // The trigger refuses changes; with it disabled, the chain shows the change.
  try {
    *admin_ << "UPDATE " + schema_ + ".audit_log SET details = '{}' WHERE sequence = 2";
    ADD_FAILURE() << "the append-only trigger let an UPDATE through";
  } catch (const soci::soci_error& refused) {
    EXPECT_EQ(storage::toError(refused).kind, ErrorKind::conflict);
  }
  *admin_ << "ALTER TABLE " + schema_ + ".audit_log DISABLE TRIGGER audit_log_no_update";
  *admin_ << "UPDATE " + schema_ + ".audit_log SET details = '{}' WHERE sequence = 2";
  const auto broken = audit_log.verify().value();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->sequence, 2);
}

// Every statement of the back office once: LIKE with ESCAPE, LOWER, the CASE ordering, the
// generated UPDATE, the keyed INSERT, and the context filters of the audit log.
TEST_F(PostgresqlTest, BackOfficeChangesAndQueries) {
  ASSERT_TRUE(database_->migrate());
  storage::RegistryRepository registry(*database_, clock_);
  const auto organisation_id =
      registry.createOrganisation(organisation("Électricité B.V.", "12345678", ""), servicedesk_)
          .value();
  ASSERT_TRUE(
      registry.createOrganisation(organisation("100% Zeker", "87654321", ""), servicedesk_));
  EXPECT_EQ(registry.searchOrganisations("électricité", 10).value().size(), 1u);
  EXPECT_EQ(registry.searchOrganisations("%", 10).value().at(0).name, "100% Zeker");
  EXPECT_EQ(registry.searchOrganisations("87654321", 10).value().size(), 1u);
  EXPECT_EQ(registry.searchOrganisations("", 10).value().size(), 2u);

  auto changed = registry.findOrganisation(organisation_id).value().value();
  changed.kvk = "11112222";
  changed.oin = "00000001111122220000";
  ASSERT_TRUE(registry.updateOrganisation(changed, servicedesk_));
  EXPECT_EQ(registry.findOrganisation(organisation_id).value()->oin, "00000001111122220000");
  changed.kvk = "87654321";
  EXPECT_EQ(registry.updateOrganisation(changed, servicedesk_).error().message,
            "organisation.kvk_taken");
  ASSERT_TRUE(registry.setPortalEnabled(organisation_id, false, servicedesk_));

  const auto jan = registry.createPerson(person("Jan", "Jansen"), servicedesk_).value();
  const auto anna = registry.createPerson(person("Anna", "Bakker"), servicedesk_).value();
  ASSERT_TRUE(registry.addRole(jan, organisation_id, core::Role::contact, servicedesk_));
  ASSERT_TRUE(registry.addRole(anna, organisation_id, core::Role::manager, servicedesk_, false));
  ASSERT_TRUE(registry.addRole(anna, organisation_id, core::Role::representative, servicedesk_));
  const auto members = registry.organisationMembers(organisation_id).value();
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].role, core::Role::representative);
  EXPECT_EQ(members[1].person.id, jan);
  EXPECT_FALSE(members[2].active);
  EXPECT_EQ(registry.findPrincipal(anna).value()->memberships.size(), 1u);
  ASSERT_TRUE(registry.removeRole(jan, organisation_id, core::Role::contact, servicedesk_));
  EXPECT_EQ(registry.searchPersons("JAN JANSEN", 10).value().at(0).id, jan);

  auto renamed = registry.findPerson(jan).value().value();
  renamed.surname = "Jansen-de Vries";
  ASSERT_TRUE(registry.updatePerson(renamed, servicedesk_));
  EXPECT_EQ(registry.findPerson(jan).value()->surname, "Jansen-de Vries");

  storage::SessionRepository sessions(*database_);
  ASSERT_TRUE(sessions.create({"h", jan, "fp", "csrf", clock_.now(), clock_.now(), {}}));
  EXPECT_EQ(registry.setPortalAccess(jan, false, servicedesk_).value(), 1);

  const core::CertificateIdentity identity{"CN=TSP,C=NL", "900001234"};
  ASSERT_TRUE(registry.addCertificateIdentity(jan, identity, servicedesk_));
  EXPECT_EQ(registry.certificateIdentities(jan).value().size(), 1u);
  ASSERT_TRUE(registry.removeCertificateIdentity(jan, identity, servicedesk_));
  ASSERT_TRUE(registry.addValidatedDomain(organisation_id, "voorbeeld.nl", servicedesk_));
  ASSERT_TRUE(registry.removeValidatedDomain(organisation_id, "Voorbeeld.NL", servicedesk_));

  core::ProfessionalDetails details{anna, "KNB-1", {"Plein 1", "3511 AA", "Utrecht", "NL"}, {}};
  ASSERT_TRUE(registry.saveProfessionalDetails(details, servicedesk_));
  details.registration_number = "KNB-2";
  ASSERT_TRUE(registry.saveProfessionalDetails(details, servicedesk_));
  EXPECT_EQ(registry.professionalDetails(anna).value()->registration_number, "KNB-2");

  storage::AuditRepository audit_log(*database_);
  const auto about_organisation = audit_log.find({.organisation = organisation_id}).value();
  // create, update, portal_disable, three role.add, role.remove, domain.add, domain.remove
  EXPECT_EQ(about_organisation.size(), 9u);
  EXPECT_EQ(audit_log.find({.person = jan}).value().size(), 7u);
  EXPECT_FALSE(audit_log.verify().value());
}

TEST_F(PostgresqlTest, ConcurrentWritersKeepOneGapFreeChain) {
  ASSERT_TRUE(database_->migrate());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      storage::AuditRepository audit_log(*database_);
      storage::RegistryRepository registry(*database_, clock_);
      for (int i = 0; i < kPerThread; ++i) {
        const bool ok =
            i % 3 == 0 ? bool(registry.createPerson(person("T", std::to_string(i)), servicedesk_))
                       : bool(audit_log.append(
                             {clock_.now(), "person:" + std::to_string(t), "login", "", "{}"}));
        if (!ok) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  storage::AuditRepository audit_log(*database_);
  EXPECT_EQ(audit_log.find({.limit = 1000}).value().size(), std::size_t(kThreads * kPerThread));
  EXPECT_FALSE(audit_log.verify().value());
}

TEST_F(PostgresqlTest, ConcurrentChangesAuditTrueBeforeValues) {
  ASSERT_TRUE(database_->migrate());
  storage::RegistryRepository registry(*database_, clock_);
  const auto id =
      registry.createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_)
          .value();
  // Each thread switches back and forth. A change that read a stale value would record a switch
  // that did not happen: two records in a row with the same action.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        if (!registry.setPortalEnabled(id, (i + t) % 2 == 0, servicedesk_)) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  std::string previous = "organisation.portal_enable";  // created enabled
  for (const auto& record : storage::AuditRepository(*database_).find({.limit = 1000}).value()) {
    if (record.event.action == "organisation.create") continue;
    EXPECT_NE(record.event.action, previous) << "record " << record.sequence;
    previous = record.event.action;
  }
}

}  // namespace
