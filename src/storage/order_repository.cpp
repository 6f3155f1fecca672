#include "storage/order_repository.hpp"

#include "core/encoding.hpp"
#include "core/time_format.hpp"
#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <sstream>

namespace storage {

namespace {

constexpr std::string_view kColumns =
    "type, status, organisation_id, requested_by, requester_issuer_dn, requester_subject_serial, "
    "renewal_of, certificate_id, product, csr_pem, common_name, dns_names, key_description, "
    "spki_sha256, manager_id, proposed_manager_name, proposed_manager_email, "
    "proposed_manager_phone, not_before, not_after, nonce, reason, document, signature, "
    "signer_certificate_pem, version, created_at, updated_at, card_details, produced_card_id";

/// An optional id column: NULL when absent.
struct NullableId {
  std::int64_t value = 0;
  soci::indicator indicator = soci::i_null;

  void set(const std::optional<std::int64_t>& id) {
    value = id.value_or(0);
    indicator = id ? soci::i_ok : soci::i_null;
  }
  std::optional<std::int64_t> get() const {
    return indicator == soci::i_ok ? std::optional(value) : std::nullopt;
  }
};

std::string cardDetailsJson(const core::CardOrderDetails& card) {
  boost::json::object json{{"card_type", core::toString(card.card_type)},
                           {"given_name", card.given_name},
                           {"surname", card.surname},
                           {"email", card.email},
                           {"phone", card.phone},
                           {"title", card.title},
                           {"registration_number", card.registration_number},
                           {"group_name", card.group_name}};
  if (card.based_on) json["based_on"] = *card.based_on;
  if (card.holder) json["holder"] = *card.holder;
  return boost::json::serialize(json);
}

/// The details stored by cardDetailsJson; nullopt for "" (a server order).
std::optional<core::CardOrderDetails> parseCardDetails(const std::string& text) {
  if (text.empty()) return std::nullopt;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto& json = parsed.as_object();
  const auto string = [&](std::string_view key) {
    const auto* value = json.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
  };
  const auto id = [&](std::string_view key) -> std::optional<std::int64_t> {
    const auto* value = json.if_contains(key);
    return value && value->is_int64() ? std::optional(value->as_int64()) : std::nullopt;
  };
  core::CardOrderDetails card;
  card.card_type = core::parseCardType(string("card_type")).value_or(core::CardType::personal);
  card.based_on = id("based_on");
  card.holder = id("holder");
  card.given_name = string("given_name");
  card.surname = string("surname");
  card.email = string("email");
  card.phone = string("phone");
  card.title = string("title");
  card.registration_number = string("registration_number");
  card.group_name = string("group_name");
  return card;
}

/// One orders row: the columns of kColumns (after the id), converted from and to core::Order.
struct OrderRow {
  core::Order value;
  std::string type, status, dns_names, signature, card_details;
  NullableId organisation, renewal_of, certificate, manager, produced_card;
  core::ProposedManager proposed;
  soci::indicator proposed_indicator[3] = {soci::i_null, soci::i_null, soci::i_null};
  long long not_before = 0, not_after = 0, created_at = 0, updated_at = 0;

  /// Applies `x` (Statement::into or ::use) to each column in kColumns order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(type);
    x(status);
    x(organisation.value, organisation.indicator);
    x(value.requested_by);
    x(value.requester_identity.issuer_dn);
    x(value.requester_identity.subject_serial);
    x(renewal_of.value, renewal_of.indicator);
    x(certificate.value, certificate.indicator);
    x(value.product);
    x(value.csr_pem);
    x(value.common_name);
    x(dns_names);
    x(value.key_description);
    x(value.spki_sha256);
    x(manager.value, manager.indicator);
    x(proposed.name, proposed_indicator[0]);
    x(proposed.email, proposed_indicator[1]);
    x(proposed.phone, proposed_indicator[2]);
    x(not_before);
    x(not_after);
    x(value.nonce);
    x(value.reason);
    x(value.evidence.document);
    x(signature);
    x(value.evidence.signer_certificate_pem);
    x(value.version);
    x(created_at);
    x(updated_at);
    x(card_details);
    x(produced_card.value, produced_card.indicator);
  }

