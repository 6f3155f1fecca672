#pragma once
// Per-client limits on new connections (ADR 0023): how many a client address may hold open, and
// how fast it may start TLS handshakes. Checked before the handshake, so that one client cannot
// take every connection slot or every CPU cycle the handshakes cost. Light header: no Asio.

#include "http/trusted_proxies.hpp"

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace http {

/// Why a new connection was closed before its TLS handshake: the `reason` label of
/// mijncert_http_connections_refused_total and the word in the log line.
enum class Refusal {
  none,
  connection_limit,        ///< the server's max_connections is reached
  address_limit,           ///< the client address holds max_connections_per_address already
  handshake_rate,          ///< the client address started handshakes faster than allowed
  proxy_header_invalid,    ///< from a PROXY protocol proxy without a valid PROXY v2 header
  proxy_header_untrusted,  ///< a PROXY header from an address that may not send one
};

/// Every Refusal but none, for registering the metric series.
inline constexpr Refusal kRefusals[] = {Refusal::connection_limit, Refusal::address_limit,
                                        Refusal::handshake_rate, Refusal::proxy_header_invalid,
                                        Refusal::proxy_header_untrusted};

/// The stable name of a refusal (metric label, log).
const char* toString(Refusal refusal);

/// Counts open connections and recent handshakes per client. An IPv4 client is its address; an
/// IPv6 client is its /64, the smallest block a provider hands out to one subscriber, so that a
/// client cannot dodge the limits by rotating the addresses of its own network. Thread-safe.
class ConnectionLimits {
 public:
  using Clock = std::chrono::steady_clock;

  /// At most `per_address` connections open per client; handshakes refill at
  /// `handshakes_per_second` per client up to `handshake_burst` at once (a token bucket).
  ConnectionLimits(std::size_t per_address, double handshakes_per_second,
                   std::size_t handshake_burst);

  /// The key `address` is counted under (opaque bytes): the address, or its /64 for IPv6.
  static std::string clientKey(const IpAddress& address);

  /// Admits one new connection of the client `key` at `now`, counting it as open and taking one
  /// handshake token; or the reason it may not start (then nothing is counted).
  Refusal admit(const std::string& key, Clock::time_point now);
  /// Forgets one connection admitted for `key` (when it closes).
  void release(const std::string& key);

  /// Clients tracked now (for tests: entries of idle clients go once their bucket is full).
  std::size_t trackedClients() const;

 private:
  struct Client {
    std::size_t open = 0;
    double tokens = 0;
    Clock::time_point refilled;
  };
  void refill(Client& client, Clock::time_point now) const;
  void prune(Clock::time_point now);

  std::size_t perAddress_;
  double ratePerSecond_;
  double burst_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Client> clients_;
  Clock::time_point lastPrune_{};
};

/// Warnings about refused connections at most once per interval per reason, with the number
/// refused since the last one: a flood must not flood the log. Thread-safe.
class RefusalLog {
 public:
  explicit RefusalLog(std::chrono::steady_clock::duration interval) : interval_(interval) {}
  /// Counts one refusal of a connection from `address`; logs when the interval has passed.
  void note(Refusal refusal, std::string_view address, std::string_view limit);

 private:
  struct Pending {
    std::chrono::steady_clock::time_point lastWarning{};
    std::size_t since = 0;
  };
  std::chrono::steady_clock::duration interval_;
  std::mutex mutex_;
  std::unordered_map<int, Pending> pending_;
};

}  // namespace http
