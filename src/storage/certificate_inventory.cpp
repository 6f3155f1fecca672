#include "storage/certificate_inventory.hpp"

#include "core/time_format.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace storage {

namespace {

/// Rows an export reads per batch: bounded memory, few round trips.
constexpr int kBatchRows = 500;

/// A person's display name from a LEFT JOIN, "" when there is none (NULL || … is NULL in both
/// dialects).
std::string personName(std::string_view alias) {
  const std::string a(alias);
  return "COALESCE(" + a + ".given_name || ' ' || " + a + ".surname, '')";
}

/// Splits a space-joined column into `words`, reusing the strings it holds already.
void splitWords(std::string_view text, std::vector<std::string>& words) {
  // What `std::istream >> word` skips, as the column was read before.
  constexpr std::string_view kBlanks = " \t\n\v\f\r";
  std::size_t count = 0;
  for (auto start = text.find_first_not_of(kBlanks); start != std::string_view::npos;
       start = text.find_first_not_of(kBlanks, start)) {
    const auto word = text.substr(start, text.find_first_of(kBlanks, start) - start);
    if (count < words.size())
      words[count].assign(word);
    else
      words.emplace_back(word);
    ++count;
    start += word.size();
  }
  words.resize(count);
}

std::string lowerAscii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

/// A LIKE pattern (with ESCAPE '\') for text that contains (or, with `prefix`, starts with)
/// `text`.
std::string likePattern(const std::string& text, bool prefix) {
  std::string pattern = prefix ? "" : "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

/// The serial a search text may be the start of: hex digits, with the colons or spaces people
/// copy from certificate viewers left out; "" if the text is not hex.
std::string serialPrefix(const std::string& text) {
  std::string hex;
  for (const char c : text) {
    if (c == ':' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    hex += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return hex;
}

/// The columns of one certificate row and where they land; `with_pem` adds the PEM (details).
struct CertificateRow {
  core::IssuedCertificate value;
  std::string kind;
  std::string dns_names, policy_oids;
  std::string name_key;  ///< common_name_lower, the name sort's key

  static std::string selectList(bool with_pem) {
    return "c.id, c.kind, c.product, c.organisation_id, c.holder_id, c.card_id, c.common_name, "
           "c.dns_names, c.subject_dn, c.issuer_dn, c.issuing_ca, c.serial_hex, c.not_before, "
           "c.not_after, c.revoked_at, c.revocation_reason, c.key_description, "
           "c.sha256_fingerprint, c.policy_oids, c.manager_id, c.requested_by, c.issued_at, " +
           personName("m") + ", " + personName("r") + ", c.common_name_lower" +
           (with_pem ? ", c.pem" : "");
  }
  /// FROM clause that joins the names of the manager and the requester.
  static constexpr std::string_view joins =
      " LEFT JOIN persons m ON m.id = c.manager_id LEFT JOIN persons r ON r.id = c.requested_by";

  void into(Statement& s, bool with_pem) {
    s.into(value.id).into(kind).into(value.product).into(value.organisation).into(value.holder);
    s.into(value.card).into(value.common_name).into(dns_names).into(value.subject_dn);
    s.into(value.issuer_dn).into(value.issuing_ca).into(value.serial_hex).into(value.not_before);
    s.into(value.not_after).into(value.revoked_at).into(value.revocation_reason);
    s.into(value.key_description).into(value.sha256_fingerprint).into(policy_oids);
    s.into(value.manager).into(value.requested_by).into(value.issued_at);
    s.into(value.manager_name).into(value.requested_by_name).into(name_key);
    if (with_pem) s.into(value.pem);
  }

  /// The value of the row just fetched.
  core::IssuedCertificate toValue() const {
    core::IssuedCertificate result;
    assignTo(result);
    return result;
  }
  /// toValue() written over `target`, reusing the storage of its strings (cursors).
  void assignTo(core::IssuedCertificate& target) const {
    // `value` has no words of its own: they are split into the vectors `target` has.
    auto dns = std::move(target.dns_names);
    auto oids = std::move(target.policy_oids);
    target = value;
    // The CHECK constraint allows only known kinds.
    target.kind = core::parseCertificateKind(kind).value_or(core::CertificateKind::server);
    splitWords(dns_names, dns);
    splitWords(policy_oids, oids);
    target.dns_names = std::move(dns);
    target.policy_oids = std::move(oids);
  }
};

/// The WHERE clause of an overview query and its parameters in bind order. Conditions on the
/// end date are ranges over not_after, so they stay inside the (organisation_id, kind,
/// not_after, id) index.
class CertificateFilter {
 public:
  explicit CertificateFilter(const CertificateQuery& query) {
    add("c.organisation_id = ?", query.organisation);
    add(" AND c.kind = ?", std::string(core::toString(query.kind)));
    const core::TimePoint now = query.now;
    const auto days = [&](int n) { return now + std::chrono::days(n); };
    const std::string not_revoked = " AND (c.revoked_at IS NULL OR c.revoked_at > ?)";
    if (query.status) {
      switch (*query.status) {
        case core::CertificateStatus::revoked:
          add(" AND c.revoked_at <= ?", now);
          break;
        case core::CertificateStatus::expired:
          add(not_revoked, now);
          add(" AND c.not_after <= ?", now);
          break;
        case core::CertificateStatus::expiring:
          add(not_revoked, now);
          add(" AND c.not_after > ?", now);
          add(" AND c.not_after <= ?", days(core::kExpiringWithinDays));
          break;
        case core::CertificateStatus::valid:
          add(not_revoked, now);
          add(" AND c.not_after > ?", days(core::kExpiringWithinDays));
          break;
      }
    }
    if (query.expiring_within_days) {
      add(not_revoked, now);
      add(" AND c.not_after > ?", now);
      add(" AND c.not_after <= ?", days(*query.expiring_within_days));
    }
    std::string search = query.search;
    search.erase(0, search.find_first_not_of(' '));
    search.erase(search.find_last_not_of(' ') + 1);
    if (!search.empty()) {
      const std::string text = likePattern(lowerAscii(search), false);
      add(" AND (c.common_name_lower LIKE ? ESCAPE '\\'", text);
      add(" OR lower(c.dns_names) LIKE ? ESCAPE '\\'", text);
      if (const auto serial = serialPrefix(search); !serial.empty())
        add(" OR c.serial_hex LIKE ? ESCAPE '\\'", likePattern(serial, true));
      where_ += ")";
    }
  }

  /// The conditions (without WHERE), all qualified with "c.".
  const std::string& where() const { return where_; }
  /// The conditions with their values: equal keys, equal results.
  std::string key() const {
    std::string key = where_;
    for (const auto& value : values_) {
      key += '\x1f';
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
              key += v;
            else if constexpr (std::is_same_v<T, core::TimePoint>)
              key += std::to_string(v.time_since_epoch().count());
            else
              key += std::to_string(v);
          },
          value);
    }
    return key;
  }
  /// Binds the parameters of where() in order; they live as long as this filter.
  void bind(Statement& statement) const {
    for (const auto& value : values_) std::visit([&](const auto& v) { statement.use(v); }, value);
  }

 private:
  // Each parameter gets its own name: SOCI binds by position, and a name used twice would
  // count once.
  template <class T>
  void add(std::string_view condition, T value) {
    const auto marker = condition.find('?');
    values_.emplace_back(std::move(value));
    where_ += std::string(condition.substr(0, marker)) + ":f" + std::to_string(values_.size()) +
              std::string(condition.substr(marker + 1));
  }

  std::string where_;
  std::vector<std::variant<std::int64_t, core::TimePoint, std::string>> values_;
};

/// The sort column of an order (the index's third column) and whether it descends.
std::pair<std::string_view, bool> sortKey(CertificateSort sort) {
  switch (sort) {
    case CertificateSort::not_after_descending:
      return {"c.not_after", true};
    case CertificateSort::name_ascending:
      return {"c.common_name_lower", false};
    case CertificateSort::name_descending:
      return {"c.common_name_lower", true};
    case CertificateSort::not_after_ascending:
      break;
  }
  return {"c.not_after", false};
}

/// "ORDER BY key, id" in the direction of the sort; the id makes the order total.
std::string orderBy(CertificateSort sort) {
  const auto [column, descending] = sortKey(sort);
  const std::string direction = descending ? " DESC" : "";
  return " ORDER BY " + std::string(column) + direction + ", c.id" + direction;
}

/// Reads "SELECT <certificate columns> FROM certificates c <joins> <rest>" with `bind` adding
/// the parameters, and hands each row read to `on_row`.
template <class Bind, class OnRow>
void selectCertificates(soci::session& sql, bool with_pem, const std::string& rest, Bind&& bind,
                        OnRow&& on_row) {
  CertificateRow row;
  forEachRow(
      sql,
      "SELECT " + CertificateRow::selectList(with_pem) + " FROM certificates c" +
          std::string(CertificateRow::joins) + rest,
      [&](Statement& s) {
        row.into(s, with_pem);
        bind(s);
      },
      [&] { on_row(std::as_const(row)); });
}

/// The columns of a card with its holder's, manager's and requester's names, the earliest end
/// of its certificates, and a revocation time if every certificate on it is revoked.
struct CardRow {
  core::Card value;
  std::string type;
  std::optional<core::TimePoint> not_after;  ///< NULL while the card has no certificates

  static std::string select() {
    return "SELECT k.id, k.type, k.organisation_id, k.holder_id, " + personName("h") +
           ", k.group_name, k.manager_id, k.requested_by, " + personName("m") + ", " +
           personName("r") +
           ", (SELECT MIN(c.not_after) FROM certificates c WHERE c.card_id = k.id), "
           "(SELECT CASE WHEN COUNT(c.revoked_at) = COUNT(*) THEN MAX(c.revoked_at) END "
           "FROM certificates c WHERE c.card_id = k.id) "
           "FROM cards k LEFT JOIN persons h ON h.id = k.holder_id "
           "LEFT JOIN persons m ON m.id = k.manager_id "
           "LEFT JOIN persons r ON r.id = k.requested_by ";
  }

  void into(Statement& s) {
    s.into(value.id).into(type).into(value.organisation).into(value.holder);
    s.into(value.holder_name).into(value.group_name).into(value.manager);
    s.into(value.requested_by).into(value.manager_name).into(value.requested_by_name);
    s.into(not_after).into(value.revoked_at);
  }

  core::Card toValue() const {
    core::Card result = value;
    result.type = core::parseCardType(type).value_or(core::CardType::personal);
    // A group card is named after its group or function, not after a person.
    if (result.type == core::CardType::group || result.holder_name.empty())
      result.holder_name = result.group_name;
    // A card still in production has no certificates and so no end yet.
    result.not_after = not_after.value_or(core::fromUnixSeconds(0));
    return result;
  }
};

/// Cards selected by "<where> ORDER BY …" with one id parameter.
std::vector<core::Card> selectCards(soci::session& sql, const std::string& rest, std::int64_t key) {
  std::vector<core::Card> cards;
  CardRow row;
  forEachRow(
      sql, CardRow::select() + rest,
      [&](Statement& s) {
        row.into(s);
        s.use(key);
      },
      [&] { cards.push_back(row.toValue()); });
  return cards;
}

}  // namespace

core::Result<CertificatePage> CertificateInventory::search(const CertificateQuery& query) {
  return inTransaction(
      database_, TransactionMode::read, [&](soci::session& sql) -> core::Result<CertificatePage> {
        const CertificateFilter filter(query);
        CertificatePage page;
        // Counting 100,000 index entries costs more than the page itself: the same count is
        // answered again for a second while nothing was written (ADR 0015).
        const auto writes = database_.writeCount();
        const auto count_key = filter.key();
        if (auto known = counts_.find(count_key, writes)) {
          page.total = *known;
        } else {
          long long total = 0;
          Statement count(sql);
          count.into(total);
          filter.bind(count);
          count.execute("SELECT COUNT(*) FROM certificates c WHERE " + filter.where());
          page.total = total;
          counts_.remember(count_key, total, writes);
        }
        // The page's ids come from the index alone (a "deferred join"): a far page skips index
        // entries, not whole rows; only the rows shown are read in full.
        const long long limit = std::max(0, query.limit);
        const long long offset = std::max(0, query.offset);
        const std::string order = orderBy(query.sort);
        selectCertificates(
            sql, false,
            " JOIN (SELECT c.id FROM certificates c WHERE " + filter.where() + order +
                " LIMIT :limit OFFSET :offset) page ON page.id = c.id" + order,
            [&](Statement& s) {
              filter.bind(s);
              s.use(limit).use(offset);
            },
            [&](const CertificateRow& row) { page.items.push_back(row.toValue()); });
        return page;
      });
}

core::Result<void> CertificateInventory::forEach(
    const CertificateQuery& query,
    const std::function<bool(const core::IssuedCertificate&)>& visit) {
  auto rows = cursor(query);
  for (;;) {
    auto certificate = rows.next();
    if (!certificate) return certificate.error();
    if (!*certificate || !visit(**certificate)) return {};
  }
}

core::Result<const core::IssuedCertificate*> CertificateCursor::next() {
  if (position_ == rows_ && !exhausted_) {
    if (auto read = readBatch(); !read) return read.error();
  }
  if (position_ == rows_) return nullptr;
  return &batch_[position_++];
}

core::Result<void> CertificateCursor::readBatch() {
  // Copied out first: the batch is read over these rows.
  if (rows_ > 0) {
    const auto& last = batch_[rows_ - 1];
    after_ = Keyset{last.not_after, last.id, batch_name_keys_[rows_ - 1]};
  }
  position_ = 0;
  return withSession(*database_, [&](soci::session& sql) -> core::Result<void> {
    rows_ = 0;
    const CertificateFilter filter(query_);
    const auto [column, descending] = sortKey(query_.sort);
    const bool by_name = column == "c.common_name_lower";
    // After the last row read in sort order: a row-value comparison that the index serves.
    std::string after;
    if (after_) {
      after =
          " AND (" + std::string(column) + ", c.id) " + (descending ? "<" : ">") + " (:key, :id)";
    }
    selectCertificates(
        sql, false, " WHERE " + filter.where() + after + orderBy(query_.sort) + " LIMIT :limit",
        [&](Statement& s) {
          filter.bind(s);
          if (after_) {
            if (by_name)
              s.use(after_->name_key);
            else
              s.use(after_->not_after);
            s.use(after_->id);
          }
          s.use(kBatchRows);
        },
        [&](const CertificateRow& row) {
          if (rows_ == batch_.size()) {
            batch_.emplace_back();
            batch_name_keys_.emplace_back();
          }
          row.assignTo(batch_[rows_]);
          batch_name_keys_[rows_] = row.name_key;
          ++rows_;
        });
    exhausted_ = rows_ < std::size_t(kBatchRows);
    return {};
  });
}

core::Result<std::optional<core::IssuedCertificate>> CertificateInventory::find(
    core::CertificateId id) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<core::IssuedCertificate>> {
        std::optional<core::IssuedCertificate> found;
        selectCertificates(
            sql, true, " WHERE c.id = :id", [&](Statement& s) { s.use(id); },
            [&](const CertificateRow& row) { found = row.toValue(); });
        return found;
      });
}

