// The HTTPS listener: one C++20 coroutine per TLS connection on its own strand, a pool of I/O
// threads running one io_context, limits on every message and timeouts on every network wait.
// Application code runs on worker lanes beside it, bounded and with a deadline (ADR 0012). The
// only translation unit (besides boost_sources.cpp) with the heavy Asio/Beast/SSL headers
// (docs/architecture.md §Conventions).

#include "http/server.hpp"

#include "http/connection_limits.hpp"
#include "http/forwarded_client.hpp"
#include "http/metrics_access.hpp"
#include "http/proxy_protocol.hpp"
#include "http/static_files.hpp"
#include "metrics/http_requests.hpp"
#include "metrics/registry.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace http {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using SteadyClock = std::chrono::steady_clock;

// Completions as (error_code, …) tuples: on a network path errors are the normal case, not
// exceptions.
constexpr net::as_tuple_t<net::use_awaitable_t<>> kAsTuple{};

// Bytes asked for when waiting for the first byte of a request or discarding input.
constexpr std::size_t kReadChunk = 16 * 1024;
// After a 413/431/400 the client may still be sending what we refused. Reading (and discarding) it
// for a moment before closing avoids a TCP reset that would make the client lose our answer.
constexpr std::chrono::seconds kDrainTimeout{1};
constexpr std::size_t kDrainLimit = 1024 * 1024;
// How long we wait for the client's close_notify; many clients just drop the connection.
constexpr std::chrono::seconds kTlsCloseTimeout{1};
// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// Paths longer than this are cut in the log: a 16 KiB target must not become a 16 KiB log line.
constexpr std::size_t kMaxLoggedPathLength = 256;
// At most one "connection limit reached" warning per interval and reason, so a flood cannot
// flood the log.
constexpr std::chrono::seconds kLimitWarningInterval{1};
// How often idle connections are looked at for their age and the trust they were verified with.
constexpr std::chrono::seconds kStaleSweepInterval{1};
// Health checks waiting for the health thread beyond this get 503: each takes at most about two
// seconds (a bounded SELECT 1), so a longer queue means they come faster than they can answer.
constexpr std::size_t kQueuedHealthChecks = 16;
// What the transport's 503 answers ask clients to wait before they try again.
constexpr std::string_view kRetryAfterSeconds = "5";
// Scrapes waiting for the metrics thread beyond this get 503: a scraper asks every few seconds
// at most, and one exposition takes milliseconds.
constexpr std::size_t kQueuedScrapes = 4;

/// How a connection goes on after one request.
enum class Ending {
  keep_alive,  ///< read the next request
  close,       ///< send close_notify and close
  drain,       ///< discard unread input for a moment, then close (after refusing a request)
  abort,       ///< close the socket at once (network or TLS error)
};

std::string_view toStd(beast::string_view text) {
  return {text.data(), text.size()};
}

std::string_view orDash(std::string_view text) {
  return text.empty() ? "-" : text;
}

bool isHttpParseError(const ErrorCode& error) {
  return error.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         error != bhttp::error::end_of_stream && error != bhttp::error::partial_message;
}

// The status we answer a failed read with, or nothing if the connection is just gone.
std::optional<bhttp::status> statusForReadError(const ErrorCode& error) {
  if (error == bhttp::error::header_limit) return bhttp::status::request_header_fields_too_large;
  // Beast reports a Content-Length above body_limit as soon as the header is complete, so a too
  // large body is refused before any of it is read.
  if (error == bhttp::error::body_limit) return bhttp::status::payload_too_large;
  if (isHttpParseError(error)) return bhttp::status::bad_request;
  return std::nullopt;
}

const char* reasonText(bhttp::status status) {
  switch (status) {
    case bhttp::status::request_header_fields_too_large:
      return "Verzoekheaders te groot\n";
    case bhttp::status::payload_too_large:
      return "Verzoek te groot\n";
    default:
      return "Ongeldig verzoek\n";
  }
}

// We speak HTTP/1.1, and HTTP/1.0 to clients that ask for it (a parser accepts "HTTP/2.0" too).
unsigned responseVersion(unsigned requestVersion) {
  return requestVersion == 10 ? 10 : 11;
}

bool hasCloseToken(const Response& response) {
  return bhttp::token_list{response[bhttp::field::connection]}.exists("close");
}

bool expectsContinue(const Request& request) {
  return beast::iequals(request[bhttp::field::expect], "100-continue");
}

// The peer's address as people write it: IPv4 clients of a dual-stack listener appear as
// "::ffff:192.0.2.1", which we show as "192.0.2.1".
std::string addressText(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

tcp::endpoint listenEndpoint(net::io_context& context, const std::string& host,
                             std::uint16_t port) {
  ErrorCode error;
  const auto address = net::ip::make_address(host, error);
  if (!error) return {address, port};
  tcp::resolver resolver(context);
  const auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, error);
  if (error || results.empty()) {
    throw std::runtime_error("cannot resolve listen address '" + host +
                             "': " + (error ? error.message() : "no addresses"));
  }
  return results.begin()->endpoint();
}

std::shared_ptr<pki::ClientTrust> loadClientTrust(const pki::ServerTlsSettings& settings) {
  auto trust = pki::ClientTrust::load(settings);
  if (!trust) throw std::runtime_error("TLS configuration failed: " + trust.error().message);
  return *trust;
}

TrustedProxies parseTrustedProxies(const ServerSettings& settings) {
  auto proxies = TrustedProxies::parse(settings.trusted_proxies);
  if (!proxies) throw std::runtime_error("configuration: " + proxies.error().message);
  if (!proxies->empty() && settings.client_certificate_header.empty()) {
    throw std::runtime_error("configuration: trusted proxies need a client certificate header");
  }
  return *proxies;
}

std::vector<AddressRange> parseProxyProtocolSources(const ServerSettings& settings) {
  if (!settings.proxy_protocol) return {};
  auto ranges = parseAddressRanges(settings.proxy_protocol_from, "PROXY protocol source");
  if (!ranges) throw std::runtime_error("configuration: " + ranges.error().message);
  if (ranges->empty()) {
    throw std::runtime_error(
        "configuration: the PROXY protocol needs the addresses that may send it "
        "(server.proxy_protocol_from)");
  }
  return *ranges;
}

MetricsAccess parseMetricsAccess(const ServerSettings& settings) {
  auto access = MetricsAccess::parse(settings.metrics_allow);
  if (!access) throw std::runtime_error("configuration: " + access.error().message);
  return *access;
}

// The transport's 503: overloaded or too slow, worth trying again later.
Response unavailable(std::string_view text) {
  Response response = plainTextResponse(bhttp::status::service_unavailable, text);
  response.set(bhttp::field::retry_after, kRetryAfterSeconds);
  return response;
}

