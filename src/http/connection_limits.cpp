#include "http/connection_limits.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace http {
namespace {

// Bytes 0–9 zero, 10–11 0xff: an IPv4 client, counted by its whole address.
bool isV4Mapped(const IpAddress& address) {
  return std::all_of(address.bytes.begin(), address.bytes.begin() + 10,
                     [](std::uint8_t byte) { return byte == 0; }) &&
         address.bytes[10] == 0xff && address.bytes[11] == 0xff;
}

// The table of idle clients is swept at most this often, and only once it is this large: a
// client's entry goes when it closes its last connection with a full bucket, so the sweep only
// finds clients that left with tokens to refill.
constexpr std::chrono::seconds kPruneInterval{1};
constexpr std::size_t kPruneAbove = 1024;

}  // namespace

const char* toString(Refusal refusal) {
  switch (refusal) {
    case Refusal::none:
      return "none";
    case Refusal::connection_limit:
      return "connection_limit";
    case Refusal::address_limit:
      return "address_limit";
    case Refusal::handshake_rate:
      return "handshake_rate";
    case Refusal::proxy_header_invalid:
      return "proxy_header_invalid";
    case Refusal::proxy_header_untrusted:
      return "proxy_header_untrusted";
  }
  return "unknown";
}

ConnectionLimits::ConnectionLimits(std::size_t per_address, double handshakes_per_second,
                                   std::size_t handshake_burst)
    : perAddress_(std::max<std::size_t>(1, per_address)),
      ratePerSecond_(std::max(handshakes_per_second, 0.001)),
      burst_(static_cast<double>(std::max<std::size_t>(1, handshake_burst))) {}

std::string ConnectionLimits::clientKey(const IpAddress& address) {
  const std::size_t bytes = isV4Mapped(address) ? address.bytes.size() : 8;  // an IPv6 /64
  return std::string(reinterpret_cast<const char*>(address.bytes.data()), bytes);
}

void ConnectionLimits::refill(Client& client, Clock::time_point now) const {
  const std::chrono::duration<double> elapsed = now - client.refilled;
  if (elapsed.count() > 0) {
    client.tokens = std::min(burst_, client.tokens + elapsed.count() * ratePerSecond_);
    client.refilled = now;
  }
}

Refusal ConnectionLimits::admit(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  prune(now);
  auto [found, added] = clients_.try_emplace(key);
  Client& client = found->second;
  if (added) {
    client.tokens = burst_;
    client.refilled = now;
  }
  refill(client, now);
  Refusal refusal = Refusal::none;
  if (client.open >= perAddress_) {
    refusal = Refusal::address_limit;
  } else if (client.tokens < 1) {
    refusal = Refusal::handshake_rate;
  } else {
    client.tokens -= 1;
    ++client.open;
  }
  return refusal;
}

void ConnectionLimits::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto found = clients_.find(key);
  if (found == clients_.end()) return;
  Client& client = found->second;
  if (client.open > 0) --client.open;
  refill(client, Clock::now());
  if (client.open == 0 && client.tokens >= burst_) clients_.erase(found);
}

void ConnectionLimits::prune(Clock::time_point now) {
  if (clients_.size() <= kPruneAbove || now - lastPrune_ < kPruneInterval) return;
  lastPrune_ = now;
  for (auto entry = clients_.begin(); entry != clients_.end();) {
    refill(entry->second, now);
    const bool idle = entry->second.open == 0 && entry->second.tokens >= burst_;
    entry = idle ? clients_.erase(entry) : std::next(entry);
  }
}

std::size_t ConnectionLimits::trackedClients() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

void RefusalLog::note(Refusal refusal, std::string_view address, std::string_view limit) {
  const auto now = std::chrono::steady_clock::now();
  std::size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    Pending& pending = pending_[static_cast<int>(refusal)];
    ++pending.since;
    if (pending.lastWarning != std::chrono::steady_clock::time_point{} &&
        now - pending.lastWarning < interval_) {
      return;
    }
    count = pending.since;
    pending.since = 0;
    pending.lastWarning = now;
  }
  spdlog::warn(
      "{} reached: closed {} new connections before the TLS handshake "
      "(reason={}, latest from {})",
      limit, count, toString(refusal), address.empty() ? "-" : address);
}

}  // namespace http
