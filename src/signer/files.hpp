#pragma once
// Reading the user's key and certificate files and writing enrolled ones.

#include "core/error.hpp"

#include <sys/types.h>
#include <string>
#include <string_view>

namespace signer {

/// The whole file; ErrorKind::not_found or invalid naming `what` and the file if it cannot be
/// read, e.g. "cannot read key file k.pem: No such file or directory".
core::Result<std::string> readFile(const std::string& path, std::string_view what);

/// Creates `path` with `mode` (the umask does not widen it) and writes `content`; refuses to
/// replace an existing file (ErrorKind::conflict), so that no key is ever overwritten.
core::Result<void> writeNewFile(const std::string& path, std::string_view content, mode_t mode);

}  // namespace signer