/// Threads for application code (handlers, streamed bodies), apart from the I/O threads, with a
/// bound on the requests inside: running or waiting for a thread.
class Lane {
 public:
  Lane(std::string_view name, int threads, std::size_t queuedPerThread)
      : name_(name),
        threads_(static_cast<std::size_t>(std::max(1, threads))),
        pool_(threads_),
        capacity_(threads_ * (1 + queuedPerThread)) {}

  /// Takes a place for a new request; false when the lane is full.
  bool tryEnter() {
    std::size_t occupied = occupied_.load();
    do {
      if (occupied >= capacity_) return false;
    } while (!occupied_.compare_exchange_weak(occupied, occupied + 1));
    return true;
  }
  /// Takes a place even when full: for the next piece of a response already under way, which
  /// would otherwise be cut short.
  void enter() { ++occupied_; }
  /// Gives back a place taken by tryEnter or enter.
  void leave() { --occupied_; }

  /// For the log and the metrics.
  std::string_view name() const { return name_; }
  std::size_t capacity() const { return capacity_; }
  /// Requests running or waiting, for the metrics.
  std::size_t occupied() const { return occupied_.load(std::memory_order_relaxed); }
  net::thread_pool& pool() { return pool_; }

  /// Drops the work that has not started and waits for the work that has (at the end of run()).
  void finish() {
    if (occupied_.load() > 0) spdlog::info("{}: waiting for the requests still running", name_);
    pool_.stop();
    pool_.join();
  }

 private:
  std::string_view name_;
  std::size_t threads_;
  net::thread_pool pool_;
  std::size_t capacity_;
  std::atomic<std::size_t> occupied_{0};
};

/// The result of work on a lane, shared by the connection that waits for it and the worker that
/// produces it; whichever of result and deadline comes first decides, under the mutex.
template <class T>
struct Handoff {
  Handoff(const net::any_io_executor& connection, SteadyClock::time_point deadline)
      : wake(connection, deadline) {}

  std::mutex mutex;
  std::optional<T> result;
  bool abandoned = false;  ///< the connection stopped waiting: a late result is dropped
  net::steady_timer wake;  ///< expires at the deadline; cancelled when the result is there
};

// Runs `work` (which must not throw; moved from) on `lane`, whose place the caller has taken,
// and waits without blocking the connection's thread until it is done or `deadline` passes.
// Empty when the deadline came first: the work then runs to its end on the worker (nothing
// cancels a transaction halfway) and its result is dropped there; `description` names it in that
// log line. Work that only starts after its deadline is skipped. Arguments by reference to the
// caller's named objects: GCC 12 may destroy a temporary passed by value to a coroutine inside a
// co_await expression twice.
template <class T, class Work>
net::awaitable<std::optional<T>> runOnLane(Lane& lane, SteadyClock::time_point deadline, Work& work,
                                           const std::string& description) {
  static_assert(std::is_nothrow_invocable_r_v<T, Work&>);
  const net::any_io_executor connection = co_await net::this_coro::executor;
  auto handoff = std::make_shared<Handoff<T>>(connection, deadline);
  net::post(lane.pool(), [&lane, handoff, deadline, work = std::move(work), description]() mutable {
    std::optional<T> result;
    if (SteadyClock::now() < deadline) result.emplace(work());
    lane.leave();
    std::lock_guard lock(handoff->mutex);
    if (handoff->abandoned) {
      if (result) {
        const auto overdue =
            std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - deadline);
        spdlog::warn("{} finished {} ms after its deadline; its result is discarded", description,
                     overdue.count());
      }
      return;
    }
    handoff->result = std::move(result);
    // The timer belongs to the connection's strand: cancel it there.
    net::post(handoff->wake.get_executor(), [handoff] { handoff->wake.cancel(); });
  });
  co_await handoff->wake.async_wait(kAsTuple);
  std::lock_guard lock(handoff->mutex);
  if (!handoff->result) handoff->abandoned = true;
  co_return std::move(handoff->result);
}

/// What the application answered, with what it filled in for the log line.
struct Handled {
  Reply reply;
  RequestLog log;
};

/// One call of a streamed body's writer, made on a worker.
struct Piece {
  bool more = false;  ///< false: the body is complete
  std::string bytes;
  std::optional<std::string> failure;  ///< what the writer threw: the body is cut short
};

Piece nextPiece(BodyWriter& writer) noexcept {
  Piece piece;
  try {
    piece.more = writer(piece.bytes);
  } catch (const std::exception& e) {
    piece.failure = e.what();
  } catch (...) {
    piece.failure = "unknown exception";
  }
  return piece;
}

// Logs what escaped a coroutine: everything expected is handled inside, so this is a bug.
auto logEscapedException(std::string_view what) {
  return [what](std::exception_ptr exception) {
    if (!exception) return;
    try {
      std::rethrow_exception(exception);
    } catch (const std::exception& e) {
      spdlog::error("{} failed: {}", what, e.what());
    } catch (...) {
      spdlog::error("{} failed: unknown exception", what);
    }
  };
}

}  // namespace

struct Server::Impl {
  /// One TLS connection; owned by its coroutine, known weakly to the server for shutdown.
  struct Session {
    Session(Impl& owner, tcp::socket socket)
        : server(owner), stream(std::move(socket), owner.tls_) {
      ++server.openConnections_;  // last, so that a throwing constructor counts nothing
    }
    ~Session() {
      if (!clientKey.empty()) server.limits_.release(clientKey);
      server.sessionEnded(connection.id);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    Impl& server;
    Stream stream;
    Connection connection;
    bool idle = false;  ///< waiting for a request to begin; only touched on the session's strand
    bool fromProxy = false;  ///< from a trusted proxy: the client differs per request
    /// From a PROXY protocol source: the client address comes from the PROXY v2 header.
    bool viaProxyProtocol = false;
    std::string clientKey;  ///< counted under this in `limits_`; empty: not counted
    SteadyClock::time_point began = SteadyClock::now();
    /// The client trust generation its handshake was verified with (ADR 0023).
    std::uint64_t trustGeneration = 0;
  };

  Impl(ServerSettings serverSettings, Handler& requestHandler,
       std::shared_ptr<pki::ClientTrust> clientTrust);
  ~Impl();

  void run();
  void stop();

