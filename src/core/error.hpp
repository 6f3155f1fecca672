#pragma once
// Expected failures are values (docs/architecture.md §Conventions): one Error type with a kind
// that the web layer maps to a status code, and a message that is safe to show to the user.

#include <boost/system/result.hpp>

#include <string>
#include <utility>
#include <vector>

namespace core {

/// What went wrong, in terms the outer layers map to HTTP status codes and pages.
enum class ErrorKind {
  invalid,          ///< input fails validation (400 / form errors)
  unauthenticated,  ///< no usable identity (401)
  forbidden,        ///< identity known but not allowed (403)
  not_found,        ///< no such object, or not visible to this identity (404)
  conflict,         ///< state does not allow this now (409)
  too_large,        ///< input exceeds a configured limit (413)
  gone,             ///< existed, but can no longer be used, e.g. expired (410)
  rate_limited,     ///< too many attempts; try again later (429)
  unavailable,      ///< a dependency (database, CA) failed; retry later (503)
  internal,         ///< a bug or an unexpected condition (500)
};

/// One problem with one input field; `field` is the form/JSON field name.
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

/// An expected failure. `message` is a message-catalogue key or a safe text, never secrets.
struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  std::vector<FieldError> fields = {};
};

/// Builds an Error of the given kind.
inline Error makeError(ErrorKind kind, std::string message, std::vector<FieldError> fields = {}) {
  return Error{kind, std::move(message), std::move(fields)};
}

/// Result of an operation that can fail in an expected way.
template <class T>
using Result = boost::system::result<T, Error>;

/// Stable lower-case name of a kind, for logs and problem+json `type`.
const char* toString(ErrorKind kind);

/// Called by boost::system::result::value() on an error (found by ADL): throws a
/// std::runtime_error.
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& loc);

}  // namespace core
