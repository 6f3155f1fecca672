#pragma once
// The client side of docs/mobile-protocol.md: request URLs, the request and enrolment JSON, the
// checks an app makes before it signs, and the portal's refusals in words.

#include "core/error.hpp"
#include "signer/http_client.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signer {

/// What a request asks: a login or the signature of an order.
enum class RequestKind { login, sign };

/// "login" or "sign".
const char* toString(RequestKind kind);

/// The portal's origin, "https://host" or "https://host:port" (scheme and host lower case, port
/// 443 dropped); invalid unless `url` is an absolute https:// URL.
core::Result<std::string> originOf(std::string_view url);

/// A request to answer: the portal and the request id.
struct RequestTarget {
  std::string origin;
  std::string id;
};

/// A request id is 22 base64url characters (128 random bits).
bool isRequestId(std::string_view id);

/// The request named by `argument`: a request URL https://PORTAL/m/{id} (as in the QR code), or
/// just the id with the portal from `portal_url` (--url; empty if not given). A URL on another
/// portal than a given --url is refused.
core::Result<RequestTarget> parseRequestTarget(std::string_view argument,
                                               std::string_view portal_url);

/// GET /api/v1/mobile/requests/{id}.
std::string requestUrl(const RequestTarget& target);
/// POST /api/v1/mobile/requests/{id}/answer, with `?number=N` for the number picked (login).
std::string answerUrl(const RequestTarget& target, std::optional<int> number = std::nullopt);

/// A request as the portal describes it.
struct MobileRequest {
  std::string id;
  std::string kind;    ///< as sent: "login", "sign" or anything else (refused by checkRequest)
  std::string origin;  ///< the portal that made the request
  std::string nonce;
  std::string expires_at;
  std::string document;  ///< the exact text to sign
  std::optional<std::int64_t> order_id;
  /// login: the numbers to choose from, one of them the browser's (number matching, ADR 0021)
  std::vector<int> choices;
  /// login: the browser that asked, coarsely: "Firefox op Linux", its address and start time
  std::string browser, browser_address, browser_started_at;
};

/// Parses the request JSON; invalid if it is not an object with string id, kind, origin and
/// document.
core::Result<MobileRequest> parseMobileRequest(std::string_view json);

/// The checks before anything is shown or signed: the request is the one asked for, comes from
/// the portal the URL names (a portal must not relay another portal's request), is of the kind
/// of the command and, for a login, offers three distinct numbers to choose from. Refusals are
/// ErrorKind::forbidden with a message that says which.
core::Result<void> checkRequest(const MobileRequest& request, RequestKind expected,
                                const RequestTarget& target);

/// What the portal's answer to an enrolment holds.
struct EnrolledCertificate {
  std::string certificate;  ///< PEM
  std::string chain;        ///< PEM, issuing CA first
  std::optional<std::int64_t> order_id;
};

/// The JSON body of POST /api/v1/mobile/enroll.
std::string enrollmentBody(std::string_view code, std::string_view csr_pem);
/// Parses the 201 answer to an enrolment.
core::Result<EnrolledCertificate> parseEnrollment(std::string_view json);

/// The outcome of an answer that the portal accepted: "completed" and, for signing, the order's
/// new status.
struct AnswerOutcome {
  std::string status;
  std::optional<std::string> order_status;
};

/// Parses the 200 answer to POST …/answer.
core::Result<AnswerOutcome> parseAnswerOutcome(std::string_view json);

/// A refusal by the portal (any status other than the expected one) as an Error: "the portal
/// refused `action` (HTTP status, type)", the problem type in words, the problem's detail and
/// first error message; the kind follows the status.
core::Error refusalOf(const HttpResponse& response, std::string_view action);

/// The number picked for a login: `text` (--number or the typed answer) if it is one of the
/// request's choices; invalid with a message that says so otherwise (nothing is signed then).
core::Result<int> pickNumber(const MobileRequest& request, std::string_view text);

/// `text` safe for a terminal: control characters other than newline and tab (which could move
/// the cursor or rewrite what was shown) and bidi overrides are shown as \xNN, byte by byte.
std::string printable(std::string_view text);

}  // namespace signer
