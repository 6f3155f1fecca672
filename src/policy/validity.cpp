#include "policy/validity.hpp"

#include <algorithm>

namespace policy {
namespace {

// Applies the caps to an uncapped end; the tighter cap wins (the product's on a tie, as the
// product is what the customer ordered).
core::Result<Validity> capped(core::TimePoint start, core::TimePoint wanted_end,
                              core::TimePoint old_end, const ValidityLimits& limits) {
  Validity validity{start, wanted_end};
  const core::TimePoint product_end = start + limits.max_validity;
  if (product_end < validity.end && product_end <= limits.ca_not_after) {
    validity.end = product_end;
    validity.cap = ValidityCap::product;
  } else if (limits.ca_not_after < validity.end) {
    validity.end = limits.ca_not_after;
    validity.cap = ValidityCap::ca;
  }
  if (validity.end <= start) {
    return core::makeError(core::ErrorKind::conflict, "validity.ca_ends");
  }
  validity.overlap = std::max(std::chrono::seconds{0}, std::min(old_end, validity.end) - start);
  return validity;
}

}  // namespace

core::Result<Validity> newValidity(core::TimePoint now, const ValidityLimits& limits) {
  return capped(now, now + limits.term, now, limits);
}

core::Result<Validity> renewalValidity(core::TimePoint now, core::TimePoint old_end,
                                       const ValidityLimits& limits) {
  // An expired original leaves nothing to extend: the renewal is then a full term from now.
  return capped(now, std::max(old_end, now) + limits.term, old_end, limits);
}

}  // namespace policy