  /// Fills the column values from `value` (before an insert).
  void fromValue() {
    type = core::toString(value.type);
    status = core::toString(value.status);
    dns_names.clear();
    for (const std::string& name : value.dns_names)
      dns_names += (dns_names.empty() ? "" : " ") + name;
    signature = core::toBase64(core::asBytes(value.evidence.signature));
    organisation.set(value.organisation);
    renewal_of.set(value.renewal_of);
    certificate.set(value.certificate);
    manager.set(value.manager);
    proposed = value.proposed_manager.value_or(core::ProposedManager{});
    std::fill(std::begin(proposed_indicator), std::end(proposed_indicator),
              value.proposed_manager ? soci::i_ok : soci::i_null);
    not_before = core::toUnixSeconds(value.not_before);
    not_after = core::toUnixSeconds(value.not_after);
    created_at = core::toUnixSeconds(value.created_at);
    updated_at = core::toUnixSeconds(value.updated_at);
    card_details = value.card ? cardDetailsJson(*value.card) : std::string();
    produced_card.set(value.produced_card);
  }

  /// Fills `value` from the column values (after a read). The CHECK constraints allow only known
  /// type and status names.
  void toValue() {
    value.type = core::parseOrderType(type).value_or(core::OrderType::server_new);
    value.status = core::parseOrderStatus(status).value_or(core::OrderStatus::draft);
    value.dns_names.clear();
    std::istringstream names(dns_names);
    for (std::string name; names >> name;) value.dns_names.push_back(name);
    const auto decoded = core::fromBase64(signature);
    value.evidence.signature = decoded ? std::string(decoded->begin(), decoded->end()) : "";
    value.organisation = organisation.get();
    value.renewal_of = renewal_of.get();
    value.certificate = certificate.get();
    value.manager = manager.get();
    value.proposed_manager.reset();
    if (proposed_indicator[0] == soci::i_ok) value.proposed_manager = proposed;
    value.not_before = core::fromUnixSeconds(not_before);
    value.not_after = core::fromUnixSeconds(not_after);
    value.created_at = core::fromUnixSeconds(created_at);
    value.updated_at = core::fromUnixSeconds(updated_at);
    value.card = parseCardDetails(card_details);
    value.produced_card = produced_card.get();
  }
};

/// Binds the id and the columns of `row` as the targets of `select`.
void intoRow(Statement& select, OrderRow& row) {
  select.into(row.value.id);
  row.exchange([&](auto&... column) { select.into(column...); });
}

const std::string kSelect = "SELECT id, " + std::string(kColumns) + " FROM orders ";

/// Every order selected by `where_order` ("WHERE … ORDER BY …"), with `bind` adding the
/// parameters after the row targets.
template <class Bind>
std::vector<core::Order> selectOrders(soci::session& sql, const std::string& where_order,
                                      Bind&& bind) {
  std::vector<core::Order> orders;
  OrderRow row;
  forEachRow(
      sql, kSelect + where_order,
      [&](Statement& select) {
        intoRow(select, row);
        bind(select);
      },
      [&] {
        row.toValue();
        orders.push_back(row.value);
      });
  return orders;
}

std::optional<core::Order> selectOrder(soci::session& sql, core::OrderId id) {
  auto orders = selectOrders(sql, "WHERE id = :id", [&](Statement& s) { s.use(id); });
  if (orders.empty()) return std::nullopt;
  return std::move(orders.front());
}

int boundedLimit(int limit) {
  return std::clamp(limit, 0, OrderRepository::kMaxListRows);
}

std::string contextOf(const core::Order& order) {
  return order.organisation ? audit::objectName("organisation", *order.organisation)
                            : std::string();
}

/// Notes when an order reached `status` (a status is reached at most once: no step repeats).
void recordStep(soci::session& sql, core::OrderId order, const std::string& status,
                core::TimePoint at) {
  const long long when = core::toUnixSeconds(at);
  sql << "INSERT INTO order_steps (order_id, status, at) VALUES (:o, :s, :t)", soci::use(order),
      soci::use(status), soci::use(when);
}

core::Error conflict(std::string message) {
  return core::makeError(core::ErrorKind::conflict, std::move(message));
}

}  // namespace

