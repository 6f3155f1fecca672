#include "storage/certificate_inventory.hpp"

#include "core/time_format.hpp"
#include "storage/registry_repository.hpp"
#include "storage_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using core::CertificateStatus;
using storage::CertificateSort;
using storage_test::SqliteTest;

constexpr long long kDay = 86400;

/// What a test certificate differs in.
struct Seed {
  std::string common_name;
  long long ends_in_days;  ///< not_after relative to the test clock
  std::string dns_names = "";
  std::optional<long long> revoked_days_ago = std::nullopt;
  std::string serial = "";
  long long organisation = 0;  ///< 0: Voorbeeld B.V.
  std::string kind = "server";
  std::optional<long long> card = std::nullopt;
};

class CertificateInventoryTest : public SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    raw_ = rawSession();
    storage::RegistryRepository registry(*database_, clock_);
    voorbeeld_ =
        *registry.createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_);
    andere_ = *registry.createOrganisation(organisation("Andere Organisatie B.V.", "87654321", ""),
                                           servicedesk_);
    manager_ = *registry.createPerson(person("Mia", "Manager"), servicedesk_);
    contact_ = *registry.createPerson(person("Co", "Contact"), servicedesk_);
    holder_ = *registry.createPerson(person("Piet", "Pas"), servicedesk_);
  }

  long long now() const { return core::toUnixSeconds(clock_.now()); }

  /// Inserts a certificate as the CA would store it; returns its id.
  long long insert(const Seed& seed) {
    const long long id = ++next_id_;
    const std::string serial = seed.serial.empty() ? "5e" + std::to_string(id) : seed.serial;
    std::string lower = seed.common_name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    const long long not_after = now() + seed.ends_in_days * kDay;
    const long long not_before = not_after - 365 * kDay;
    soci::indicator revoked_indicator = seed.revoked_days_ago ? soci::i_ok : soci::i_null;
    const long long revoked_at = now() - seed.revoked_days_ago.value_or(0) * kDay;
    soci::indicator card_indicator = seed.card ? soci::i_ok : soci::i_null;
    const long long card = seed.card.value_or(0);
    const long long organisation = seed.organisation ? seed.organisation : voorbeeld_;
    *raw_
        << "INSERT INTO certificates (id, kind, product, organisation_id, card_id, common_name, "
           "common_name_lower, dns_names, subject_dn, issuer_dn, issuing_ca, serial_hex, "
           "not_before, not_after, revoked_at, key_description, sha256_fingerprint, "
           "policy_oids, manager_id, requested_by, pem, issued_at) VALUES (:id, :kind, "
           "'server-private', :org, :card, :cn, :lower, :dns, 'CN=' || :cn2, 'CN=Issuing CA', "
           "'tls', :serial, :nb, :na, :rv, 'ECDSA P-256', 'ff' || :fp, '2.16.528.1.1003.1.2.8.6', "
           ":manager, :contact, 'PEM', :nb2)",
        soci::use(id), soci::use(seed.kind), soci::use(organisation),
        soci::use(card, card_indicator), soci::use(seed.common_name), soci::use(lower),
        soci::use(seed.dns_names), soci::use(seed.common_name), soci::use(serial),
        soci::use(not_before), soci::use(not_after), soci::use(revoked_at, revoked_indicator),
        soci::use(serial), soci::use(manager_), soci::use(contact_), soci::use(not_before);
    return id;
  }

  storage::CertificateQuery query() const {
    return {.organisation = voorbeeld_, .limit = 100, .now = clock_.now()};
  }

  static std::vector<std::string> names(const std::vector<core::IssuedCertificate>& items) {
    std::vector<std::string> result;
    for (const auto& item : items) result.push_back(item.common_name);
    return result;
  }

  std::vector<std::string> searchNames(const storage::CertificateQuery& q) {
    auto page = inventory().search(q);
    EXPECT_TRUE(page) << page.error().message;
    return page ? names(page->items) : std::vector<std::string>{};
  }

  /// A mixed set: valid, expiring, expired, revoked, and another organisation's certificate.
  void seedMixed() {
    insert({"b.voorbeeld.nl", 200, "b.voorbeeld.nl www.voorbeeld.nl"});
    insert({"a.voorbeeld.nl", 10, "a.voorbeeld.nl"});
    insert({"C.voorbeeld.nl", -5, "c.voorbeeld.nl"});
    insert({"d.voorbeeld.nl", 300, "d.voorbeeld.nl mail.voorbeeld.nl", 3, "0a1b2c"});
    insert({"e.voorbeeld.nl", 50, "e.voorbeeld.nl"});
    insert({"andere.nl", 100, "andere.nl", std::nullopt, "", andere_});
  }

  storage::CertificateInventory inventory() { return storage::CertificateInventory(*database_); }

  /// SQLite's plan for a query, one line per step.
  std::string plan(const std::string& sql) {
    std::string text, detail;
    int id = 0, parent = 0, unused = 0;
    soci::statement statement = (raw_->prepare << "EXPLAIN QUERY PLAN " + sql, soci::into(id),
                                 soci::into(parent), soci::into(unused), soci::into(detail));
    statement.execute();
    while (statement.fetch()) text += detail + "\n";
    return text;
  }

  std::unique_ptr<soci::session> raw_;
  long long next_id_ = 100;
  core::OrganisationId voorbeeld_ = 0, andere_ = 0;
  core::PersonId manager_ = 0, contact_ = 0, holder_ = 0;
};