core::Result<std::optional<core::IssuedCertificate>> CertificateInventory::findIssued(
    const std::string& issuer_dn, const std::string& serial_hex) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<core::IssuedCertificate>> {
        std::optional<core::IssuedCertificate> found;
        selectCertificates(
            sql, true, " WHERE c.issuer_dn = :i AND c.serial_hex = :s",
            [&](Statement& s) { s.use(issuer_dn).use(serial_hex); },
            [&](const CertificateRow& row) { found = row.toValue(); });
        return found;
      });
}

core::Result<std::vector<core::Card>> CertificateInventory::cardsOfOrganisation(
    core::OrganisationId organisation) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<core::Card>> {
    return selectCards(sql,
                       "WHERE k.organisation_id = :o ORDER BY lower(CASE WHEN k.type = 'group' "
                       "THEN k.group_name ELSE " +
                           personName("h") + " END), k.id",
                       organisation);
  });
}

core::Result<std::vector<core::Card>> CertificateInventory::cardsOfHolder(core::PersonId holder) {
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<core::Card>> {
    return selectCards(sql, "WHERE k.holder_id = :h ORDER BY k.created_at DESC, k.id DESC", holder);
  });
}

core::Result<std::optional<core::Card>> CertificateInventory::findCard(core::CardId id) {
  return inTransaction(
      database_, TransactionMode::read,
      [&](soci::session& sql) -> core::Result<std::optional<core::Card>> {
        auto cards = selectCards(sql, "WHERE k.id = :id", id);
        if (cards.empty()) return std::nullopt;
        core::Card card = std::move(cards.front());
        card.certificates = selectColumn<core::CertificateId>(
            sql, "SELECT id FROM certificates WHERE card_id = :k ORDER BY issued_at, id", id);
        return card;
      });
}

core::Result<std::vector<core::IssuedCertificate>> CertificateInventory::certificatesOfCard(
    core::CardId card) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<core::IssuedCertificate>> {
        std::vector<core::IssuedCertificate> certificates;
        selectCertificates(
            sql, false, " WHERE c.card_id = :k ORDER BY c.issued_at, c.id",
            [&](Statement& s) { s.use(card); },
            [&](const CertificateRow& row) { certificates.push_back(row.toValue()); });
        return certificates;
      });
}

}  // namespace storage