core::Result<core::Order> OrderRepository::createDraft(const core::Order& order,
                                                       const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange<core::Order>(
      database_,
      [&](soci::session& sql) -> core::Result<std::pair<core::Order, audit::Event>> {
        OrderRow row;
        row.value = order;
        row.value.status = core::OrderStatus::draft;
        row.value.certificate.reset();
        row.value.reason.clear();
        row.value.evidence = {};
        row.value.produced_card.reset();
        row.value.version = 1;
        row.value.created_at = row.value.updated_at = now;
        row.fromValue();
        Statement insert(sql);
        row.exchange([&](auto&... column) { insert.use(column...); });
        insert.into(row.value.id);
        insert.execute("INSERT INTO orders (" + std::string(kColumns) + ") VALUES (" +
                       placeholders(columnCount(kColumns)) + ") RETURNING id");
        recordStep(sql, row.value.id, row.status, now);
        boost::json::object details{{"type", row.type},
                                    {"product", row.value.product},
                                    {"common_name", row.value.common_name},
                                    {"dns_names", row.dns_names}};
        audit::Event event{now,
                           actor.id,
                           "order.create",
                           audit::objectName("order", row.value.id),
                           boost::json::serialize(details),
                           contextOf(row.value)};
        return std::pair{row.value, std::move(event)};
      },
      ViolationMessages{.duplicate = "order.nonce_taken", .missing = "order.unknown_reference"});
}

core::Result<std::optional<core::Order>> OrderRepository::find(core::OrderId order) {
  return withSession(database_,
                     [&](soci::session& sql) -> core::Result<std::optional<core::Order>> {
                       return selectOrder(sql, order);
                     });
}

core::Result<std::vector<core::Order>> OrderRepository::listForOrganisation(
    core::OrganisationId organisation, int limit) {
  const int rows = boundedLimit(limit);
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<core::Order>> {
    return selectOrders(sql,
                        "WHERE organisation_id = :o ORDER BY created_at DESC, id DESC LIMIT :n",
                        [&](Statement& s) { s.use(organisation).use(rows); });
  });
}

core::Result<std::vector<core::Order>> OrderRepository::listForHolder(core::PersonId person,
                                                                      int limit) {
  const int rows = boundedLimit(limit);
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<core::Order>> {
    return selectOrders(sql,
                        "WHERE requested_by = :p AND organisation_id IS NULL "
                        "ORDER BY created_at DESC, id DESC LIMIT :n",
                        [&](Statement& s) { s.use(person).use(rows); });
  });
}

core::Result<std::vector<core::OrderStep>> OrderRepository::steps(core::OrderId order) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::vector<core::OrderStep>> {
        std::vector<core::OrderStep> steps;
        soci::rowset<soci::row> rows = (sql.prepare << "SELECT status, at FROM order_steps "
                                                       "WHERE order_id = :o ORDER BY id",
                                        soci::use(order));
        for (const soci::row& row : rows)
          steps.push_back(
              {core::parseOrderStatus(row.get<std::string>(0)).value_or(core::OrderStatus::draft),
               core::fromUnixSeconds(row.get<long long>(1))});
        return steps;
      });
}

core::Result<std::vector<core::Order>> OrderRepository::queue(const OrderQueueFilter& filter,
                                                              int limit) {
  const int rows = boundedLimit(limit);
  const std::string status(filter.status ? core::toString(*filter.status) : "");
  const core::OrganisationId organisation = filter.organisation.value_or(0);
  // Only the conditions in use are part of the query, so orders_queue serves each form.
  std::string where = "WHERE 1 = 1";
  if (filter.status) where += " AND status = :s";
  if (filter.organisation) where += " AND organisation_id = :o";
  return withSession(database_, [&](soci::session& sql) -> core::Result<std::vector<core::Order>> {
    return selectOrders(sql, where + " ORDER BY created_at, id LIMIT :n", [&](Statement& s) {
      if (filter.status) s.use(status);
      if (filter.organisation) s.use(organisation);
      s.use(rows);
    });
  });
}

