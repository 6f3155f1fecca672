#pragma once
// Decoding what a request carries: path, query, cookies and url-encoded forms (Boost.URL).

#include "http/handler.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace web {

/// Decoded name → value pairs; a repeated name keeps its first value.
using Fields = std::map<std::string, std::string, std::less<>>;

/// The target of a request, decoded.
struct Target {
  std::string path;  ///< percent-decoded path, e.g. "/api/v1/me"
  Fields query;      ///< decoded query parameters
};

/// Parses an origin-form request target ("/path?x=1"); nullopt if malformed.
std::optional<Target> parseTarget(std::string_view target);

/// Decodes an application/x-www-form-urlencoded body; nullopt if malformed.
std::optional<Fields> parseForm(std::string_view body);

/// A file sent with a multipart/form-data form.
struct UploadedFile {
  std::string filename;      ///< as the browser named it (never used as a path)
  std::string content_type;  ///< as the browser declared it
  std::string content;       ///< the bytes
};

/// Files of a multipart form by field name; a repeated name keeps its first file.
using Files = std::map<std::string, UploadedFile, std::less<>>;

/// The text fields and files of a multipart/form-data body (RFC 7578).
struct MultipartForm {
  Fields fields;
  Files files;
};

/// Decodes a multipart/form-data body with the boundary of its Content-Type; nullopt if the
/// body is malformed or has more than `max_parts` parts. A part with a filename is a file, even
/// when empty (no file chosen); its field is then absent from `files`.
std::optional<MultipartForm> parseMultipart(std::string_view content_type, std::string_view body,
                                            std::size_t max_parts = 32);

/// The value of one cookie from the Cookie header(s); nullopt if absent.
std::optional<std::string> cookie(const http::Request& request, std::string_view name);

/// The media type of the Content-Type header, lower-case, without parameters ("" if absent).
std::string mediaType(const http::Request& request);

/// A positive decimal integer (an object id) without sign, spaces or leading zeros; nullopt
/// for anything else.
std::optional<std::int64_t> parseId(std::string_view text);

/// Percent-encodes a string for use as a query parameter value.
std::string encodeQueryValue(std::string_view value);

}  // namespace web