  net::awaitable<void> acceptLoop();
  net::awaitable<void> waitForSignal();
  void startSession(tcp::socket socket);
  Refusal admitClient(const std::string& address, std::string& key);
  void refuse(Refusal refusal, std::string_view address);
  net::awaitable<std::optional<bool>> sendsProxyHeader(const std::shared_ptr<Session>& session);
  net::awaitable<bool> readProxyHeader(Session& session);
  std::string_view staleness(const Session& session, SteadyClock::time_point now) const;
  void recheckPeer(Session& session);
  net::awaitable<void> sweepStaleSessions();
  void beginShutdown();
  void closeIdleSessions(const std::function<bool(const Session&)>& which);
  void sessionEnded(std::uint64_t id);

  net::awaitable<void> serveConnection(std::shared_ptr<Session> session);
  net::awaitable<Ending> serveRequest(Session& session, beast::flat_buffer& buffer);
  net::awaitable<Ending> refuseRequest(Session& session,
                                       const bhttp::request_parser<bhttp::string_body>& parser,
                                       const ErrorCode& error, SteadyClock::time_point started);
  net::awaitable<Handled> answer(const std::shared_ptr<const Request>& request,
                                 const Connection& connection, const Session& session);
  bool servesMetrics(const Request& request, std::string_view path, const Session& session) const;
  net::awaitable<Handled> answerMetrics(const Request& request, const Connection& connection);
  void registerMetrics();
  void recordRequest(std::string_view route, std::string_view method, unsigned status,
                     SteadyClock::time_point started);
  Reply respond(const Request& request, const Connection& connection, RequestLog& log) noexcept;
  net::awaitable<bool> writeResponse(Session& session, Response& response, bool headOnly);
  net::awaitable<bool> writeStreamed(Session& session, Response& head,
                                     const std::shared_ptr<BodyWriter>& body, bool headOnly);
  net::awaitable<void> drainInput(Stream& stream);
  net::awaitable<void> closeTls(Stream& stream);
  void logRequest(const Connection& connection, std::string_view method, std::string_view target,
                  unsigned status, SteadyClock::time_point started, std::string_view person) const;

  ServerSettings settings_;
  Handler& handler_;
  std::shared_ptr<pki::ClientTrust> clientTrust_;
  ForwardedClient forwarded_;
  // Optional so that ~Impl can destroy it first, while the members that the sessions of
  // abandoned coroutines touch in their destructors are still alive.
  std::optional<net::io_context> context_;
  ssl::context tls_{ssl::context::tls_server};
  // Serialises the acceptor, the signal set and the grace timer.
  std::optional<net::strand<net::io_context::executor_type>> control_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::signal_set> signals_;
  std::optional<net::steady_timer> graceTimer_;
  std::uint16_t boundPort_ = 0;
  // Application code runs here, never on the I/O threads; /healthz has a lane of its own so
  // that it answers while every worker is busy (ADR 0012). Optional so that ~Impl can wait for
  // them first: their work uses the handler, this server and timers of the io_context.
  std::optional<Lane> workers_;
  std::optional<Lane> health_;
  std::optional<Lane> scrapes_;  ///< GET /metrics, only with metrics (ADR 0016)

  // Metrics (ADR 0016): empty or null without ServerSettings::metrics. The series are taken once
  // here, so recording is an atomic add.
  MetricsAccess metricsAccess_;
  std::optional<metrics::HttpRequests> requests_;
  prometheus::Counter* handshakesCompleted_ = nullptr;
  prometheus::Counter* handshakesFailed_ = nullptr;
  /// By pki::PeerStatus; null for none and trusted, which are no failures.
  std::array<prometheus::Counter*, 7> certificateFailures_{};
  /// Read the lanes and the connection count; released first in ~Impl, before what they read.
  std::vector<metrics::SampledFamily> sampled_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> tearingDown_{false};
  std::atomic<std::uint64_t> nextConnectionId_{1};
  std::atomic<std::size_t> openConnections_{0};
  bool shutdownStarted_ = false;  ///< control strand only

  // Per-client limits and the PROXY protocol (ADR 0023).
  ConnectionLimits limits_;
  RefusalLog refusalLog_{kLimitWarningInterval};
  std::vector<AddressRange> proxyProtocolFrom_;
  /// By Refusal; null without metrics and for Refusal::none.
  std::array<prometheus::Counter*, std::size(kRefusals) + 1> refusals_{};
  std::optional<net::steady_timer> sweepTimer_;  ///< control strand only

