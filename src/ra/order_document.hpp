#pragma once
// The order document (PRODUCT.md §4): the deterministic, human-readable UTF-8 text a requester
// signs with a CMS detached signature. It lists every field that will be processed, so the
// signature covers exactly what the Servicedesk approves and the CA issues.

#include "core/order.hpp"
#include "core/registry.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ra {

/// The registry entries an order refers to by id, as the document names them.
struct OrderParties {
  core::Organisation organisation;
  core::Person requested_by;
  std::optional<core::Person> manager;  ///< the existing certificate manager, if one was chosen
};

/// The document of `order`: fixed field order, "\n" line ends, no trailing spaces, control
/// characters in values replaced, so the same order always yields byte-identical text and no
/// value can forge a line. `origin` is the portal's origin, e.g. "https://portal.example".
std::string orderDocument(const core::Order& order, const OrderParties& parties,
                          std::string_view origin);

}  // namespace ra
