#pragma once
// Refused logins reach the audit log without letting anyone fill it (ADR 0022). A connection's
// certificate is judged once, however many requests the connection carries. Of those judgements,
// per window: one record per certificate, at most `per_address` records per client address (an
// IPv6 address counts per /64) and at most `per_node` on this node. What is held back is counted,
// and a window that held something back ends in one summary. The counts are in memory, per node.

#include "core/clock.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace auth {

/// How refusals are audited (README.md §Configuration, `session.refusal_audit_…`).
struct RefusalAuditPolicy {
  std::chrono::seconds window{std::chrono::minutes{10}};
  std::size_t per_address = 10;  ///< records per client address and window
  std::size_t per_node = 1000;   ///< records of this node per window, all addresses together
};

/// Where a refused request came from.
struct RefusalSource {
  std::uint64_t connection = 0;  ///< the transport's connection id (unique per process)
  std::string address;           ///< the client's IP address
};

/// The refusals one window held back.
struct RefusalSummary {
  enum class Scope { certificate, address, node };
  Scope scope = Scope::node;
  std::string key;            ///< the fingerprint, the address (IPv6: its /64), or empty
  std::size_t held_back = 0;  ///< refusals counted but not recorded one by one
  core::TimePoint since;      ///< when the window began
  boost::json::object about;  ///< certificate: what its record said about it
};

/// Decides which refusals are recorded; thread-safe.
class RefusalThrottle {
 public:
  enum class Verdict {
    repeat,     ///< this connection's certificate was judged before: not counted again
    held_back,  ///< counted for the window's summary
    record,     ///< to be recorded now
  };

  explicit RefusalThrottle(RefusalAuditPolicy policy) : policy_(policy) {}

  /// Judges a refused request with the certificate `fingerprint`; `about` is what the record
  /// says about the certificate, kept for its summary.
  Verdict admit(const std::string& fingerprint, const RefusalSource& source, core::TimePoint now,
                const boost::json::object& about);

  /// The windows that ended by `now` (every window if `everything`, e.g. at shutdown) and held
  /// something back, oldest first; all ended windows are forgotten.
  std::vector<RefusalSummary> endedWindows(core::TimePoint now, bool everything = false);

  const RefusalAuditPolicy& policy() const { return policy_; }

 private:
  using Key = std::pair<RefusalSummary::Scope, std::string>;
  struct Window {
    core::TimePoint since;
    std::size_t recorded = 0;
    std::size_t held_back = 0;
    boost::json::object about;
  };

  /// Moves the windows ended by `now` (or all) to ended_; under the lock.
  void closeWindows(core::TimePoint now, bool everything);
  Window* find(const Key& key);

  const RefusalAuditPolicy policy_;
  std::mutex mutex_;
  std::set<std::pair<std::uint64_t, std::string>> judged_;  ///< connection and fingerprint
  std::map<Key, Window> windows_;
  std::deque<Key> opened_;  ///< in the order opened: all windows last equally long
  std::vector<RefusalSummary> ended_;
};

/// What refusals from `address` are counted under: the address itself, or for IPv6 its /64
/// ("2001:db8:1:2::/64"), which one subscriber usually has whole.
std::string refusalAddressKey(const std::string& address);

}  // namespace auth
