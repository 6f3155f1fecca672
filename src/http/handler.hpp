#pragma once
// The boundary between transport (http) and application (web): a request with what TLS learned
// about the peer goes in, a response comes out. Light Beast headers only.

#include "pki/tls.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

/// What the transport knows about the other side of a connection, and the current request's
/// deadline.
struct Connection {
  std::uint64_t id = 0;        ///< unique per process, for logs
  std::string remote_address;  ///< IP address of the peer
  pki::PeerVerification peer;  ///< the client certificate and its verification
  /// When the transport stops waiting for this request's answer (it then answers 503 and drops
  /// the handler's result): long work may check it and stop early (ADR 0012).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

/// Produces a streamed body piece by piece: replaces `chunk` with the next bytes and returns
/// true, or returns false when the body is complete. Called on a worker thread, one call at a
/// time between writes, so a download never holds more than one chunk; an exception ends the
/// connection. It is released on the connection's thread: its state must be cheap to destroy (no
/// open transaction).
using BodyWriter = std::function<bool(std::string& chunk)>;

/// A handler's answer: a complete response, or the head of one whose body is streamed.
struct Reply {
  /// A complete response (implicit: most answers are).
  Reply(Response complete) : response(std::move(complete)) {}
  /// A streamed response: `head` without body, then what `writer` produces (chunked).
  Reply(Response head, BodyWriter writer) : response(std::move(head)), body(std::move(writer)) {}

  Response response;
  BodyWriter body;  ///< set: the body is streamed and response.body() is not sent
};

/// Filled in by the handler for the request log line and the request metrics.
struct RequestLog {
  std::string person;  ///< person id, empty if anonymous
  /// The pattern of the route that answered, as the handler's route table writes it (the
  /// `route` label of the request metrics, ADR 0016); empty when no route matched. Must outlive
  /// the server: it points into the table.
  std::string_view route;
};

/// Application entry point; called concurrently on the server's worker threads, never on the
/// threads that do network I/O (ADR 0012).
class Handler {
 public:
  virtual ~Handler() = default;
  /// Answers one request. Must not throw for expected failures; exceptions become a 500.
  virtual Reply handle(const Request& request, const Connection& connection, RequestLog& log) = 0;
};

/// Adds the security headers every response carries (HSTS, CSP, frame-ancestors, nosniff,
/// Referrer-Policy, COOP, …) unless the response already set that header; `Server` is always
/// set, without a version.
void applySecurityHeaders(Response& response);

/// A UTF-8 plain-text response with Content-Length set, for answers of the transport itself
/// (limits, static files, the last-resort 500).
Response plainTextResponse(boost::beast::http::status status, std::string_view text,
                           unsigned version = 11);

}  // namespace http
