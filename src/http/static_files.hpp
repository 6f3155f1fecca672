#pragma once
// Stylesheets, scripts, fonts and icons under /static/, answered by the transport from a directory
// without calling the application handler. Light header (no Asio).

#include "http/handler.hpp"

#include <filesystem>
#include <string_view>

namespace http {

/// The path of a request target without its query string ("/a/b?x=1" → "/a/b").
std::string_view targetPath(std::string_view target);

/// True if `path` (see targetPath) is under /static/, the transport's own part of the URL space.
bool isStaticPath(std::string_view path);

/// Answers a request for /static/<name> from `directory`: GET and HEAD only, plain file names of
/// known types only, publicly cacheable; anything else is 404 (or 405 for other methods).
Response serveStaticFile(const Request& request, const std::filesystem::path& directory);

}  // namespace http