core::Result<core::Order> OrderRepository::transition(core::OrderId order,
                                                      core::OrderStatus expected_from,
                                                      core::OrderStatus to,
                                                      const OrderChanges& changes,
                                                      const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange<core::Order>(
      database_, [&](soci::session& sql) -> core::Result<std::pair<core::Order, audit::Event>> {
        auto current = selectOrder(sql, order);
        if (!current) return core::makeError(core::ErrorKind::not_found, "order.not_found");
        if (!core::canTransition(current->type, expected_from, to))
          return conflict("order.transition_not_allowed");
        if (current->status != expected_from) return conflict("order.status_changed");

        core::Order next = *current;
        next.status = to;
        next.updated_at = now;
        next.version = current->version + 1;
        if (changes.reason) next.reason = *changes.reason;
        if (changes.certificate) next.certificate = *changes.certificate;
        if (changes.evidence) next.evidence = *changes.evidence;
        if (changes.produced_card) next.produced_card = *changes.produced_card;
        OrderRow row;
        row.value = next;
        row.fromValue();
        const std::string from(core::toString(expected_from));
        // The status guard repeats the check above in the statement itself: the row changes only
        // if nobody moved the order since it was read.
        const int changed = changeRows(
            sql,
            "UPDATE orders SET status = :to, reason = :reason, certificate_id = :certificate, "
            "document = :document, signature = :signature, signer_certificate_pem = :signer, "
            "produced_card_id = :card, version = :version, "
            "updated_at = :updated WHERE id = :id AND status = :from",
            [&](Statement& s) {
              s.use(row.status)
                  .use(next.reason)
                  .use(row.certificate.value, row.certificate.indicator)
                  .use(next.evidence.document)
                  .use(row.signature)
                  .use(next.evidence.signer_certificate_pem)
                  .use(row.produced_card.value, row.produced_card.indicator)
                  .use(next.version)
                  .use(row.updated_at)
                  .use(next.id)
                  .use(from);
            });
        if (changed != 1) return conflict("order.status_changed");
        recordStep(sql, next.id, row.status, now);

        boost::json::object details{{"from", from}, {"to", row.status}};
        if (changes.reason) details["reason"] = *changes.reason;
        if (changes.certificate) details["certificate"] = *changes.certificate;
        if (changes.produced_card) details["card"] = *changes.produced_card;
        // The evidence itself stays in the order; the log tells that it was recorded.
        if (changes.evidence) details["evidence"] = true;
        audit::Event event{now,
                           actor.id,
                           "order." + row.status,
                           audit::objectName("order", next.id),
                           boost::json::serialize(details),
                           contextOf(next)};
        return std::pair{std::move(next), std::move(event)};
      });
}

core::Result<core::Order> OrderRepository::assignManager(core::OrderId order,
                                                         core::PersonId manager,
                                                         const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange<core::Order>(
      database_, [&](soci::session& sql) -> core::Result<std::pair<core::Order, audit::Event>> {
        auto current = selectOrder(sql, order);
        if (!current) return core::makeError(core::ErrorKind::not_found, "order.not_found");
        if (!current->proposed_manager || current->manager)
          return conflict("order.no_proposed_manager");
        core::Order next = *current;
        next.manager = manager;
        next.updated_at = now;
        next.version = current->version + 1;
        const long long updated = core::toUnixSeconds(now);
        // Guarded by the version read above: a concurrent identification changes nothing.
        const int changed = changeRows(
            sql,
            "UPDATE orders SET manager_id = :manager, version = :version, updated_at = :updated "
            "WHERE id = :id AND version = :seen AND manager_id IS NULL",
            [&](Statement& s) {
              s.use(manager).use(next.version).use(updated).use(next.id).use(current->version);
            });
        if (changed != 1) return conflict("order.status_changed");
        audit::Event event{now,
                           actor.id,
                           "order.manager_identified",
                           audit::objectName("order", next.id),
                           boost::json::serialize(boost::json::object{{"manager", manager}}),
                           contextOf(next)};
        return std::pair{std::move(next), std::move(event)};
      });
}

}  // namespace storage
