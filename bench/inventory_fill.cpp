#include "bench/inventory_fill.hpp"

#include "core/time_format.hpp"
#include "pki/crypto.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <stdexcept>

namespace bench {

namespace {

constexpr long long kDay = 24 * 3600;
constexpr std::string_view kNamePlaceholder = "{name}";

/// The subject DN of a host: `pattern` with its placeholder replaced.
std::string subjectOf(const std::string& pattern, const std::string& name) {
  std::string subject = pattern;
  if (const auto at = subject.find(kNamePlaceholder); at != std::string::npos)
    subject.replace(at, kNamePlaceholder.size(), name);
  return subject;
}

/// A random serial of 16 bytes in lower-case hex, as the CA draws them (CA/B BR §7.1: at least
/// 64 random bits), so that filled serials do not collide with the CA's or a second fill's.
std::string randomSerial(std::mt19937_64& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string serial;
  for (int half = 0; half < 2; ++half) {
    auto bits = random();
    for (int i = 0; i < 16; ++i, bits >>= 4) serial += kHex[bits & 0xf];
  }
  // A DER INTEGER serial is positive and minimal: no leading zero nibble pair, high bit clear.
  serial[0] = kHex[1 + (serial[0] - '0') % 7];
  return serial;
}

}  // namespace

InventoryLikeness likenessOf(storage::Database& database, core::OrganisationId organisation) {
  InventoryLikeness like;
  soci::session sql(database.pool());
  std::string domain;
  soci::indicator found = soci::i_null;
  sql << "SELECT domain FROM validated_domains WHERE organisation_id = :o ORDER BY id LIMIT 1",
      soci::into(domain, found), soci::use(organisation);
  if (sql.got_data() && found == soci::i_ok) like.domain = domain;

  std::string common_name, subject_dn;
  sql << "SELECT common_name, subject_dn, issuer_dn, issuing_ca, product, policy_oids "
         "FROM certificates WHERE organisation_id = :o AND kind = 'server' ORDER BY id LIMIT 1",
      soci::into(common_name), soci::into(subject_dn), soci::into(like.issuer_dn),
      soci::into(like.issuing_ca), soci::into(like.product), soci::into(like.policy_oids),
      soci::use(organisation);
  if (sql.got_data()) {
    // The real subject with the host name cut out: the filled ones differ only there.
    const auto at = subject_dn.find("CN=" + common_name);
    if (at != std::string::npos)
      like.subject = subject_dn.replace(at + 3, common_name.size(), kNamePlaceholder);
  }

  long long person = 0;
  std::string role;
  soci::statement people =
      (sql.prepare << "SELECT person_id, role FROM roles WHERE organisation_id = :o "
                      "ORDER BY person_id",
       soci::into(person), soci::into(role), soci::use(organisation));
  people.execute();
  while (people.fetch()) (role == "manager" ? like.managers : like.requesters).push_back(person);
  return like;
}

namespace {

/// One filled certificate: the columns that differ from row to row.
struct Row {
  long long id = 0, not_before = 0, not_after = 0, revoked_at = 0, manager = 0, requester = 0;
  soci::indicator revoked_set = soci::i_null, manager_set = soci::i_null,
                  requester_set = soci::i_null;
  std::string name, dns_names, subject, serial, fingerprint, key, reason;
};

/// Rows inserted by one statement: a round trip per row would make PostgreSQL take minutes.
/// Within SQLite's 32,766 and PostgreSQL's 65,535 parameters.
constexpr std::size_t kBatchRows = 200;
/// Bound values in one row (every column but the kind).
constexpr int kRowParameters = 21;

/// "INSERT … VALUES (…), (…)" for the first `n` of `rows`, bound to them and to what all rows
/// share. Every placeholder has its own name: SOCI binds by position, and a name used twice
/// would count once.
std::unique_ptr<soci::statement> prepareInsert(soci::session& sql, std::vector<Row>& rows,
                                               std::size_t n, const InventoryFill& fill,
                                               const std::string& pem) {
  const InventoryLikeness& like = fill.like;
  auto statement = std::make_unique<soci::statement>(sql);
  std::string text =
      "INSERT INTO certificates (id, product, organisation_id, common_name, common_name_lower, "
      "dns_names, subject_dn, issuer_dn, issuing_ca, serial_hex, not_before, not_after, "
      "revoked_at, revocation_reason, key_description, sha256_fingerprint, policy_oids, "
      "manager_id, requested_by, pem, issued_at, kind) VALUES ";
  int parameter = 0;
  // Each value of a row in column order, as its own statement: the order of the placeholders
  // must be the order of exchange().
  const auto value = [&](auto&& element) {
    text += parameter % kRowParameters ? ", :p" : ":p";
    text += std::to_string(++parameter);
    statement->exchange(std::move(element));
  };
  for (std::size_t i = 0; i < n; ++i) {
    Row& row = rows[i];
    text += i ? ", (" : "(";
    value(soci::use(row.id));
    value(soci::use(like.product));
    value(soci::use(fill.organisation));
    value(soci::use(row.name));
    value(soci::use(row.name));
    value(soci::use(row.dns_names));
    value(soci::use(row.subject));
    value(soci::use(like.issuer_dn));
    value(soci::use(like.issuing_ca));
    value(soci::use(row.serial));
    value(soci::use(row.not_before));
    value(soci::use(row.not_after));
    value(soci::use(row.revoked_at, row.revoked_set));
    value(soci::use(row.reason));
    value(soci::use(row.key));
    value(soci::use(row.fingerprint));
    value(soci::use(like.policy_oids));
    value(soci::use(row.manager, row.manager_set));
    value(soci::use(row.requester, row.requester_set));
    value(soci::use(pem));
    value(soci::use(row.not_before));
    text += ", 'server')";
  }
  statement->alloc();
  statement->prepare(text);
  statement->define_and_bind();
  return statement;
}

}  // namespace

core::CertificateId fillInventory(storage::Database& database, const InventoryFill& fill) {
  const InventoryLikeness& like = fill.like;
  soci::session sql(database.pool());
  // SQLite's default page cache (2 MB) spills the growing indexes to the log long before the
  // commit and makes the fill five times slower; this connection's pages fit in 256 MB.
  if (database.dialect() == storage::Dialect::sqlite) sql << "PRAGMA cache_size = -262144";
  soci::transaction transaction(sql);
  long long first = 0;
  sql << "SELECT COALESCE(MAX(id), 0) + 1 FROM certificates", soci::into(first);
  const long long end = first + fill.count;

  const long long now = core::toUnixSeconds(fill.now);
  // Not a certificate: the inventory never parses it, and a download shows what it is.
  const std::string pem = "filled by bench/fill_inventory: no certificate";
  std::vector<Row> rows(kBatchRows);
  const auto full = prepareInsert(sql, rows, kBatchRows, fill, pem);

  static constexpr std::array<const char*, 3> kKeys{"ECDSA P-256", "RSA 2048", "RSA 3072"};
  // The n-th of `people` in turn, NULL (i_null) when there are none or `skip`.
  const auto take = [](const std::vector<core::PersonId>& people, std::size_t n, bool skip,
                       long long& person, soci::indicator& set) {
    set = people.empty() || skip ? soci::i_null : soci::i_ok;
    if (set == soci::i_ok) person = people[n % people.size()];
  };
  std::mt19937_64 random{std::random_device{}()};
  for (long long batch = first; batch < end; batch += kBatchRows) {
    const auto n = static_cast<std::size_t>(std::min<long long>(kBatchRows, end - batch));
    for (std::size_t i = 0; i < n; ++i) {
      Row& row = rows[i];
      row.id = batch + static_cast<long long>(i);
      const auto k = static_cast<std::size_t>(row.id - first);
      row.name = "host-" + std::to_string(row.id) + "." + like.domain;
      // Every third certificate also has a second name, as many real ones do.
      row.dns_names = row.name;
      if (k % 3 == 0) row.dns_names += " host-" + std::to_string(row.id) + "-alt." + like.domain;
      row.subject = subjectOf(like.subject, row.name);
      row.serial = randomSerial(random);
      row.fingerprint = pki::sha256Hex(like.issuing_ca + "/" + row.serial);
      row.key = kKeys[k % kKeys.size()];
      // End dates from two years ago to two years ahead: every status occurs.
      row.not_after = now + ((row.id * 7919) % 1460 - 730) * kDay;
      row.not_before = row.not_after - 730 * kDay;
      // One in a hundred revoked halfway through its life.
      row.revoked_set = k % 100 == 99 ? soci::i_ok : soci::i_null;
      row.revoked_at = std::min(row.not_before + 365 * kDay, now);
      row.reason = row.revoked_set == soci::i_ok ? "keyCompromise" : "";
      // Two in three have a manager, every one a requester (when the organisation has them).
      take(like.managers, k, k % 3 == 2, row.manager, row.manager_set);
      take(like.requesters, k, false, row.requester, row.requester_set);
    }
    // The last batch may be shorter.
    (n == kBatchRows ? *full : *prepareInsert(sql, rows, n, fill, pem)).execute(true);
  }
  // Every name once, as the CA records them: the first of dns_names, then the second if any.
  sql << "INSERT INTO certificate_names (certificate_id, name) SELECT id, common_name_lower "
         "FROM certificates WHERE id >= :first AND id < :end",
      soci::use(first), soci::use(end);
  sql << "INSERT INTO certificate_names (certificate_id, name) SELECT id, "
         "substr(dns_names, length(common_name_lower) + 2) FROM certificates "
         "WHERE id >= :first AND id < :end AND dns_names <> common_name_lower",
      soci::use(first), soci::use(end);
  // PostgreSQL's id sequence does not see explicit ids: move it past them, or the portal's next
  // certificate would collide.
  if (database.dialect() == storage::Dialect::postgresql)
    sql << "SELECT setval(pg_get_serial_sequence('certificates', 'id'), "
           "(SELECT MAX(id) FROM certificates))";
  transaction.commit();
  // PostgreSQL plans by statistics: give it those of the filled table, as autovacuum would.
  if (database.dialect() == storage::Dialect::postgresql) sql << "ANALYZE";
  return first;
}

}  // namespace bench
