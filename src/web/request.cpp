#include "web/request.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace web {

namespace {

// Decodes "a=1&b=2" with '+' as space (HTML forms and query strings alike).
std::optional<Fields> decodePairs(std::string_view encoded) {
  Fields fields;
  if (encoded.empty()) return fields;
  // params() decodes percent-escapes and '+'; parsing as a query validates the escapes. The
  // url_view points into `text`, which must outlive the loop.
  const std::string text = "?" + std::string(encoded);
  auto query = boost::urls::parse_uri_reference(text);
  if (!query) return std::nullopt;
  for (const auto& param : query->params()) fields.emplace(param.key, param.value);
  return fields;
}

}  // namespace

std::optional<Target> parseTarget(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  Target result;
  result.path = parsed->path();
  if (result.path.empty()) result.path = "/";
  auto query = decodePairs(parsed->encoded_query());
  if (!query) return std::nullopt;
  result.query = std::move(*query);
  return result;
}

std::optional<Fields> parseForm(std::string_view body) {
  // A form body is a query string without the '?'; reject anything with raw control characters.
  if (std::any_of(body.begin(), body.end(), [](unsigned char c) { return c < 0x20; }))
    return std::nullopt;
  return decodePairs(body);
}

namespace {

// The value of a parameter in a header value such as `form-data; name="x"; filename="a b"`.
std::optional<std::string> headerParameter(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while ((at = header.find(';', at)) != std::string_view::npos) {
    ++at;
    while (at < header.size() && header[at] == ' ') ++at;
    if (header.substr(at, name.size()) != name || at + name.size() >= header.size() ||
        header[at + name.size()] != '=')
      continue;
    auto value = header.substr(at + name.size() + 1);
    if (!value.empty() && value.front() == '"') {
      const auto end = value.find('"', 1);
      if (end == std::string_view::npos) return std::nullopt;
      return std::string(value.substr(1, end - 1));
    }
    return std::string(value.substr(0, value.find(';')));
  }
  return std::nullopt;
}

bool startsWithCaseInsensitive(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

}  // namespace

std::optional<MultipartForm> parseMultipart(std::string_view content_type, std::string_view body,
                                            std::size_t max_parts) {
  const auto boundary = headerParameter(content_type, "boundary");
  // RFC 2046 §5.1.1: 1–70 characters.
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  const std::string delimiter = "--" + *boundary;
  const std::string separator = "\r\n" + delimiter;
  if (!body.starts_with(delimiter)) return std::nullopt;
  MultipartForm form;
  std::size_t at = delimiter.size();
  for (std::size_t parts = 0;; ++parts) {
    if (body.substr(at, 2) == "--") return form;  // the closing delimiter
    if (parts == max_parts || body.substr(at, 2) != "\r\n") return std::nullopt;
    at += 2;
    const auto headers_end = body.find("\r\n\r\n", at);
    const auto content_end = body.find(separator, at);
    if (headers_end == std::string_view::npos || content_end == std::string_view::npos ||
        headers_end > content_end)
      return std::nullopt;
    std::optional<std::string> name, filename;
    std::string part_type;
    for (auto headers = body.substr(at, headers_end - at); !headers.empty();) {
      const auto line_end = headers.find("\r\n");
      const auto line = headers.substr(0, line_end);
      if (startsWithCaseInsensitive(line, "content-disposition:")) {
        name = headerParameter(line, "name");
        filename = headerParameter(line, "filename");
      } else if (startsWithCaseInsensitive(line, "content-type:")) {
        part_type = std::string(line.substr(line.find(':') + 1));
        while (!part_type.empty() && part_type.front() == ' ') part_type.erase(0, 1);
      }
      if (line_end == std::string_view::npos) break;
      headers.remove_prefix(line_end + 2);
    }
    if (!name || name->empty()) return std::nullopt;
    const auto content = body.substr(headers_end + 4, content_end - headers_end - 4);
    if (!filename) {
      form.fields.emplace(*name, std::string(content));
    } else if (!filename->empty() || !content.empty()) {
      form.files.emplace(*name, UploadedFile{*filename, part_type, std::string(content)});
    }
    at = content_end + separator.size();
  }
}

std::optional<std::string> cookie(const http::Request& request, std::string_view name) {
  for (auto field = request.find(boost::beast::http::field::cookie);
       field != request.end() && field->name() == boost::beast::http::field::cookie; ++field) {
    std::string_view header = field->value();
    while (!header.empty()) {
      const auto end = header.find(';');
      auto pair = header.substr(0, end);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name)
        return std::string(pair.substr(equals + 1));
      if (end == std::string_view::npos) break;
      header.remove_prefix(end + 1);
    }
  }
  return std::nullopt;
}

std::string mediaType(const http::Request& request) {
  std::string_view value = request[boost::beast::http::field::content_type];
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  std::string result(value);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::optional<std::int64_t> parseId(std::string_view text) {
  if (text.empty() || text.front() == '0') return std::nullopt;
  std::int64_t value = 0;
  const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (problem != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::string encodeQueryValue(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace web
