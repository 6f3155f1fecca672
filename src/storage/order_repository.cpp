#include "storage/order_repository.hpp"

#include "storage/person_rows.hpp"

#include "core/encoding.hpp"
#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/array.hpp>
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
  // A proposed manager is stored in three columns that are NULL together.
  std::optional<std::string> proposed_name, proposed_email, proposed_phone;

  /// Applies `x` to each column in kColumns order.
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(type);
    x(status);
    x(value.organisation);
    x(value.requested_by);
    x(value.requester_identity.issuer_dn);
    x(value.requester_identity.subject_serial);
    x(value.renewal_of);
    x(value.certificate);
    x(value.product);
    x(value.csr_pem);
    x(value.common_name);
    x(dns_names);
    x(value.key_description);
    x(value.spki_sha256);
    x(value.manager);
    x(proposed_name);
    x(proposed_email);
    x(proposed_phone);
    x(value.not_before);
    x(value.not_after);
    x(value.nonce);
    x(value.reason);
    x(value.evidence.document);
    x(signature);
    x(value.evidence.signer_certificate_pem);
    x(value.version);
    x(value.created_at);
    x(value.updated_at);
    x(card_details);
    x(value.produced_card);
  }

  /// Fills the column values from `value` (before an insert).
  void fromValue() {
    type = core::toString(value.type);
    status = core::toString(value.status);
    dns_names.clear();
    for (const std::string& name : value.dns_names)
      dns_names += (dns_names.empty() ? "" : " ") + name;
    signature = core::toBase64(core::asBytes(value.evidence.signature));
    const auto& proposed = value.proposed_manager;
    proposed_name = proposed ? std::optional(proposed->name) : std::nullopt;
    proposed_email = proposed ? std::optional(proposed->email) : std::nullopt;
    proposed_phone = proposed ? std::optional(proposed->phone) : std::nullopt;
    card_details = value.card ? cardDetailsJson(*value.card) : std::string();
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
    value.proposed_manager.reset();
    if (proposed_name)
      value.proposed_manager = core::ProposedManager{*proposed_name, proposed_email.value_or(""),
                                                     proposed_phone.value_or("")};
    value.card = parseCardDetails(card_details);
  }
};

/// Binds the id and the columns of `row` as the targets of `select`.
void intoRow(Statement& select, OrderRow& row) {
  select.into(row.value.id).intoColumns(row);
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

/// The audit note of a change of `order`: about the order, in its organisation's context.
AuditNote orderNote(std::string action, const core::Order& order, boost::json::object details) {
  return {
      std::move(action), audit::objectName("order", order.id), std::move(details),
      order.organisation ? audit::objectName("organisation", *order.organisation) : std::string()};
}

/// Notes when an order reached `status`; an order put back on hold and taken up again reaches
/// a status once more, and the latest time is kept (ADR 0025).
void recordStep(soci::session& sql, core::OrderId order, const std::string& status,
                core::TimePoint at) {
  sql << "DELETE FROM order_steps WHERE order_id = :o AND status = :s", soci::use(order),
      soci::use(status);
  sql << "INSERT INTO order_steps (order_id, status, at) VALUES (:o, :s, :t)", soci::use(order),
      soci::use(status), soci::use(at);
}

core::Error conflict(std::string message) {
  return core::makeError(core::ErrorKind::conflict, std::move(message));
}

/// Changes the stored order `id` in one audited transaction: `change(sql, current, next)` is
/// given the order as stored and its next version (one version up, updated at `now`), writes
/// `next` guarded against concurrent changes, and returns the audit note. Returns `next`;
/// not_found if there is no such order.
template <class Change>
core::Result<core::Order> changeOrder(Database& database, core::TimePoint now,
                                      const audit::Actor& actor, core::OrderId id,
                                      Change&& change) {
  return auditedChange(database, now, actor,
                       [&](soci::session& sql) -> core::Result<Audited<core::Order>> {
                         const auto current = selectOrder(sql, id);
                         if (!current)
                           return core::makeError(core::ErrorKind::not_found, "order.not_found");
                         core::Order next = *current;
                         next.updated_at = now;
                         next.version = current->version + 1;
                         core::Result<AuditNote> note = change(sql, *current, next);
                         if (!note) return note.error();
                         return Audited<core::Order>{std::move(next), std::move(*note)};
                       });
}

}  // namespace