  std::mutex sessionsMutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;
};

Server::Impl::Impl(ServerSettings serverSettings, Handler& requestHandler,
                   std::shared_ptr<pki::ClientTrust> clientTrust)
    : settings_(std::move(serverSettings)),
      handler_(requestHandler),
      clientTrust_(std::move(clientTrust)),
      forwarded_(parseTrustedProxies(settings_), settings_.client_certificate_header, clientTrust_),
      context_(std::in_place, std::max(1, settings_.threads)),
      control_(std::in_place, net::make_strand(*context_)),
      workers_(std::in_place, "workers", settings_.worker_threads, settings_.queued_per_worker),
      health_(std::in_place, "health check", 1, kQueuedHealthChecks),
      metricsAccess_(parseMetricsAccess(settings_)),
      limits_(settings_.max_connections_per_address, settings_.handshakes_per_second_per_address,
              settings_.handshake_burst_per_address),
      proxyProtocolFrom_(parseProxyProtocolSources(settings_)) {
  if (settings_.metrics) registerMetrics();
  if (auto configured = pki::configureServerContext(tls_.native_handle(), settings_.tls);
      !configured) {
    throw std::runtime_error("TLS configuration failed: " + configured.error().message);
  }
  const tcp::endpoint endpoint = listenEndpoint(*context_, settings_.host, settings_.port);
  acceptor_.emplace(*control_);
  ErrorCode error;
  acceptor_->open(endpoint.protocol(), error);
  // A restarted server must be able to bind while old connections linger in TIME_WAIT.
  if (!error) acceptor_->set_option(net::socket_base::reuse_address(true), error);
  if (!error) acceptor_->bind(endpoint, error);
  if (!error) acceptor_->listen(net::socket_base::max_listen_connections, error);
  if (!error) boundPort_ = acceptor_->local_endpoint(error).port();
  if (error) {
    throw std::runtime_error("cannot listen on " + settings_.host + ":" +
                             std::to_string(settings_.port) + ": " + error.message());
  }
}

Server::Impl::~Impl() {
  tearingDown_ = true;
  sampled_.clear();  // no scrape reads the lanes from here on
  workers_.reset();
  health_.reset();
  scrapes_.reset();
  graceTimer_.reset();
  sweepTimer_.reset();
  signals_.reset();
  acceptor_.reset();
  control_.reset();
  // Destroys the coroutines of connections still open after the grace period (or of a server
  // that never ran); their Session destructors need the members below, so this goes first.
  context_.reset();
}

void Server::Impl::run() {
  signals_.emplace(*control_, SIGTERM, SIGINT);
  net::co_spawn(*control_, waitForSignal(), logEscapedException("signal handling"));
  net::co_spawn(*control_, acceptLoop(), logEscapedException("accept loop"));
  sweepTimer_.emplace(*control_);
  net::co_spawn(*control_, sweepStaleSessions(), logEscapedException("stale connection sweep"));
  spdlog::info("listening on https://{}:{} ({} I/O threads, {} workers, request timeout {} s)",
               settings_.host, boundPort_, std::max(1, settings_.threads),
               std::max(1, settings_.worker_threads), settings_.request_timeout.count());
  if (forwarded_.disabled()) {
    spdlog::info("client certificates: from TLS");
  } else {
    spdlog::info(
        "client certificates: from header {} and X-Forwarded-For of trusted proxies {}; "
        "from TLS for other addresses",
        settings_.client_certificate_header, fmt::join(settings_.trusted_proxies, ","));
  }
  if (settings_.proxy_protocol) {
    spdlog::info("client addresses: from the PROXY v2 header of connections from {}",
                 fmt::join(settings_.proxy_protocol_from, ","));
  }

  std::vector<std::thread> threads;
  for (int i = 1; i < settings_.threads; ++i) threads.emplace_back([this] { context_->run(); });
  context_->run();
  for (auto& thread : threads) thread.join();
  // Handlers still running after the grace period end on their own (nothing cancels a
  // transaction halfway): nothing may run application code once run() has returned.
  workers_->finish();
  health_->finish();
  if (scrapes_) scrapes_->finish();

  // No thread runs the context any more, so the signal set may be touched here; dropping it
  // gives SIGTERM/SIGINT their default meaning back.
  signals_.reset();
  spdlog::info("server stopped");
}

void Server::Impl::stop() {
  // Set before anything is posted: every session that looks at it afterwards stops keep-alive.
  stopping_ = true;
  net::post(*control_, [this] { beginShutdown(); });
}

net::awaitable<void> Server::Impl::waitForSignal() {
  auto [error, signal] = co_await signals_->async_wait(kAsTuple);
  if (error) co_return;  // cancelled by a shutdown that began otherwise
  spdlog::info("received signal {}, shutting down", signal);
  stopping_ = true;
  beginShutdown();
}

void Server::Impl::beginShutdown() {
  if (shutdownStarted_) return;
  shutdownStarted_ = true;
  ErrorCode ignored;
  acceptor_->close(ignored);
  if (signals_) signals_->cancel(ignored);
  if (sweepTimer_) sweepTimer_->cancel();
  closeIdleSessions([](const Session&) { return true; });

  const std::size_t open = openConnections_.load();
  if (open == 0) {
    context_->stop();
    return;
  }
  spdlog::info("stopping: waiting up to {} s for {} open connections",
               settings_.shutdown_grace.count(), open);
  graceTimer_.emplace(*control_, settings_.shutdown_grace);
  graceTimer_->async_wait([this](const ErrorCode& error) {
    if (error) return;
    spdlog::warn("shutdown grace period over, closing {} connections", openConnections_.load());
    context_->stop();
  });
}

void Server::Impl::closeIdleSessions(const std::function<bool(const Session&)>& which) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessionsMutex_);
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  // On the session's strand `idle` cannot change under us; a session that is busy now sees
  // `stopping_` before it waits for another request (serveRequest).
  for (auto& session : live) {
    net::post(session->stream.get_executor(), [session, which] {
      if (session->idle && which(*session)) beast::get_lowest_layer(session->stream).cancel();
    });
  }
}

void Server::Impl::sessionEnded(std::uint64_t id) {
  {
    std::lock_guard lock(sessionsMutex_);
    sessions_.erase(id);
  }
  const std::size_t remaining = openConnections_.fetch_sub(1) - 1;
  // `stopping_` is set before beginShutdown counts the connections, and the count is lowered
  // before `stopping_` is read here: one of the two always sees the last connection go.
  if (remaining == 0 && stopping_ && !tearingDown_) context_->stop();
}

net::awaitable<void> Server::Impl::acceptLoop() {
  for (;;) {
    // Each connection gets its own strand: its coroutine then needs no locks.
    auto [error, accepted] =
        co_await acceptor_->async_accept(net::make_strand(*context_), kAsTuple);
    tcp::socket socket(std::move(accepted));
    if (stopping_ || !acceptor_->is_open()) co_return;
    if (error) {
      spdlog::warn("accept failed: {}", error.message());
      net::steady_timer pause(*control_, kAcceptRetryDelay);
      co_await pause.async_wait(kAsTuple);
      continue;
    }
    if (openConnections_.load() >= settings_.max_connections) {
      ErrorCode remoteError;
      const auto remote = socket.remote_endpoint(remoteError);
      refuse(Refusal::connection_limit,
             remoteError ? std::string() : addressText(remote.address()));
      ErrorCode ignored;
      socket.close(ignored);
      continue;
    }
    try {
      startSession(std::move(socket));
    } catch (const std::exception& e) {
      // E.g. no memory for the TLS state of one more connection: drop it, keep accepting.
      spdlog::error("cannot start a connection: {}", e.what());
    }
  }
}

void Server::Impl::startSession(tcp::socket socket) {
  ErrorCode error;
  const auto remote = socket.remote_endpoint(error);
  const std::string address = error ? std::string() : addressText(remote.address());
  const auto parsed = IpAddress::parse(address);
  // A balancer's connections carry many clients: they are counted once its header names one. A
  // TLS-terminating proxy's carry many clients too, and are only under max_connections.
  const bool viaProxyProtocol = parsed && anyContains(proxyProtocolFrom_, *parsed);
  std::string key;
  if (!viaProxyProtocol && !forwarded_.trusts(address)) {
    if (const Refusal refusal = admitClient(address, key); refusal != Refusal::none) {
      refuse(refusal, address);
      ErrorCode ignored;
      socket.close(ignored);
      return;
    }
  }
  std::shared_ptr<Session> session;
  try {
    session = std::make_shared<Session>(*this, std::move(socket));
  } catch (...) {
    if (!key.empty()) limits_.release(key);
    throw;
  }
  session->clientKey = std::move(key);
  session->viaProxyProtocol = viaProxyProtocol;
  session->connection.id = nextConnectionId_++;
  session->connection.remote_address = address;
  session->fromProxy = forwarded_.trusts(session->connection.remote_address);
  {
    std::lock_guard lock(sessionsMutex_);
    sessions_.emplace(session->connection.id, session);
  }
  auto executor = session->stream.get_executor();
  net::co_spawn(executor, serveConnection(std::move(session)), logEscapedException("connection"));
}

