// build/bench/load: the HTTP load client of the benchmark suite (bench/README.md, ADR 0017).
// It drives one HTTPS URL over mutual TLS with N keep-alive connections, or with a fresh TCP+TLS
// connection and a full handshake per request, and reports throughput, latency percentiles and
// errors by kind, as text or as one JSON object the suite reads. Run `build/bench/load --help`.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Stream = asio::ssl::stream<beast::tcp_stream>;

namespace {

constexpr std::string_view kUsage = R"(Usage: load --url https://HOST:PORT/PATH [options]

Sends GET requests to one HTTPS URL for a fixed time and reports requests, req/s, latency
percentiles and errors by kind. Exit code 0 when the run took place (errors are reported, not
judged), 1 when it could not (unreadable key, unresolvable host, no session cookie), 2 on a usage
error.

Options:
  --url URL              https://HOST[:PORT]/PATH[?QUERY] (required)
  --cert PEM --key PEM   client certificate (chain) and its key, for mutual TLS
  --ca PEM               verify the server against these CAs and its name against HOST;
                         without it the server certificate is not checked
  --connections N        concurrent connections (clients) (default 64)
  --duration SECONDS     measured time (default 10)
  --warmup SECONDS       time before the measurement whose requests are not counted (default 0);
                         keep-alive connections stay open across it
  --threads N            I/O threads, each with its own share of the connections (default 1)
  --mode MODE            keepalive: N persistent connections, each sending requests back to back
                         (default); new-connection: every request on a fresh TCP+TLS connection
                         with a full handshake (no session resumption), N clients at a time
  --header 'Name: value' an extra request header (repeatable)
  --session              before measuring, GET the URL (or --session-path) once and send the
                         Set-Cookie values of that response as Cookie on every request, as a
                         browser with a session does; fails when nothing is set
  --session-path PATH    take the session cookie from this path instead
  --expect-status CODE   responses with another status count as status errors (default 200)
  --timeout SECONDS      per request, including connect and handshake (default 10)
  --json                 print one JSON object instead of text:
                         {"requests","seconds","rps","latency_ms":{"p50","p90","p99","max"},
                          "errors":{"connect","tls","timeout","io","status"},"statuses":{CODE:N}}
  --help                 this text

Latency is from writing the request to reading the whole response; in new-connection mode it
starts before the TCP connect, so it includes the handshake. Requests still in flight when the
time is up are not counted.
)";

struct Options {
  std::string host;
  std::string port;
  std::string target;  // path and query, as sent
  std::string cert, key, ca;
  int connections = 64;
  double duration = 10;
  double warmup = 0;
  int threads = 1;
  bool new_connection = false;
  std::vector<std::string> headers;
  bool session = false;
  std::string session_path;  // empty: the measured target
  unsigned expect_status = 200;
  double timeout = 10;
  bool json = false;
};

struct UsageError {
  std::string message;
};

template <typename Number>
Number parse_number(std::string_view name, std::string_view text, Number min) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < min)
    throw UsageError{std::string(name) + ": not a number >= " + std::to_string(min) + ": " +
                     std::string(text)};
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) throw UsageError{std::string(arg) + " needs a value"};
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "--url") {
      url = value();
    } else if (arg == "--cert") {
      options.cert = value();
    } else if (arg == "--key") {
      options.key = value();
    } else if (arg == "--ca") {
      options.ca = value();
    } else if (arg == "--connections") {
      options.connections = parse_number(arg, value(), 1);
    } else if (arg == "--duration") {
      options.duration = parse_number(arg, value(), 0.001);
    } else if (arg == "--warmup") {
      options.warmup = parse_number(arg, value(), 0.0);
    } else if (arg == "--threads") {
      options.threads = parse_number(arg, value(), 1);
    } else if (arg == "--mode") {
      auto mode = value();
      if (mode != "keepalive" && mode != "new-connection")
        throw UsageError{"--mode is keepalive or new-connection, not " + std::string(mode)};
      options.new_connection = mode == "new-connection";
    } else if (arg == "--header") {
      std::string header(value());
      auto colon = header.find(':');
      if (colon == 0 || colon == std::string::npos || header.find_first_of("\r\n") != header.npos)
        throw UsageError{"--header is 'Name: value', not " + header};
      options.headers.push_back(std::move(header));
    } else if (arg == "--session") {
      options.session = true;
    } else if (arg == "--session-path") {
      options.session_path = value();
      if (!options.session_path.starts_with('/')) throw UsageError{"--session-path starts with /"};
    } else if (arg == "--expect-status") {
      options.expect_status = parse_number(arg, value(), 100u);
    } else if (arg == "--timeout") {
      options.timeout = parse_number(arg, value(), 0.001);
    } else if (arg == "--json") {
      options.json = true;
    } else {
      throw UsageError{"unknown option " + std::string(arg)};
    }
  }
  if (url.empty()) throw UsageError{"--url is required"};
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "https" || parsed->host().empty())
    throw UsageError{"--url must be https://HOST[:PORT]/PATH, not " + url};
  options.host = parsed->host();
  options.port = parsed->has_port() ? std::string(parsed->port()) : "443";
  options.target = parsed->encoded_target().empty() ? "/" : std::string(parsed->encoded_target());
  if (options.cert.empty() != options.key.empty()) throw UsageError{"--cert and --key go together"};
  if (options.threads > options.connections) options.threads = options.connections;
  return options;
}

