#pragma once
// What card production keeps (ADR 0007): activation codes of mobile certificate orders (only
// their hash, with an expiry, used once). Never a holder's private key (ADR 0020): the bureau
// keeps the keys on the card, the demo bureau in files of the demo directory.

#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/order.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>

namespace storage {

/// The state of an order's activation code (never the code itself).
struct ActivationCode {
  core::OrderId order = 0;
  core::TimePoint created_at;
  core::TimePoint expires_at;
  std::optional<core::TimePoint> used_at;
};

/// Activation codes of mobile certificate orders.
class ActivationCodeRepository {
 public:
  ActivationCodeRepository(Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  /// Records a new code for `order` ("activation_code.issue"), replacing an unused earlier one;
  /// conflict "activation_code.used" once a code of the order was used.
  core::Result<void> replace(core::OrderId order, const std::string& code_sha256,
                             core::TimePoint expires_at, const audit::Actor& actor);
  /// The state of an order's code, if it has one.
  core::Result<std::optional<ActivationCode>> find(core::OrderId order);
  /// Uses the code with this hash ("activation_code.use"): the order it belongs to, if the code
  /// exists, is unused and has not expired; not_found "activation_code.invalid" otherwise (one
  /// answer for all three, so a guesser learns nothing).
  core::Result<core::OrderId> use(const std::string& code_sha256, const audit::Actor& actor);

 private:
  Database& database_;
  const core::Clock& clock_;
};

}  // namespace storage
