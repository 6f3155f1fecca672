#include "storage/card_production.hpp"

#include "core/encoding.hpp"
#include "core/time_format.hpp"
#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <utility>

namespace storage {

namespace {

audit::Event orderEvent(core::TimePoint at, const audit::Actor& actor, std::string action,
                        core::OrderId order) {
  return {at, actor.id, std::move(action), audit::objectName("order", order), "{}"};
}

core::Result<void> done(const core::Result<bool>& result) {
  if (!result) return result.error();
  return {};
}

}  // namespace

core::Result<void> ActivationCodeRepository::replace(core::OrderId order,
                                                     const std::string& code_sha256,
                                                     core::TimePoint expires_at,
                                                     const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return done(auditedChange<bool>(
      database_, [&](soci::session& sql) -> core::Result<std::pair<bool, audit::Event>> {
        long long used = 0;
        sql << "SELECT COUNT(*) FROM activation_codes WHERE order_id = :o AND used_at IS NOT NULL",
            soci::use(order), soci::into(used);
        if (used > 0) return core::makeError(core::ErrorKind::conflict, "activation_code.used");
        const long long created = core::toUnixSeconds(now);
        const long long expires = core::toUnixSeconds(expires_at);
        sql << "DELETE FROM activation_codes WHERE order_id = :o", soci::use(order);
        sql << "INSERT INTO activation_codes (order_id, code_sha256, expires_at, created_at) "
               "VALUES (:o, :c, :e, :t)",
            soci::use(order), soci::use(code_sha256), soci::use(expires), soci::use(created);
        return std::pair{true, orderEvent(now, actor, "activation_code.issue", order)};
      }));
}

core::Result<std::optional<ActivationCode>> ActivationCodeRepository::find(core::OrderId order) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<ActivationCode>> {
        long long created = 0, expires = 0, used = 0;
        soci::indicator used_indicator = soci::i_null;
        sql << "SELECT created_at, expires_at, used_at FROM activation_codes WHERE order_id = :o",
            soci::use(order), soci::into(created), soci::into(expires),
            soci::into(used, used_indicator);
        if (!sql.got_data()) return std::optional<ActivationCode>();
        ActivationCode code{order, core::fromUnixSeconds(created), core::fromUnixSeconds(expires),
                            std::nullopt};
        if (used_indicator == soci::i_ok) code.used_at = core::fromUnixSeconds(used);
        return std::optional<ActivationCode>(code);
      });
}

core::Result<core::OrderId> ActivationCodeRepository::use(const std::string& code_sha256,
                                                          const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange<core::OrderId>(
      database_, [&](soci::session& sql) -> core::Result<std::pair<core::OrderId, audit::Event>> {
        const long long at = core::toUnixSeconds(now);
        long long order = 0;
        sql << "SELECT order_id FROM activation_codes WHERE code_sha256 = :c "
               "AND used_at IS NULL AND expires_at > :t",
            soci::use(code_sha256), soci::use(at), soci::into(order);
        if (!sql.got_data())
          return core::makeError(core::ErrorKind::not_found, "activation_code.invalid");
        // Guarded like an order transition: of two uses of one code, one wins.
        if (changeRows(sql,
                       "UPDATE activation_codes SET used_at = :t WHERE order_id = :o AND "
                       "used_at IS NULL",
                       [&](Statement& s) { s.use(at).use(order); }) != 1)
          return core::makeError(core::ErrorKind::not_found, "activation_code.invalid");
        return std::pair{core::OrderId(order),
                         orderEvent(now, actor, "activation_code.use", order)};
      });
}

core::Result<void> SoftCardRepository::store(core::CardId card,
                                             const std::vector<std::uint8_t>& pkcs12,
                                             const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return done(auditedChange<bool>(
      database_, [&](soci::session& sql) -> core::Result<std::pair<bool, audit::Event>> {
        const std::string encoded = core::toBase64(pkcs12);
        const long long created = core::toUnixSeconds(now);
        sql << "INSERT INTO soft_cards (card_id, pkcs12, created_at) VALUES (:c, :p, :t)",
            soci::use(card), soci::use(encoded), soci::use(created);
        return std::pair{true, audit::Event{now, actor.id, "soft_card.store",
                                            audit::objectName("card", card), "{}"}};
      }));
}

core::Result<std::optional<std::vector<std::uint8_t>>> SoftCardRepository::find(core::CardId card) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<std::vector<std::uint8_t>>> {
        std::string encoded;
        sql << "SELECT pkcs12 FROM soft_cards WHERE card_id = :c", soci::use(card),
            soci::into(encoded);
        if (!sql.got_data()) return std::optional<std::vector<std::uint8_t>>();
        auto decoded = core::fromBase64(encoded);
        if (!decoded) return core::makeError(core::ErrorKind::internal, "soft_card.corrupt");
        return std::optional<std::vector<std::uint8_t>>(std::move(*decoded));
      });
}

}  // namespace storage
