#include "auth/refusal_throttle.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

namespace auth {
namespace {

using Scope = RefusalSummary::Scope;

// Connections whose certificate was judged, remembered at once; the oldest go first. A connection
// forgotten while still open is judged again, and then meets its certificate's window.
constexpr std::size_t kJudgedConnections = 65'536;
// An address as a client sent it (X-Forwarded-For through a proxy) is kept no longer than this.
constexpr std::size_t kMaxAddressKey = 64;

}  // namespace

std::string refusalAddressKey(const std::string& address) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1 && !IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), 0);
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET6, &v6, text, sizeof text) != nullptr) return std::string(text) + "/64";
  }
  return address.substr(0, kMaxAddressKey);
}

RefusalThrottle::Window* RefusalThrottle::find(const Key& key) {
  const auto found = windows_.find(key);
  return found == windows_.end() ? nullptr : &found->second;
}

void RefusalThrottle::closeWindows(core::TimePoint now, bool everything) {
  while (!opened_.empty()) {
    const auto found = windows_.find(opened_.front());
    if (!everything && found != windows_.end() && now < found->second.since + policy_.window) break;
    if (found != windows_.end()) {
      Window& window = found->second;
      if (window.held_back > 0)
        ended_.push_back({found->first.first, found->first.second, window.held_back, window.since,
                          std::move(window.about)});
      windows_.erase(found);
    }
    opened_.pop_front();
  }
}

RefusalThrottle::Verdict RefusalThrottle::admit(const std::string& fingerprint,
                                                const RefusalSource& source, core::TimePoint now,
                                                const boost::json::object& about) {
  const std::lock_guard lock(mutex_);
  closeWindows(now, false);
  if (!judged_.emplace(source.connection, fingerprint).second) return Verdict::repeat;
  if (judged_.size() > kJudgedConnections) judged_.erase(judged_.begin());

  if (Window* certificate = find({Scope::certificate, fingerprint})) {
    ++certificate->held_back;
    return Verdict::held_back;
  }
  const Key address_key{Scope::address, refusalAddressKey(source.address)};
  const Key node_key{Scope::node, ""};
  Window* address = find(address_key);
  if (address != nullptr && address->recorded >= policy_.per_address) {
    ++address->held_back;
    return Verdict::held_back;
  }
  Window* node = find(node_key);
  if (node != nullptr && node->recorded >= policy_.per_node) {
    ++node->held_back;
    return Verdict::held_back;
  }
  for (const Key& key : {address_key, node_key, Key{Scope::certificate, fingerprint}}) {
    const auto [entry, opened] = windows_.try_emplace(key, Window{.since = now});
    if (opened) opened_.push_back(key);
    ++entry->second.recorded;
    if (key.first == Scope::certificate) entry->second.about = about;
  }
  return Verdict::record;
}

std::vector<RefusalSummary> RefusalThrottle::endedWindows(core::TimePoint now, bool everything) {
  const std::lock_guard lock(mutex_);
  closeWindows(now, everything);
  return std::exchange(ended_, {});
}

}  // namespace auth