Refusal Server::Impl::admitClient(const std::string& address, std::string& key) {
  const auto parsed = IpAddress::parse(address);
  if (!parsed) return Refusal::none;  // no address (the peer is gone already): nothing to count
  std::string candidate = ConnectionLimits::clientKey(*parsed);
  const Refusal refusal = limits_.admit(candidate, SteadyClock::now());
  if (refusal == Refusal::none) key = std::move(candidate);
  return refusal;
}

void Server::Impl::refuse(Refusal refusal, std::string_view address) {
  if (auto* counter = refusals_.at(static_cast<std::size_t>(refusal))) counter->Increment();
  std::string limit;
  switch (refusal) {
    case Refusal::connection_limit:
      limit = fmt::format("connection limit of {}", settings_.max_connections);
      break;
    case Refusal::address_limit:
      limit =
          fmt::format("per-address connection limit of {}", settings_.max_connections_per_address);
      break;
    case Refusal::handshake_rate:
      limit = fmt::format("per-address handshake rate of {}/s (burst {})",
                          settings_.handshakes_per_second_per_address,
                          settings_.handshake_burst_per_address);
      break;
    case Refusal::proxy_header_invalid:
      limit = "PROXY protocol source without a valid PROXY v2 header";
      break;
    case Refusal::proxy_header_untrusted:
      limit = "PROXY header from an address not in server.proxy_protocol_from";
      break;
    case Refusal::none:
      return;
  }
  refusalLog_.note(refusal, address, limit);
}

net::awaitable<std::optional<bool>> Server::Impl::sendsProxyHeader(
    const std::shared_ptr<Session>& session) {
  // Peeked, not read: a TLS ClientHello must stay in the socket for the handshake.
  auto& socket = beast::get_lowest_layer(session->stream).socket();
  net::steady_timer timer(session->stream.get_executor(), settings_.handshake_timeout);
  timer.async_wait([session](const ErrorCode& error) {
    if (!error) beast::get_lowest_layer(session->stream).socket().cancel();
  });
  auto [waitError] = co_await socket.async_wait(tcp::socket::wait_read, kAsTuple);
  timer.cancel();
  if (waitError) co_return std::nullopt;
  std::array<std::uint8_t, 12> first{};
  ErrorCode peekError;
  const std::size_t bytes =
      socket.receive(net::buffer(first), tcp::socket::message_peek, peekError);
  if (peekError || bytes == 0) co_return std::nullopt;
  co_return looksLikeProxyHeader(std::span<const std::uint8_t>(first.data(), bytes));
}

net::awaitable<bool> Server::Impl::readProxyHeader(Session& session) {
  auto& socket = beast::get_lowest_layer(session.stream);
  const std::string balancer = session.connection.remote_address;
  socket.expires_after(settings_.handshake_timeout);
  std::array<std::uint8_t, kProxyV2FixedBytes + kProxyV2MaxRestBytes> bytes{};
  auto [fixedError, fixedBytes] =
      co_await net::async_read(socket, net::buffer(bytes.data(), kProxyV2FixedBytes), kAsTuple);
  if (fixedError) {
    spdlog::debug("no PROXY header conn={} from={}: {}", session.connection.id, balancer,
                  fixedError.message());
    co_return false;
  }
  auto rest = proxyV2RestLength(
      std::span<const std::uint8_t, kProxyV2FixedBytes>(bytes.data(), kProxyV2FixedBytes));
  core::Result<ProxyV2Header> header = rest ? core::Result<ProxyV2Header>(ProxyV2Header{})
                                            : core::Result<ProxyV2Header>(rest.error());
  if (rest) {
    auto [restError, restBytes] = co_await net::async_read(
        socket, net::buffer(bytes.data() + kProxyV2FixedBytes, *rest), kAsTuple);
    if (restError) {
      spdlog::debug("PROXY header cut short conn={} from={}: {}", session.connection.id, balancer,
                    restError.message());
      co_return false;
    }
    header = parseProxyV2(std::span<const std::uint8_t>(bytes.data(), kProxyV2FixedBytes + *rest));
  }
  if (!header) {
    spdlog::debug("refused conn={} from={}: {}", session.connection.id, balancer,
                  header.error().message);
    refuse(Refusal::proxy_header_invalid, balancer);
    co_return false;
  }
  if (!header->source_address.empty()) session.connection.remote_address = header->source_address;
  // The client may itself be a TLS-terminating proxy; the balancer never is one.
  session.fromProxy = forwarded_.trusts(session.connection.remote_address);
  spdlog::debug("PROXY header conn={} from={}: client {}", session.connection.id, balancer,
                session.connection.remote_address);
  std::string key;
  if (const Refusal refusal =
          session.fromProxy ? Refusal::none : admitClient(session.connection.remote_address, key);
      refusal != Refusal::none) {
    refuse(refusal, session.connection.remote_address);
    co_return false;
  }
  session.clientKey = std::move(key);
  co_return true;
}

std::string_view Server::Impl::staleness(const Session& session,
                                         SteadyClock::time_point now) const {
  if (session.trustGeneration != clientTrust_->generation())
    return "the client trust was reloaded since it began";
  if (now - session.began >= settings_.max_connection_age) return "it reached its maximum age";
  return {};
}

void Server::Impl::recheckPeer(Session& session) {
  // A request that came in after a trust reload, before the connection could be closed: its
  // verdict is taken again against the new CAs and CRLs. A proxy's clients are verified per
  // request anyway (ForwardedClient).
  if (session.fromProxy || session.trustGeneration == clientTrust_->generation()) return;
  pki::PeerVerification& peer = session.connection.peer;
  if (peer.certificate) peer = clientTrust_->verify(peer.certificate->toPem());
}

net::awaitable<void> Server::Impl::sweepStaleSessions() {
  for (;;) {
    sweepTimer_->expires_after(kStaleSweepInterval);
    auto [error] = co_await sweepTimer_->async_wait(kAsTuple);
    if (error || stopping_) co_return;
    // A busy connection closes after its response (serveRequest); an idle one is closed here,
    // so that it never answers another request with its old verdict.
    closeIdleSessions([this](const Session& session) {
      const std::string_view why = staleness(session, SteadyClock::now());
      if (!why.empty()) spdlog::debug("closing idle conn={}: {}", session.connection.id, why);
      return !why.empty();
    });
  }
}