TEST_F(CertificateInventoryTest, PagesThroughOneOrganisationsServerCertificatesByEndDate) {
  seedMixed();
  auto q = query();
  EXPECT_EQ(searchNames(q),
            (std::vector<std::string>{"C.voorbeeld.nl", "a.voorbeeld.nl", "e.voorbeeld.nl",
                                      "b.voorbeeld.nl", "d.voorbeeld.nl"}));
  q.limit = 2;
  q.offset = 2;
  auto page = inventory().search(q);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->total, 5);
  EXPECT_EQ(names(page->items), (std::vector<std::string>{"e.voorbeeld.nl", "b.voorbeeld.nl"}));
  q.offset = 4;
  EXPECT_EQ(searchNames(q), (std::vector<std::string>{"d.voorbeeld.nl"}));
}

TEST_F(CertificateInventoryTest, SortsByNameCaseInsensitivelyAndByEndDescending) {
  seedMixed();
  auto q = query();
  q.sort = CertificateSort::name_ascending;
  EXPECT_EQ(searchNames(q),
            (std::vector<std::string>{"a.voorbeeld.nl", "b.voorbeeld.nl", "C.voorbeeld.nl",
                                      "d.voorbeeld.nl", "e.voorbeeld.nl"}));
  q.sort = CertificateSort::name_descending;
  EXPECT_EQ(searchNames(q).front(), "e.voorbeeld.nl");
  q.sort = CertificateSort::not_after_descending;
  EXPECT_EQ(searchNames(q).front(), "d.voorbeeld.nl");
}

TEST_F(CertificateInventoryTest, FiltersByStatusAsStatusAtJudgesIt) {
  seedMixed();
  auto q = query();
  q.sort = CertificateSort::name_ascending;
  const auto with = [&](CertificateStatus status) {
    q.status = status;
    return searchNames(q);
  };
  EXPECT_EQ(with(CertificateStatus::valid),
            (std::vector<std::string>{"b.voorbeeld.nl", "e.voorbeeld.nl"}));
  EXPECT_EQ(with(CertificateStatus::expiring), (std::vector<std::string>{"a.voorbeeld.nl"}));
  EXPECT_EQ(with(CertificateStatus::expired), (std::vector<std::string>{"C.voorbeeld.nl"}));
  EXPECT_EQ(with(CertificateStatus::revoked), (std::vector<std::string>{"d.voorbeeld.nl"}));
  // Every row's own status agrees with the filter that found it.
  for (const auto status : {CertificateStatus::valid, CertificateStatus::expiring,
                            CertificateStatus::expired, CertificateStatus::revoked}) {
    q.status = status;
    const auto page = inventory().search(q);
    ASSERT_TRUE(page);
    for (const auto& item : page->items)
      EXPECT_EQ(core::statusAt(item.not_after, item.revoked_at, clock_.now()), status);
  }
}