// Latencies in microseconds in log-linear buckets, as HdrHistogram does: exact below 512 µs,
// then 256 buckets per power of two (under 0.4 % error), so a long run needs no sample storage.
class Histogram {
 public:
  static constexpr int kSubBits = 8;
  static constexpr std::uint64_t kSub = 1u << kSubBits;

  void record(std::uint64_t micros) {
    auto index = index_of(micros);
    if (index >= counts_.size()) counts_.resize(index + 1);
    ++counts_[index];
    ++total_;
    max_ = std::max(max_, micros);
  }

  void merge(const Histogram& other) {
    if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size());
    for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }

  std::uint64_t total() const { return total_; }
  std::uint64_t max() const { return max_; }

  // The highest value of the bucket holding the given quantile, never above the maximum, so that
  // p50 <= p90 <= p99 <= max always holds.
  std::uint64_t quantile(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(highest_of(i), max_);
    }
    return max_;
  }

 private:
  static std::size_t index_of(std::uint64_t v) {
    if (v < 2 * kSub) return v;
    int shift = std::bit_width(v) - (kSubBits + 1);
    return 2 * kSub + (shift - 1) * kSub + ((v >> shift) - kSub);
  }
  static std::uint64_t highest_of(std::size_t index) {
    if (index < 2 * kSub) return index;
    std::uint64_t shift = (index - 2 * kSub) / kSub + 1;
    std::uint64_t sub = (index - 2 * kSub) % kSub + kSub;
    return ((sub + 1) << shift) - 1;
  }

  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(4 * kSub);
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

enum class ErrorKind { connect, tls, timeout, io, status };

// Per I/O thread, merged at the end: no locks on the request path.
struct Stats {
  Histogram latency;
  std::array<std::uint64_t, 5> errors{};
  std::map<unsigned, std::uint64_t> statuses;
  std::uint64_t responses = 0;  // every response in the measured time, of any status
};

// A response body that is counted and dropped: the client measures the server, and copying or
// keeping bodies (10 KB files, 100-row pages) would cost the shared CPU for nothing.
struct DiscardBody {
  using value_type = std::uint64_t;
  struct reader {
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& bytes) : bytes_(bytes) {}
    void init(const boost::optional<std::uint64_t>&, beast::error_code& ec) { ec = {}; }
    template <class Buffers>
    std::size_t put(const Buffers& buffers, beast::error_code& ec) {
      ec = {};
      auto size = asio::buffer_size(buffers);
      bytes_ += size;
      return size;
    }
    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& bytes_;
  };
};

// Shared, read-only while the clients run.
struct Target {
  const Options& options;
  asio::ssl::context& tls;
  tcp::resolver::results_type endpoints;
  std::string request;  // the whole request, serialised once and sent as is every time
  Clock::time_point measure_from;
  Clock::time_point until;
};

bool in_window(const Target& target, Clock::time_point t) {
  return t >= target.measure_from && t < target.until;
}

void count_error(const Target& target, Stats& stats, ErrorKind kind) {
  if (in_window(target, Clock::now())) ++stats.errors[static_cast<int>(kind)];
}

