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
