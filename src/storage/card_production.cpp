#include "storage/card_production.hpp"

#include "core/time_format.hpp"
#include "storage/audited_change.hpp"
#include "storage/statement.hpp"
#include "storage/transaction.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <utility>

namespace storage {

namespace {

/// The audit note of a change of an order's card production (no details).
AuditNote orderNote(std::string action, core::OrderId order) {
  return {std::move(action), audit::objectName("order", order), {}};
}

}  // namespace

core::Result<void> ActivationCodeRepository::replace(core::OrderId order,
                                                     const std::string& code_sha256,
                                                     core::TimePoint expires_at,
                                                     const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange(database_, now, actor, [&](soci::session& sql) -> core::Result<AuditNote> {
    if (exists(sql,
               "SELECT COUNT(*) FROM activation_codes WHERE order_id = :o AND used_at IS NOT "
               "NULL",
               order))
      return core::makeError(core::ErrorKind::conflict, "activation_code.used");
    sql << "DELETE FROM activation_codes WHERE order_id = :o", soci::use(order);
    sql << "INSERT INTO activation_codes (order_id, code_sha256, expires_at, created_at) "
           "VALUES (:o, :c, :e, :t)",
        soci::use(order), soci::use(code_sha256), soci::use(expires_at), soci::use(now);
    return orderNote("activation_code.issue", order);
  });
}

core::Result<std::optional<ActivationCode>> ActivationCodeRepository::find(core::OrderId order) {
  return withSession(
      database_, [&](soci::session& sql) -> core::Result<std::optional<ActivationCode>> {
        ActivationCode code{.order = order};
        Statement select(sql);
        select.into(code.created_at).into(code.expires_at).into(code.used_at).use(order);
        if (!select.execute(
                "SELECT created_at, expires_at, used_at FROM activation_codes WHERE order_id = :o"))
          return std::nullopt;
        return code;
      });
}

core::Result<core::OrderId> ActivationCodeRepository::use(const std::string& code_sha256,
                                                          const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  return auditedChange(
      database_, now, actor, [&](soci::session& sql) -> core::Result<Audited<core::OrderId>> {
        const auto order = selectValue<core::OrderId>(
            sql,
            "SELECT order_id FROM activation_codes WHERE code_sha256 = :c "
            "AND used_at IS NULL AND expires_at > :t",
            code_sha256, now);
        if (!order) return core::makeError(core::ErrorKind::not_found, "activation_code.invalid");
        // Guarded like an order transition: of two uses of one code, one wins.
        if (changeRows(sql,
                       "UPDATE activation_codes SET used_at = :t WHERE order_id = :o AND "
                       "used_at IS NULL",
                       [&](Statement& s) { s.use(now).use(*order); }) != 1)
          return core::makeError(core::ErrorKind::not_found, "activation_code.invalid");
        return Audited<core::OrderId>{*order, orderNote("activation_code.use", *order)};
      });
}

}  // namespace storage
