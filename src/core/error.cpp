#include "core/error.hpp"

#include <stdexcept>

namespace core {

const char* toString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid:
      return "invalid";
    case ErrorKind::unauthenticated:
      return "unauthenticated";
    case ErrorKind::forbidden:
      return "forbidden";
    case ErrorKind::not_found:
      return "not-found";
    case ErrorKind::conflict:
      return "conflict";
    case ErrorKind::too_large:
      return "too-large";
    case ErrorKind::gone:
      return "gone";
    case ErrorKind::rate_limited:
      return "rate-limited";
    case ErrorKind::unavailable:
      return "unavailable";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw std::runtime_error(std::string(toString(error.kind)) + ": " + error.message);
}

}  // namespace core
