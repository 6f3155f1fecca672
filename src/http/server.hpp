#pragma once
// The HTTPS listener: Boost.Beast over OpenSSL with client certificates, limits and timeouts.
// All heavy Asio/Beast code stays in server.cpp; this header is light.

#include "http/handler.hpp"
#include "pki/tls.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace metrics {
class Registry;
}  // namespace metrics

namespace http {

/// Everything the listener needs.
struct ServerSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;  ///< 0 picks a free port (see Server::port)
  pki::ServerTlsSettings tls;
  std::size_t max_header_bytes = 16 * 1024;  ///< larger request headers: 431
  std::size_t max_body_bytes = 1024 * 1024;  ///< larger bodies: 413
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds read_timeout{30};  ///< for one whole request
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds idle_timeout{60};    ///< keep-alive between requests
  std::chrono::seconds shutdown_grace{20};  ///< in-flight requests get this long on SIGTERM
  std::size_t max_connections = 512;        ///< beyond this, new connections are closed at once
  /// Per client (an IPv4 address, an IPv6 /64; ADR 0023): connections open at once, and TLS
  /// handshakes started per second with a burst; beyond these a new connection is closed before
  /// its handshake.
  std::size_t max_connections_per_address = 32;
  double handshakes_per_second_per_address = 5;
  std::size_t handshake_burst_per_address = 20;
  /// A connection is closed after the response in progress once it is this old, so that its
  /// client reconnects and is verified afresh; also when the client trust was reloaded since it
  /// began (ADR 0023).
  std::chrono::seconds max_connection_age{600};
  /// Read a binary PROXY v2 header before the TLS handshake of connections from
  /// `proxy_protocol_from` (a TLS pass-through load balancer), and take the client address from
  /// it; such a connection without a valid header, and a PROXY header from anywhere else, is
  /// closed.
  bool proxy_protocol = false;
  std::vector<std::string> proxy_protocol_from;  ///< addresses or CIDR ranges
  int threads = 4;  ///< I/O threads: accept, TLS, reading and writing; never handler code
  /// Threads that run Handler::handle and streamed bodies (ADR 0012).
  int worker_threads = 8;
  /// Requests that may wait for a busy worker, per worker; further ones get 503 at once. Typical
  /// requests take tens of milliseconds, so 16 absorbs a burst of about a second; a longer queue
  /// would hold requests whose clients have given up.
  std::size_t queued_per_worker = 16;
  /// A handler not finished this long after its request was read: the client gets 503 and the
  /// connection is closed; the handler's eventual result is dropped. Also bounds each piece of
  /// a streamed body (then the connection is cut short).
  std::chrono::seconds request_timeout{30};
  /// Requests for exactly this path (query aside) run on a thread of their own, so that a load
  /// balancer's health check is answered while every worker is busy (empty: none).
  std::string health_path = "/healthz";
  std::string static_dir;  ///< served under /static/ (empty: none)
  /// Addresses or CIDR ranges of TLS-terminating proxies (ADR 0010): requests from these take
  /// the client certificate from `client_certificate_header` and the client address from
  /// X-Forwarded-For; from anywhere else both headers are ignored.
  std::vector<std::string> trusted_proxies;
  std::string client_certificate_header = "X-SSL-Client-Cert";
  /// Where the transport records requests, TLS handshakes and its lanes (ADR 0016); null: no
  /// metrics, and `metrics_path` is left to the handler like any other path. Not owned; outlives
  /// the server.
  metrics::Registry* metrics = nullptr;
  /// The patterns of the handler's route table: the `route` labels RequestLog::route may name.
  std::vector<std::string> metric_routes;
  /// GET (and HEAD) of exactly this path is answered by the transport with the metrics, on a
  /// thread of its own, for connections whose TCP peer is in `metrics_allow` and is no trusted
  /// proxy; for anyone else the handler answers it (the portal: 404, as for any unknown path).
  std::string metrics_path = "/metrics";
  /// Addresses or CIDR ranges that may read the metrics (`metrics.allow`).
  std::vector<std::string> metrics_allow = {"127.0.0.1", "::1"};
};

/// An HTTPS server; run() blocks until SIGTERM/SIGINT or stop(), then drains and returns.
class Server {
 public:
  /// Binds the listener (so port() is known) without serving yet; throws on bad TLS files, a bad
  /// trusted proxy or a busy port (start-up errors are exceptions, docs/architecture.md
  /// §Conventions). Client certificates are verified against `client_trust`, which the caller
  /// may reload while the server runs.
  Server(ServerSettings settings, Handler& handler, std::shared_ptr<pki::ClientTrust> client_trust);
  /// As above, with a client trust loaded once from settings.tls.
  Server(ServerSettings settings, Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The bound port.
  std::uint16_t port() const;
  /// Serves until a stop signal or stop(); in-flight requests finish within shutdown_grace.
  void run();
  /// Asks run() to stop gracefully; safe from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace http
