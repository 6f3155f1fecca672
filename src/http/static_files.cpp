// Serving /static/: the request never reaches the handler, so every check that keeps a request
// inside the static directory lives here.

#include "http/static_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

namespace http {

namespace {

namespace beasthttp = boost::beast::http;

constexpr std::string_view kStaticPrefix = "/static/";

struct ContentType {
  std::string_view extension;
  std::string_view type;
};

// Only what the portal ships; anything else (source maps, backups, dotfiles) stays private.
constexpr ContentType kContentTypes[] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},  // RFC 9239
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".woff2", "font/woff2"},
    {".ico", "image/vnd.microsoft.icon"},
};

// A name is one path segment of [A-Za-z0-9._-]: no slashes and no percent-encoding, so no
// decoding step can turn it into a path outside the directory. A leading dot excludes "." and
// ".." (and hidden files); ".." anywhere is refused as well, to be obviously safe.
bool isPlainFileName(std::string_view name) {
  const auto allowed = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  };
  return !name.empty() && name.front() != '.' && name.find("..") == std::string_view::npos &&
         std::all_of(name.begin(), name.end(), allowed);
}

std::optional<std::string_view> contentTypeOf(std::string_view name) {
  for (const auto& entry : kContentTypes) {
    if (name.size() > entry.extension.size() && name.ends_with(entry.extension)) {
      return entry.type;
    }
  }
  return std::nullopt;
}

std::optional<std::string> readFile(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return content;
}

}  // namespace

std::string_view targetPath(std::string_view target) {
  return target.substr(0, target.find('?'));
}

bool isStaticPath(std::string_view path) {
  return path.starts_with(kStaticPrefix);
}

Response serveStaticFile(const Request& request, const std::filesystem::path& directory) {
  if (request.method() != beasthttp::verb::get && request.method() != beasthttp::verb::head) {
    Response response = plainTextResponse(beasthttp::status::method_not_allowed,
                                          "Methode niet toegestaan\n", request.version());
    response.set(beasthttp::field::allow, "GET, HEAD");
    return response;
  }
  const std::string_view path = targetPath(std::string_view(request.target()));
  const std::string_view name = isStaticPath(path) ? path.substr(kStaticPrefix.size()) : "";
  const auto contentType = contentTypeOf(name);
  std::optional<std::string> content;
  if (!directory.empty() && isPlainFileName(name) && contentType) {
    content = readFile(directory / name);
  }
  if (!content) {
    return plainTextResponse(beasthttp::status::not_found, "Niet gevonden\n", request.version());
  }

  Response response{beasthttp::status::ok, request.version()};
  response.set(beasthttp::field::content_type, *contentType);
  // The files change only with a release; an hour keeps page loads fast without a cache-busting
  // scheme. Public: they hold nothing personal.
  response.set(beasthttp::field::cache_control, "public, max-age=3600");
  response.body() = std::move(*content);
  response.prepare_payload();
  return response;
}

}  // namespace http
