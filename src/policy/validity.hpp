#pragma once
// Validity arithmetic of orders (PRODUCT.md §5): a new certificate runs for the
// product's term from now; a renewal starts now and ends at the old end plus the full term, so
// the customer never has a gap and never loses paid-for time. Both are capped by the product's
// maximum validity (counted from the start) and by the issuing CA's own end (RFC 5280 §6.1: a
// certificate cannot outlive its issuer).

#include "core/clock.hpp"
#include "core/error.hpp"

#include <chrono>

namespace policy {

/// Which limit shortened the validity, if any.
enum class ValidityCap { none, product, ca };

/// What bounds a validity: the product's term and maximum, and the issuing CA's end.
struct ValidityLimits {
  std::chrono::days term{730};          ///< the normal validity (ProductProfile::term_days)
  std::chrono::days max_validity{730};  ///< never longer (ProductProfile::max_validity_days)
  core::TimePoint ca_not_after;         ///< the issuing CA's notAfter
};

/// A planned validity, shown on the review page before signing.
struct Validity {
  core::TimePoint start;
  core::TimePoint end;
  std::chrono::seconds overlap{0};  ///< time both the old and the new certificate are valid
  ValidityCap cap = ValidityCap::none;
  bool operator==(const Validity&) const = default;
};

/// Validity of a new certificate ordered at `now`; "validity.ca_ends" (conflict) if the CA ends
/// before it could start.
core::Result<Validity> newValidity(core::TimePoint now, const ValidityLimits& limits);

/// Validity of a renewal at `now` of a certificate ending at `old_end`: until old_end + term, or
/// now + term if the original has already expired.
core::Result<Validity> renewalValidity(core::TimePoint now, core::TimePoint old_end,
                                       const ValidityLimits& limits);

}  // namespace policy