TEST_F(CertificateInventoryTest, FiltersCertificatesThatEndWithinDays) {
  seedMixed();
  auto q = query();
  q.expiring_within_days = 60;
  EXPECT_EQ(searchNames(q), (std::vector<std::string>{"a.voorbeeld.nl", "e.voorbeeld.nl"}));
  q.expiring_within_days = 30;
  EXPECT_EQ(searchNames(q), (std::vector<std::string>{"a.voorbeeld.nl"}));
}

TEST_F(CertificateInventoryTest, SearchesCommonNameSanAndSerialPrefix) {
  seedMixed();
  insert({"100%_done.voorbeeld.nl", 80});
  auto q = query();
  q.search = "MAIL.voorbeeld";
  EXPECT_EQ(searchNames(q), (std::vector<std::string>{"d.voorbeeld.nl"}));
  q.search = " c.VOORBEELD ";
  EXPECT_EQ(searchNames(q), (std::vector<std::string>{"C.voorbeeld.nl"}));
  q.search = "0A:1B";
  EXPECT_EQ(searchNames(q), (std::vector<std::string>{"d.voorbeeld.nl"}));
  q.search = "1b2c";  // a serial matches from its start only
  EXPECT_TRUE(searchNames(q).empty());
  q.search = "%_";  // LIKE wildcards are literal
  EXPECT_EQ(searchNames(q), (std::vector<std::string>{"100%_done.voorbeeld.nl"}));
  q.search = "andere";  // never another organisation's
  EXPECT_TRUE(searchNames(q).empty());
}

TEST_F(CertificateInventoryTest, ReadsEveryColumnWithNames) {
  const auto id = insert({"b.voorbeeld.nl", 200, "b.voorbeeld.nl www.voorbeeld.nl", 1});
  auto found = inventory().find(id);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(*found);
  const auto& c = **found;
  EXPECT_EQ(c.kind, core::CertificateKind::server);
  EXPECT_EQ(c.organisation, voorbeeld_);
  EXPECT_FALSE(c.card);
  EXPECT_EQ(c.dns_names, (std::vector<std::string>{"b.voorbeeld.nl", "www.voorbeeld.nl"}));
  EXPECT_EQ(c.subject_dn, "CN=b.voorbeeld.nl");
  EXPECT_EQ(c.not_after, clock_.now() + std::chrono::days{200});
  EXPECT_EQ(c.revoked_at, clock_.now() - std::chrono::days{1});
  EXPECT_EQ(c.policy_oids, (std::vector<std::string>{"2.16.528.1.1003.1.2.8.6"}));
  EXPECT_EQ(c.manager, manager_);
  EXPECT_EQ(c.manager_name, "Mia Manager");
  EXPECT_EQ(c.requested_by_name, "Co Contact");
  EXPECT_EQ(c.pem, "PEM");
  EXPECT_FALSE(*inventory().find(99999));
}

TEST_F(CertificateInventoryTest, ForEachStreamsInBatchesInOrderAndStopsEarly) {
  // More than one batch, with equal end dates and names so that the keyset needs the id.
  for (int i = 0; i < 1203; ++i)
    insert({i % 2 ? "same.voorbeeld.nl" : "x" + std::to_string(i), i % 7 + 1});
  for (const auto sort :
       {CertificateSort::not_after_ascending, CertificateSort::not_after_descending,
        CertificateSort::name_ascending, CertificateSort::name_descending}) {
    auto q = query();
    q.sort = sort;
    q.limit = 2000;
    const auto expected = inventory().search(q);
    ASSERT_TRUE(expected);
    std::vector<long long> ids;
    ASSERT_TRUE(inventory().forEach(q, [&](const core::IssuedCertificate& c) {
      ids.push_back(c.id);
      return true;
    }));
    ASSERT_EQ(ids.size(), expected->items.size());
    for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], expected->items[i].id) << i;
  }
  int visited = 0;
  ASSERT_TRUE(
      inventory().forEach(query(), [&](const core::IssuedCertificate&) { return ++visited < 3; }));
  EXPECT_EQ(visited, 3);
}