ErrorKind kind_of(const beast::error_code& ec, ErrorKind otherwise) {
  return ec == beast::error::timeout ? ErrorKind::timeout : otherwise;
}

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

std::string build_request(const Options& options, std::string_view target, std::string_view cookie,
                          bool close) {
  std::string host = options.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // an IPv6 literal
  if (options.port != "443") host += ":" + options.port;
  std::string request = "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + host +
                        "\r\nUser-Agent: mijncert-load\r\nAccept: */*\r\n";
  for (const auto& header : options.headers) request += header + "\r\n";
  if (!cookie.empty()) request += "Cookie: " + std::string(cookie) + "\r\n";
  if (close) request += "Connection: close\r\n";
  return request + "\r\n";
}

// A connected, handshaken stream, or the kind of error that prevented it.
asio::awaitable<std::pair<std::unique_ptr<Stream>, std::optional<ErrorKind>>> open(
    const Target& target) {
  auto executor = co_await asio::this_coro::executor;
  auto stream = std::make_unique<Stream>(executor, target.tls);
  if (!SSL_set_tlsext_host_name(stream->native_handle(), target.options.host.c_str()))
    co_return std::pair{nullptr, ErrorKind::tls};
  if (!target.options.ca.empty())
    stream->set_verify_callback(asio::ssl::host_name_verification(target.options.host));
  auto& tcp_layer = beast::get_lowest_layer(*stream);
  tcp_layer.expires_after(seconds(target.options.timeout));
  auto [connect_error, endpoint] =
      co_await tcp_layer.async_connect(target.endpoints, asio::as_tuple(asio::use_awaitable));
  if (connect_error) co_return std::pair{nullptr, kind_of(connect_error, ErrorKind::connect)};
  tcp_layer.socket().set_option(tcp::no_delay(true));
  auto [handshake_error] = co_await stream->async_handshake(asio::ssl::stream_base::client,
                                                            asio::as_tuple(asio::use_awaitable));
  if (handshake_error) co_return std::pair{nullptr, kind_of(handshake_error, ErrorKind::tls)};
  co_return std::pair{std::move(stream), std::nullopt};
}

// One request on an open stream: its status, or the kind of I/O error. Sets keep_alive to whether
// the server keeps the connection open.
asio::awaitable<std::optional<ErrorKind>> exchange(const Target& target, Stream& stream,
                                                   beast::flat_buffer& buffer, unsigned& status,
                                                   bool& keep_alive) {
  beast::get_lowest_layer(stream).expires_after(seconds(target.options.timeout));
  auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(target.request),
                                                           asio::as_tuple(asio::use_awaitable));
  if (write_error) co_return kind_of(write_error, ErrorKind::io);
  http::response_parser<DiscardBody> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(boost::none);
  auto [read_error, read] =
      co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (read_error) co_return kind_of(read_error, ErrorKind::io);
  status = parser.get().result_int();
  keep_alive = parser.get().keep_alive();
  co_return std::nullopt;
}

void record(const Target& target, Stats& stats, Clock::time_point start, unsigned status) {
  auto done = Clock::now();
  if (!in_window(target, done)) return;
  ++stats.responses;
  ++stats.statuses[status];
  if (status != target.options.expect_status) ++stats.errors[static_cast<int>(ErrorKind::status)];
  stats.latency.record(std::chrono::duration_cast<std::chrono::microseconds>(done - start).count());
}

// After a failed connect the server is down or refusing: wait a little instead of spinning.
asio::awaitable<void> back_off() {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(20));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> keepalive_client(const Target& target, Stats& stats) {
  beast::flat_buffer buffer;
  while (Clock::now() < target.until) {
    auto [stream, open_error] = co_await open(target);
    if (open_error) {
      count_error(target, stats, *open_error);
      co_await back_off();
      continue;
    }
    buffer.clear();
    bool keep_alive = true;
    while (keep_alive && Clock::now() < target.until) {
      unsigned status = 0;
      auto start = Clock::now();
      auto error = co_await exchange(target, *stream, buffer, status, keep_alive);
      if (error) {
        count_error(target, stats, *error);
        break;
      }
      record(target, stats, start, status);
    }
  }
}