core::Result<core::Order> OrderRepository::createDraft(const core::Order& order,
                                                       const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange(
      database_, now, actor,
      [&](soci::session& sql) -> core::Result<Audited<core::Order>> {
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
        insert.useColumns(row).into(row.value.id);
        insert.execute(insertInto("orders", kColumns) + " RETURNING id");
        recordStep(sql, row.value.id, row.status, now);
        AuditNote note = orderNote("order.create", row.value,
                                   {{"type", row.type},
                                    {"product", row.value.product},
                                    {"common_name", row.value.common_name},
                                    {"dns_names", row.dns_names}});
        return Audited<core::Order>{row.value, std::move(note)};
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
        std::string status;
        core::TimePoint at;
        forEachRow(
            sql, "SELECT status, at FROM order_steps WHERE order_id = :o ORDER BY id",
            [&](Statement& s) { s.into(status).into(at).use(order); },
            [&] {
              steps.push_back(
                  {core::parseOrderStatus(status).value_or(core::OrderStatus::draft), at});
            });
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

namespace {

/// Moves `next` (the order `current` one version up) from `expected_from` to `to` with `changes`,
/// guarded against concurrent changes, and returns its audit note with `details` added.
core::Result<AuditNote> stepOrder(soci::session& sql, core::TimePoint now,
                                  const core::Order& current, core::Order& next,
                                  core::OrderStatus expected_from, core::OrderStatus to,
                                  const OrderChanges& changes, boost::json::object details) {
  if (!core::canTransition(current.type, expected_from, to))
    return conflict("order.transition_not_allowed");
  if (current.status != expected_from) return conflict("order.status_changed");
  next.status = to;
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
  const int changed =
      changeRows(sql,
                 "UPDATE orders SET status = :to, reason = :reason, certificate_id = :certificate, "
                 "document = :document, signature = :signature, signer_certificate_pem = :signer, "
                 "produced_card_id = :card, version = :version, "
                 "updated_at = :updated WHERE id = :id AND status = :from",
                 [&](Statement& s) {
                   s.use(row.status)
                       .use(next.reason)
                       .use(next.certificate)
                       .use(next.evidence.document)
                       .use(row.signature)
                       .use(next.evidence.signer_certificate_pem)
                       .use(next.produced_card)
                       .use(next.version)
                       .use(next.updated_at)
                       .use(next.id)
                       .use(from);
                 });
  if (changed != 1) return conflict("order.status_changed");
  recordStep(sql, next.id, row.status, now);

  details["from"] = from;
  details["to"] = row.status;
  if (changes.reason) details["reason"] = *changes.reason;
  if (changes.certificate) details["certificate"] = *changes.certificate;
  if (changes.produced_card) details["card"] = *changes.produced_card;
  // The evidence itself stays in the order; the log tells that it was recorded.
  if (changes.evidence) details["evidence"] = true;
  return orderNote("order." + row.status, next, std::move(details));
}

}  // namespace

core::Result<core::Order> OrderRepository::transition(core::OrderId order,
                                                      core::OrderStatus expected_from,
                                                      core::OrderStatus to,
                                                      const OrderChanges& changes,
                                                      const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return changeOrder(database_, now, actor, order,
                     [&](soci::session& sql, const core::Order& current, core::Order& next) {
                       return stepOrder(sql, now, current, next, expected_from, to, changes, {});
                     });
}

core::Result<CheckedStep> OrderRepository::transitionIfValidated(core::OrderId order,
                                                                 core::OrderStatus expected_from,
                                                                 core::OrderStatus to,
                                                                 const DomainCheck& check,
                                                                 const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  const core::TimePoint since = now - check.validity;
  std::vector<std::string> uncovered;
  auto changed = changeOrder(
      database_, now, actor, order,
      [&](soci::session& sql, const core::Order& current, core::Order& next) {
        // Read in this transaction: a validation removed or expired before it commits counts.
        std::vector<std::string> domains;
        if (current.organisation)
          domains = selectColumn<std::string>(sql,
                                              "SELECT domain FROM validated_domains WHERE "
                                              "organisation_id = :o AND validated_at > :since",
                                              *current.organisation, since);
        uncovered = check.uncovered(current, domains);
        if (uncovered.empty()) return stepOrder(sql, now, current, next, expected_from, to, {}, {});
        return stepOrder(sql, now, current, next, expected_from, core::OrderStatus::on_hold, {},
                         {{"without_current_validation",
                           boost::json::array(uncovered.begin(), uncovered.end())}});
      });
  if (!changed) return changed.error();
  return CheckedStep{std::move(*changed), std::move(uncovered)};
}

core::Result<core::PersonId> OrderRepository::registerCardHolder(core::OrderId order,
                                                                 const core::Person& holder,
                                                                 const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange(
      database_, now, actor, [&](soci::session& sql) -> core::Result<Audited<core::PersonId>> {
        const auto current = selectOrder(sql, order);
        if (!current || !current->card)
          return core::makeError(core::ErrorKind::not_found, "order.not_found");
        // Nothing to record: the holder registered by an earlier attempt.
        if (current->card->holder) return Audited<core::PersonId>{*current->card->holder, {}};
        auto registered = insertPerson(sql, holder, now);
        core::CardOrderDetails details = *current->card;
        details.holder = registered.value;
        const std::string stored = cardDetailsJson(details);
        const int changed = changeRows(
            sql, "UPDATE orders SET card_details = :details WHERE id = :id AND version = :seen",
            [&](Statement& s) { s.use(stored).use(current->id).use(current->version); });
        if (changed != 1) return conflict("order.status_changed");
        registered.note.details["order"] = current->id;
        return registered;
      });
}

core::Result<core::Order> OrderRepository::assignManager(core::OrderId order,
                                                         core::PersonId manager,
                                                         const audit::Actor& actor) {
  return changeOrder(
      database_, clock_.now(), actor, order,
      [&](soci::session& sql, const core::Order& current,
          core::Order& next) -> core::Result<AuditNote> {
        if (!current.proposed_manager || current.manager)
          return conflict("order.no_proposed_manager");
        next.manager = manager;
        // Guarded by the version read above: a concurrent identification changes nothing.
        const int changed = changeRows(
            sql,
            "UPDATE orders SET manager_id = :manager, version = :version, updated_at = :updated "
            "WHERE id = :id AND version = :seen AND manager_id IS NULL",
            [&](Statement& s) {
              s.use(manager)
                  .use(next.version)
                  .use(next.updated_at)
                  .use(next.id)
                  .use(current.version);
            });
        if (changed != 1) return conflict("order.status_changed");
        return orderNote("order.manager_identified", next, {{"manager", manager}});
      });
}

}  // namespace storage