net::awaitable<void> Server::Impl::serveConnection(std::shared_ptr<Session> session) {
  Stream& stream = session->stream;
  if (session->viaProxyProtocol) {
    if (!co_await readProxyHeader(*session)) co_return;
  } else if (!proxyProtocolFrom_.empty()) {
    const auto proxyHeader = co_await sendsProxyHeader(session);
    if (!proxyHeader) co_return;  // gone, or silent for the whole handshake timeout
    if (*proxyHeader) {
      refuse(Refusal::proxy_header_untrusted, session->connection.remote_address);
      co_return;
    }
  }
  session->trustGeneration = clientTrust_->generation();  // before applyTo: never too new
  clientTrust_->applyTo(stream.native_handle());  // the CRLs current when the connection began
  beast::get_lowest_layer(stream).expires_after(settings_.handshake_timeout);
  auto [handshakeError] = co_await stream.async_handshake(ssl::stream_base::server, kAsTuple);
  if (handshakeError) {
    // Scanners, old TLS versions and impatient clients: not worth more than a debug line.
    spdlog::debug("handshake failed conn={} from={}: {}", session->connection.id,
                  session->connection.remote_address, handshakeError.message());
    if (handshakesFailed_) handshakesFailed_->Increment();
    co_return;
  }
  if (handshakesCompleted_) handshakesCompleted_->Increment();
  // Once per connection: verifying a client certificate costs milliseconds of CPU, too much to
  // repeat for every request on a keep-alive connection (ARCHITECTURE.md §1). A proxy's own
  // certificate never identifies anyone: its clients' come per request (serveRequest).
  if (!session->fromProxy) {
    session->connection.peer = pki::peerVerification(stream.native_handle());
    const auto status = static_cast<std::size_t>(session->connection.peer.status);
    if (status < certificateFailures_.size() && certificateFailures_[status])
      certificateFailures_[status]->Increment();
  }

  beast::flat_buffer buffer;
  Ending ending = Ending::keep_alive;
  while (ending == Ending::keep_alive) ending = co_await serveRequest(*session, buffer);
  if (ending == Ending::drain) co_await drainInput(stream);
  if (ending != Ending::abort) co_await closeTls(stream);
}

net::awaitable<Ending> Server::Impl::serveRequest(Session& session, beast::flat_buffer& buffer) {
  Stream& stream = session.stream;
  auto& socket = beast::get_lowest_layer(stream);

  // Between requests the connection is idle: the idle timeout applies, and a shutdown may
  // close it (closeIdleSessions). Pipelined bytes already in the buffer skip this wait.
  if (buffer.size() == 0) {
    session.idle = true;
    if (stopping_) co_return Ending::close;
    socket.expires_after(settings_.idle_timeout);
    auto [error, bytes] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kAsTuple);
    session.idle = false;
    if (error) {
      // Also where TLS 1.3 reports a client certificate the server refused: quietly.
      spdlog::debug("read failed conn={}: {}", session.connection.id, error.message());
      co_return Ending::abort;
    }
    buffer.commit(bytes);
  }

  const auto started = SteadyClock::now();
  socket.expires_after(settings_.read_timeout);  // for the whole request, header and body
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
      settings_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(settings_.max_body_bytes);
  auto [headerError, headerBytes] =
      co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
  if (headerError) co_return co_await refuseRequest(session, parser, headerError, started);

  if (!parser.is_done()) {
    if (parser.get().version() >= 11 && expectsContinue(parser.get())) {
      // The client waits for this before it sends the body (RFC 9110 §10.1.1).
      bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, 11};
      socket.expires_after(settings_.write_timeout);
      auto [continueError, continueBytes] = co_await bhttp::async_write(stream, proceed, kAsTuple);
      if (continueError) co_return Ending::abort;
      socket.expires_after(settings_.read_timeout);
    }
    auto [bodyError, bodyBytes] = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
    if (bodyError) co_return co_await refuseRequest(session, parser, bodyError, started);
  }

  // Shared with the worker that handles it, which may outlive this coroutine (ADR 0012).
  const auto request = std::make_shared<const Request>(parser.release());
  // Behind a TLS-terminating proxy one connection carries many users: the client comes from
  // headers of each request, and only from a trusted proxy (ADR 0010).
  std::optional<Connection> forwarded;
  if (session.fromProxy) {
    forwarded = forwarded_.clientOf(*request, session.connection, SteadyClock::now());
  } else if (!forwarded_.certificateHeader().empty() &&
             request->find(forwarded_.certificateHeader()) != request->end()) {
    spdlog::debug("ignored header {} conn={} from={}: not a trusted proxy",
                  forwarded_.certificateHeader(), session.connection.id,
                  session.connection.remote_address);
  }
  recheckPeer(session);
  Connection connection = forwarded ? std::move(*forwarded) : session.connection;
  // From the complete request on: a slow upload is bounded by read_timeout instead.
  connection.deadline = SteadyClock::now() + settings_.request_timeout;
  Handled handled = co_await answer(request, connection, session);
  Response& response = handled.reply.response;
  response.version(responseVersion(request->version()));
  const bool streamed = static_cast<bool>(handled.reply.body);
  // An HTTP/1.0 client knows no chunks: a streamed body then ends with the connection.
  const bool endsWithClose = streamed && response.version() < 11;
  // An old connection, or one verified before a trust reload, ends here: its client reconnects
  // and is verified afresh (ADR 0023).
  const std::string_view stale = staleness(session, SteadyClock::now());
  if (!stale.empty())
    spdlog::debug("closing conn={} after its response: {}", session.connection.id, stale);
  const bool keepAlive = request->keep_alive() && !hasCloseToken(response) && !stopping_ &&
                         !endsWithClose && stale.empty();
  response.keep_alive(keepAlive);
  applySecurityHeaders(response);
  const unsigned status = response.result_int();

  const bool headOnly = request->method() == bhttp::verb::head;
  bool written = false;
  if (streamed) {
    const auto writer = std::make_shared<BodyWriter>(std::move(handled.reply.body));
    written = co_await writeStreamed(session, response, writer, headOnly);
  } else {
    written = co_await writeResponse(session, response, headOnly);
  }
  logRequest(connection, toStd(request->method_string()), toStd(request->target()), status, started,
             handled.log.person);
  recordRequest(handled.log.route, toStd(request->method_string()), status, started);
  if (!written) co_return Ending::abort;
  co_return keepAlive ? Ending::keep_alive : Ending::close;
}