asio::awaitable<void> new_connection_client(const Target& target, Stats& stats) {
  beast::flat_buffer buffer;
  while (Clock::now() < target.until) {
    auto start = Clock::now();
    auto [stream, open_error] = co_await open(target);
    if (open_error) {
      count_error(target, stats, *open_error);
      if (*open_error == ErrorKind::connect) co_await back_off();
      continue;
    }
    buffer.clear();
    unsigned status = 0;
    bool keep_alive = false;
    auto error = co_await exchange(target, *stream, buffer, status, keep_alive);
    if (error)
      count_error(target, stats, *error);
    else
      record(target, stats, start, status);
    // Closed without a TLS close_notify round trip: the response is complete, and waiting for the
    // server's half of the shutdown would only lengthen every request.
    beast::error_code ignored;
    beast::get_lowest_layer(*stream).socket().close(ignored);
  }
}

// The Set-Cookie values of one GET of --session-path, as a Cookie header value.
asio::awaitable<std::string> session_cookie(const Target& target, std::string& failure) {
  auto [stream, open_error] = co_await open(target);
  if (open_error) {
    failure = "could not connect to take the session cookie";
    co_return "";
  }
  beast::error_code ec;
  const auto& path =
      target.options.session_path.empty() ? target.options.target : target.options.session_path;
  std::string request = build_request(target.options, path, "", true);
  co_await asio::async_write(*stream, asio::buffer(request),
                             asio::redirect_error(asio::use_awaitable, ec));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(16 * 1024 * 1024);
  if (!ec)
    co_await http::async_read(*stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    failure = "session request failed: " + ec.message();
    co_return "";
  }
  std::string cookie;
  auto [first, last] = parser.get().equal_range(http::field::set_cookie);
  for (auto field = first; field != last; ++field) {
    std::string_view value = field->value();
    value = value.substr(0, value.find(';'));  // name=value, without the attributes
    if (!cookie.empty()) cookie += "; ";
    cookie += value;
  }
  if (cookie.empty())
    failure = "GET " + path + " answered " + std::to_string(parser.get().result_int()) +
              " without Set-Cookie";
  co_return cookie;
}