TEST_F(CertificateInventoryTest, OverviewQueriesUseTheIndexesWithoutSorting) {
  // The plans of the queries as search() builds them, for the filters that must stay indexed.
  const std::string where =
      "c.organisation_id = 1 AND c.kind = 'server' AND (c.revoked_at IS NULL OR c.revoked_at > "
      "5) AND c.not_after > 5 AND c.not_after <= 50";
  const auto by_end = plan("SELECT c.id FROM certificates c WHERE " + where +
                           " ORDER BY c.not_after, c.id LIMIT 25 OFFSET 100");
  EXPECT_NE(by_end.find("USING INDEX certificates_org_kind_not_after"), std::string::npos)
      << by_end;
  EXPECT_EQ(by_end.find("TEMP B-TREE"), std::string::npos) << by_end;
  const auto by_name = plan(
      "SELECT c.id FROM certificates c WHERE c.organisation_id = 1 AND c.kind = 'server' "
      "ORDER BY c.common_name_lower DESC, c.id DESC LIMIT 25");
  EXPECT_NE(by_name.find("certificates_org_kind_name"), std::string::npos) << by_name;
  EXPECT_EQ(by_name.find("TEMP B-TREE"), std::string::npos) << by_name;
}

TEST_F(CertificateInventoryTest, ListsCardsWithHoldersManagersAndStatusDates) {
  *raw_ << "INSERT INTO cards (id, type, organisation_id, holder_id, group_name, manager_id, "
           "requested_by, created_at) VALUES (1, 'personal', :v, :h, '', NULL, :c, 1), "
           "(2, 'group', :v2, NULL, 'Afdeling Inkoop', :m, :c2, 2), "
           "(3, 'professional', NULL, :h2, '', NULL, NULL, 3), "
           "(4, 'group', :a, NULL, 'Andere groep', NULL, NULL, 4)",
      soci::use(voorbeeld_), soci::use(holder_), soci::use(contact_), soci::use(voorbeeld_),
      soci::use(manager_), soci::use(contact_), soci::use(holder_), soci::use(andere_);
  insert({"Piet Pas", 40, "", std::nullopt, "", 0, "personal", 1});
  insert({"Piet Pas", 20, "", std::nullopt, "", 0, "personal", 1});
  insert({"Afdeling Inkoop", 100, "", 2, "", 0, "group", 2});
  insert({"Piet Pas", 400, "", std::nullopt, "", 0, "professional", 3});

  auto cards = inventory().cardsOfOrganisation(voorbeeld_);
  ASSERT_TRUE(cards) << cards.error().message;
  ASSERT_EQ(cards->size(), 2u);
  EXPECT_EQ((*cards)[0].holder_name, "Afdeling Inkoop");
  EXPECT_EQ((*cards)[0].type, core::CardType::group);
  EXPECT_EQ((*cards)[0].manager_name, "Mia Manager");
  EXPECT_EQ((*cards)[0].requested_by_name, "Co Contact");
  EXPECT_TRUE((*cards)[0].revoked_at);
  EXPECT_EQ((*cards)[1].holder_name, "Piet Pas");
  EXPECT_EQ((*cards)[1].not_after, clock_.now() + std::chrono::days{20});
  EXPECT_FALSE((*cards)[1].revoked_at);

  auto own = inventory().cardsOfHolder(holder_);
  ASSERT_TRUE(own);
  ASSERT_EQ(own->size(), 2u);
  EXPECT_EQ((*own)[0].type, core::CardType::professional);  // newest first

  auto card = inventory().findCard(1);
  ASSERT_TRUE(card && *card);
  EXPECT_EQ((*card)->certificates.size(), 2u);
  auto on_card = inventory().certificatesOfCard(1);
  ASSERT_TRUE(on_card);
  EXPECT_EQ(on_card->size(), 2u);
  EXPECT_FALSE(*inventory().findCard(999));
}

}  // namespace