net::awaitable<Ending> Server::Impl::refuseRequest(
    Session& session, const bhttp::request_parser<bhttp::string_body>& parser,
    const ErrorCode& error, SteadyClock::time_point started) {
  const auto status = statusForReadError(error);
  if (!status) {
    spdlog::debug("read failed conn={}: {}", session.connection.id, error.message());
    co_return Ending::abort;
  }
  const auto& partial = parser.get();  // as far as it was parsed
  Response response =
      plainTextResponse(*status, reasonText(*status), responseVersion(partial.version()));
  response.keep_alive(false);
  applySecurityHeaders(response);
  const bool written = co_await writeResponse(session, response, false);
  logRequest(session.connection, toStd(partial.method_string()), toStd(partial.target()),
             response.result_int(), started, "");
  recordRequest(metrics::kUnroutedRoute, toStd(partial.method_string()), response.result_int(),
                started);
  co_return written ? Ending::drain : Ending::abort;
}

net::awaitable<Handled> Server::Impl::answer(const std::shared_ptr<const Request>& request,
                                             const Connection& connection, const Session& session) {
  const std::string_view path = targetPath(toStd(request->target()));
  // Static files are the transport's own: small reads, no application code.
  if (isStaticPath(path))
    co_return Handled{serveStaticFile(*request, settings_.static_dir),
                      {.route = metrics::kStaticRoute}};
  if (servesMetrics(*request, path, session))
    co_return co_await answerMetrics(*request, connection);
  Lane& lane =
      !settings_.health_path.empty() && path == settings_.health_path ? *health_ : *workers_;
  const auto loggedPath = path.substr(0, kMaxLoggedPathLength);
  if (!lane.tryEnter()) {
    spdlog::warn("{} busy with {} requests: 503 conn={} path={}", lane.name(), lane.capacity(),
                 connection.id, loggedPath);
    co_return Handled{unavailable("Te veel verzoeken tegelijk; probeer het later opnieuw\n"),
                      {.route = metrics::kUnroutedRoute}};
  }
  auto work = [this, request, connection]() noexcept {
    RequestLog log;
    Reply reply = respond(*request, connection, log);
    return Handled{std::move(reply), std::move(log)};
  };
  const auto description = fmt::format("handler conn={} path={}", connection.id, loggedPath);
  auto handled = co_await runOnLane<Handled>(lane, connection.deadline, work, description);
  if (handled) co_return std::move(*handled);
  spdlog::warn("request deadline of {} s passed conn={} path={}: 503, the handler goes on",
               settings_.request_timeout.count(), connection.id, loggedPath);
  Response tooLate = unavailable("Het verzoek duurde te lang; probeer het later opnieuw\n");
  // Requests pipelined behind this one would otherwise run while the abandoned handler may still
  // be changing the same data.
  tooLate.keep_alive(false);
  co_return Handled{std::move(tooLate), {.route = metrics::kUnroutedRoute}};
}

bool Server::Impl::servesMetrics(const Request& request, std::string_view path,
                                 const Session& session) const {
  // The TCP peer decides, never X-Forwarded-For: a header proves nothing about who asks. A
  // connection from a trusted proxy carries everyone's requests, so it never reads the metrics,
  // even when its address is allowed (ADR 0016).
  return requests_ && path == settings_.metrics_path &&
         (request.method() == bhttp::verb::get || request.method() == bhttp::verb::head) &&
         !session.fromProxy && metricsAccess_.allows(session.connection.remote_address);
}

net::awaitable<Handled> Server::Impl::answerMetrics(const Request& request,
                                                    const Connection& connection) {
  const RequestLog log{.route = settings_.metrics_path};
  // A thread of its own, like /healthz: the metrics matter most when every worker is busy.
  if (!scrapes_->tryEnter()) {
    spdlog::warn("{} busy with {} requests: 503 conn={}", scrapes_->name(), scrapes_->capacity(),
                 connection.id);
    co_return Handled{unavailable("Te veel verzoeken tegelijk; probeer het later opnieuw\n"), log};
  }
  auto work = [this, version = request.version()]() noexcept -> std::optional<Response> {
    try {
      Response response{bhttp::status::ok, version};
      response.set(bhttp::field::content_type, metrics::kExpositionContentType);
      response.set(bhttp::field::cache_control, "no-store");
      response.body() = settings_.metrics->exposition();
      response.prepare_payload();
      return response;
    } catch (const std::exception& e) {
      spdlog::error("metrics exposition failed: {}", e.what());
      return std::nullopt;
    }
  };
  const auto description = fmt::format("metrics conn={}", connection.id);
  auto response = co_await runOnLane<std::optional<Response>>(*scrapes_, connection.deadline, work,
                                                              description);
  if (!response) co_return Handled{unavailable("Het verzoek duurde te lang\n"), log};
  if (!*response)
    co_return Handled{
        plainTextResponse(bhttp::status::internal_server_error, "Interne serverfout\n"), log};
  co_return Handled{std::move(**response), log};
}

void Server::Impl::registerMetrics() {
  metrics::Registry& registry = *settings_.metrics;
  requests_.emplace(registry, settings_.metric_routes, std::vector{settings_.metrics_path});
  scrapes_.emplace("metrics", 1, kQueuedScrapes);
  handshakesCompleted_ = &registry.tls_handshakes.Add({{"result", "completed"}});
  handshakesFailed_ = &registry.tls_handshakes.Add({{"result", "failed"}});
  for (const Refusal refusal : kRefusals) {
    refusals_.at(static_cast<std::size_t>(refusal)) =
        &registry.connections_refused.Add({{"reason", toString(refusal)}});
  }
  for (const auto status :
       {pki::PeerStatus::expired, pki::PeerStatus::revoked, pki::PeerStatus::untrusted,
        pki::PeerStatus::wrong_usage, pki::PeerStatus::invalid}) {
    certificateFailures_.at(static_cast<std::size_t>(status)) =
        &registry.client_certificate_failures.Add({{"reason", pki::toString(status)}});
  }
  // Read at scrape time from what the server counts anyway.
  const auto perLane = [this](std::size_t (Lane::*read)() const) {
    return [this, read] {
      return std::vector<metrics::Sample>{{{{"lane", "workers"}}, double(((*workers_).*read)())},
                                          {{{"lane", "health"}}, double(((*health_).*read)())},
                                          {{{"lane", "metrics"}}, double(((*scrapes_).*read)())}};
    };
  };
  sampled_.push_back(registry.addSampled(
      "mijncert_http_lane_requests",
      "Requests on a lane of threads (workers, health, metrics): running or waiting for a thread",
      metrics::SampledKind::gauge, perLane(&Lane::occupied)));
  sampled_.push_back(registry.addSampled(
      "mijncert_http_lane_capacity_requests",
      "Requests a lane takes (running and waiting); beyond this it answers 503 at once",
      metrics::SampledKind::gauge, perLane(&Lane::capacity)));
  sampled_.push_back(registry.addSampled(
      "mijncert_http_open_connections", "Client connections open now", metrics::SampledKind::gauge,
      [this] {
        return std::vector<metrics::Sample>{{{}, double(openConnections_.load())}};
      }));
}