asio::ssl::context make_tls(const Options& options) {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  // A full handshake for every new connection: no client session cache and no tickets, so that
  // new-connection mode measures what a new visitor costs, not a resumption.
  SSL_CTX_set_session_cache_mode(tls.native_handle(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(tls.native_handle(), SSL_OP_NO_TICKET);
  if (!options.cert.empty()) {
    tls.use_certificate_chain_file(options.cert);
    tls.use_private_key_file(options.key, asio::ssl::context::pem);
  }
  if (options.ca.empty()) {
    tls.set_verify_mode(asio::ssl::verify_none);
  } else {
    tls.load_verify_file(options.ca);
    tls.set_verify_mode(asio::ssl::verify_peer);
  }
  return tls;
}

double ms(std::uint64_t micros) {
  return static_cast<double>(micros) / 1000.0;
}

void report(const Options& options, const Stats& total, double elapsed) {
  const auto& h = total.latency;
  const auto& e = total.errors;
  double rps = elapsed > 0 ? static_cast<double>(total.responses) / elapsed : 0;
  if (options.json) {
    // Written by hand rather than with Boost.JSON, whose serialiser prints 1.5 as 1.5E0: the
    // object is small and fixed, and people read it too.
    std::printf(
        "{\"requests\":%llu,\"seconds\":%.3f,\"rps\":%.1f,\"latency_ms\":{\"p50\":%.3f,"
        "\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"errors\":{\"connect\":%llu,\"tls\":%llu,"
        "\"timeout\":%llu,\"io\":%llu,\"status\":%llu},\"statuses\":{",
        static_cast<unsigned long long>(total.responses), elapsed, rps, ms(h.quantile(0.5)),
        ms(h.quantile(0.9)), ms(h.quantile(0.99)), ms(h.max()),
        static_cast<unsigned long long>(e[0]), static_cast<unsigned long long>(e[1]),
        static_cast<unsigned long long>(e[2]), static_cast<unsigned long long>(e[3]),
        static_cast<unsigned long long>(e[4]));
    const char* separator = "";
    for (auto [status, count] : total.statuses) {
      std::printf("%s\"%u\":%llu", separator, status, static_cast<unsigned long long>(count));
      separator = ",";
    }
    std::printf("}}\n");
    return;
  }
  std::printf("GET https://%s:%s%s, %s, %d connections, %d thread(s), %.1f s\n",
              options.host.c_str(), options.port.c_str(), options.target.c_str(),
              options.new_connection ? "new connection per request" : "keep-alive",
              options.connections, options.threads, elapsed);
  std::printf("requests    %llu (%.1f req/s)\n", static_cast<unsigned long long>(total.responses),
              rps);
  std::printf("latency ms  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", ms(h.quantile(0.5)),
              ms(h.quantile(0.9)), ms(h.quantile(0.99)), ms(h.max()));
  std::printf("errors      connect %llu  tls %llu  timeout %llu  read/write %llu  status %llu\n",
              static_cast<unsigned long long>(e[0]), static_cast<unsigned long long>(e[1]),
              static_cast<unsigned long long>(e[2]), static_cast<unsigned long long>(e[3]),
              static_cast<unsigned long long>(e[4]));
  std::printf("statuses   ");
  for (auto [status, count] : total.statuses)
    std::printf(" %u: %llu", status, static_cast<unsigned long long>(count));
  std::printf("\n");
}

int run(const Options& options) {
  auto tls = make_tls(options);
  tcp::resolver::results_type endpoints;
  {
    asio::io_context resolving;
    tcp::resolver resolver(resolving);
    endpoints = resolver.resolve(options.host, options.port);
  }
  Target target{options, tls, endpoints, "", Clock::time_point::max(), Clock::time_point::max()};

  std::string cookie;
  if (options.session) {
    asio::io_context priming;
    std::string failure;
    asio::co_spawn(
        priming,
        [&]() -> asio::awaitable<void> { cookie = co_await session_cookie(target, failure); },
        asio::detached);
    priming.run();
    if (!failure.empty()) {
      std::cerr << "load: --session: " << failure << '\n';
      return 1;
    }
  }
  target.request = build_request(options, options.target, cookie, options.new_connection);

  std::vector<Stats> stats(options.threads);
  // One io_context per thread, each with its own connections: nothing is shared but the
  // read-only target, so the threads never contend.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int t = 0; t < options.threads; ++t)
    contexts.push_back(std::make_unique<asio::io_context>(1));
  auto begin = Clock::now();
  target.measure_from = begin + seconds(options.warmup);
  target.until = target.measure_from + seconds(options.duration);
  for (int c = 0; c < options.connections; ++c) {
    auto& context = *contexts[c % options.threads];
    auto& thread_stats = stats[c % options.threads];
    if (options.new_connection)
      asio::co_spawn(context, new_connection_client(target, thread_stats), asio::detached);
    else
      asio::co_spawn(context, keepalive_client(target, thread_stats), asio::detached);
  }
  // At the end every context stops; requests in flight are abandoned with it (not counted).
  std::vector<std::unique_ptr<asio::steady_timer>> stops;
  for (auto& context : contexts) {
    stops.push_back(std::make_unique<asio::steady_timer>(*context, target.until));
    stops.back()->async_wait([&context = *context](auto) { context.stop(); });
  }
  std::vector<std::thread> threads;
  for (int t = 1; t < options.threads; ++t)
    threads.emplace_back([&context = *contexts[t]] { context.run(); });
  contexts[0]->run();
  for (auto& thread : threads) thread.join();
  // Responses are counted only inside the measured window, so it is the divisor.
  double elapsed = options.duration;
  stops.clear();
  contexts.clear();  // destroys the abandoned clients while the TLS context still lives

  Stats total;
  for (const auto& s : stats) {
    total.latency.merge(s.latency);
    for (std::size_t i = 0; i < total.errors.size(); ++i) total.errors[i] += s.errors[i];
    for (auto [status, count] : s.statuses) total.statuses[status] += count;
    total.responses += s.responses;
  }
  report(options, total, elapsed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& error) {
    std::cerr << "load: " << error.message << "\n(load --help shows the options)\n";
    return 2;
  }
  try {
    return run(options);
  } catch (const std::exception& error) {
    std::cerr << "load: " << error.what() << '\n';
    return 1;
  }
}