void Server::Impl::recordRequest(std::string_view route, std::string_view method, unsigned status,
                                 SteadyClock::time_point started) {
  if (!requests_) return;
  const std::chrono::duration<double> seconds = SteadyClock::now() - started;
  requests_->observe(route, method, status, seconds.count());
}

Reply Server::Impl::respond(const Request& request, const Connection& connection,
                            RequestLog& log) noexcept {
  try {
    Reply reply = handler_.handle(request, connection, log);
    // Content-Length from the body, unless a HEAD answer already states the length of the body
    // it leaves out, or the body is streamed (its length is not known in advance).
    Response& response = reply.response;
    if (!reply.body && !(request.method() == bhttp::verb::head && response.body().empty())) {
      response.prepare_payload();
    }
    return reply;
  } catch (const std::exception& e) {
    spdlog::error("handler failed conn={} method={} path={}: {}", connection.id,
                  toStd(request.method_string()), targetPath(toStd(request.target())), e.what());
  } catch (...) {
    spdlog::error("handler failed conn={} method={} path={}: unknown exception", connection.id,
                  toStd(request.method_string()), targetPath(toStd(request.target())));
  }
  // Generic on purpose: the exception text may name internals.
  return plainTextResponse(bhttp::status::internal_server_error, "Interne serverfout\n");
}

net::awaitable<bool> Server::Impl::writeResponse(Session& session, Response& response,
                                                 bool headOnly) {
  beast::get_lowest_layer(session.stream).expires_after(settings_.write_timeout);
  ErrorCode error;
  if (headOnly) {
    // The header of the GET answer, Content-Length included, without the body (RFC 9110 §9.3.2).
    bhttp::response<bhttp::empty_body> header{std::move(response.base())};
    auto [headError, bytes] = co_await bhttp::async_write(session.stream, header, kAsTuple);
    error = headError;
  } else {
    auto [bodyError, bytes] = co_await bhttp::async_write(session.stream, response, kAsTuple);
    error = bodyError;
  }
  if (error) spdlog::debug("write failed conn={}: {}", session.connection.id, error.message());
  co_return !error;
}

net::awaitable<bool> Server::Impl::writeStreamed(Session& session, Response& head,
                                                 const std::shared_ptr<BodyWriter>& body,
                                                 bool headOnly) {
  auto& socket = beast::get_lowest_layer(session.stream);
  const bool chunked = head.version() >= 11;
  bhttp::response<bhttp::empty_body> header{std::move(head.base())};
  header.chunked(chunked);
  bhttp::response_serializer<bhttp::empty_body> serializer{header};
  socket.expires_after(settings_.write_timeout);
  auto [headerError, headerBytes] =
      co_await bhttp::async_write_header(session.stream, serializer, kAsTuple);
  if (headerError || headOnly) co_return !headerError;

  // Each chunk is written as soon as it is produced, each within the write timeout, so a slow
  // client is cut off and memory holds one chunk at a time. On failure the status is sent
  // already: closing without the last chunk tells the client the body is incomplete.
  const auto description = fmt::format("streamed body conn={}", session.connection.id);
  for (;;) {
    workers_->enter();
    auto work = [body]() noexcept { return nextPiece(*body); };
    auto piece = co_await runOnLane<Piece>(
        *workers_, SteadyClock::now() + settings_.request_timeout, work, description);
    if (!piece) {
      spdlog::warn("streamed body conn={}: no next piece within {} s, closing",
                   session.connection.id, settings_.request_timeout.count());
      co_return false;
    }
    if (piece->failure) {
      spdlog::error("streamed body failed conn={}: {}", session.connection.id, *piece->failure);
      co_return false;
    }
    if (!piece->more) break;
    if (piece->bytes.empty()) continue;  // an empty chunk would end a chunked body early
    socket.expires_after(settings_.write_timeout);
    ErrorCode error;
    if (chunked) {
      auto [chunkError, bytes] = co_await net::async_write(
          session.stream, bhttp::make_chunk(net::buffer(piece->bytes)), kAsTuple);
      error = chunkError;
    } else {
      auto [rawError, bytes] =
          co_await net::async_write(session.stream, net::buffer(piece->bytes), kAsTuple);
      error = rawError;
    }
    if (error) {
      spdlog::debug("write failed conn={}: {}", session.connection.id, error.message());
      co_return false;
    }
  }
  if (!chunked) co_return true;
  socket.expires_after(settings_.write_timeout);
  auto [lastError, lastBytes] =
      co_await net::async_write(session.stream, bhttp::make_chunk_last(), kAsTuple);
  co_return !lastError;
}

net::awaitable<void> Server::Impl::drainInput(Stream& stream) {
  beast::get_lowest_layer(stream).expires_after(kDrainTimeout);
  std::array<char, kReadChunk> discarded;
  std::size_t total = 0;
  while (total < kDrainLimit) {
    auto [error, bytes] = co_await stream.async_read_some(net::buffer(discarded), kAsTuple);
    if (error) co_return;
    total += bytes;
  }
}

net::awaitable<void> Server::Impl::closeTls(Stream& stream) {
  beast::get_lowest_layer(stream).expires_after(kTlsCloseTimeout);
  auto [error] = co_await stream.async_shutdown(kAsTuple);
  // Errors are normal here (truncated stream, timeout): the response is already delivered.
  static_cast<void>(error);
}

void Server::Impl::logRequest(const Connection& connection, std::string_view method,
                              std::string_view target, unsigned status,
                              SteadyClock::time_point started, std::string_view person) const {
  const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  // The path only: query strings may carry search terms or tokens. Never headers or bodies.
  spdlog::info("request conn={} method={} path={} status={} duration_ms={} person={} from={}",
               connection.id, orDash(method),
               orDash(targetPath(target).substr(0, kMaxLoggedPathLength)), status, duration.count(),
               orDash(person), orDash(connection.remote_address));
}

Server::Server(ServerSettings settings, Handler& handler,
               std::shared_ptr<pki::ClientTrust> client_trust)
    : impl_(std::make_unique<Impl>(std::move(settings), handler, std::move(client_trust))) {}

Server::Server(ServerSettings settings, Handler& handler)
    : Server(settings, handler, loadClientTrust(settings.tls)) {}

Server::~Server() = default;

std::uint16_t Server::port() const {
  return impl_->boundPort_;
}

void Server::run() {
  impl_->run();
}

void Server::stop() {
  impl_->stop();
}

}  // namespace http
