#include "signer/protocol.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>

namespace signer {
namespace {

core::Error invalid(std::string message) {
  return core::makeError(core::ErrorKind::invalid, std::move(message));
}

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

std::optional<boost::json::object> parseObject(std::string_view json) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(json, error);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::optional<std::string> stringField(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<std::int64_t> integerField(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(value->get_uint64());
  return std::nullopt;
}

// The problem types of docs/mobile-protocol.md, in words.
const std::map<std::string, std::string, std::less<>> kProblemTexts{
    {"unknown", "no such request (check the link or code, or start again in the browser)"},
    {"expired", "the request has expired; start again in the browser"},
    {"used", "the request has already been answered"},
    {"cancelled", "the request was cancelled in the browser"},
    {"invalid", "the portal did not accept the signature"},
    {"not_mobile", "the certificate is not a registered, valid mobile certificate"},
    {"wrong_person",
     "the certificate is not that of the person the portal expected (the order's requester, or "
     "someone with access to the portal)"},
    {"rate_limited", "too many attempts from this address; wait a minute and try again"},
    {"not_allowed",
     "you may not sign this order (any more): you no longer act for its organisation"},
    {"wrong_number",
     "the number you picked is not the one the browser shows, so the portal cancelled the "
     "request; start a new one in the browser. If you did not start it yourself, someone else "
     "tried to log in as you"},
    {"number_missing", "the answer carried no number (this signer is too old for the portal)"},
    {"invalid_code", "the enrolment code is wrong, already used or expired"},
};

core::ErrorKind kindOfStatus(int status) {
  switch (status) {
    case 400:
      return core::ErrorKind::invalid;
    case 401:
      return core::ErrorKind::unauthenticated;
    case 403:
      return core::ErrorKind::forbidden;
    case 404:
      return core::ErrorKind::not_found;
    case 409:
      return core::ErrorKind::conflict;
    case 410:
      return core::ErrorKind::gone;
    case 413:
      return core::ErrorKind::too_large;
    case 429:
      return core::ErrorKind::rate_limited;
    default:
      return status >= 500 ? core::ErrorKind::unavailable : core::ErrorKind::internal;
  }
}

}  // namespace

const char* toString(RequestKind kind) {
  return kind == RequestKind::login ? "login" : "sign";
}

core::Result<std::string> originOf(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return invalid("not an absolute URL: " + printable(url));
  if (lowerCase(parsed->scheme()) != "https")
    return invalid("not an https:// URL: " + printable(url));
  if (parsed->has_userinfo() || parsed->encoded_host().empty())
    return invalid("not a portal URL: " + printable(url));
  std::string origin = "https://" + lowerCase(parsed->encoded_host());
  if (parsed->has_port() && !parsed->port().empty() && parsed->port() != "443")
    origin += ":" + std::string(parsed->port());
  return origin;
}

bool isRequestId(std::string_view id) {
  return id.size() == 22 && std::ranges::all_of(id, [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '-' || c == '_';
         });
}

core::Result<RequestTarget> parseRequestTarget(std::string_view argument,
                                               std::string_view portal_url) {
  std::optional<std::string> portal;
  if (!portal_url.empty()) {
    auto origin = originOf(portal_url);
    if (!origin) return origin.error();
    portal = *origin;
  }
  if (isRequestId(argument)) {
    if (!portal) return invalid("a request id alone needs the portal: add --url https://PORTAL");
    return RequestTarget{*portal, std::string(argument)};
  }
  if (!argument.starts_with("https://") && !argument.starts_with("HTTPS://")) {
    return invalid("not a request URL (https://PORTAL/m/ID) or id (22 characters): " +
                   printable(argument));
  }
  auto origin = originOf(argument);
  if (!origin) return origin.error();
  auto parsed = boost::urls::parse_absolute_uri(argument);
  std::string_view path = parsed->encoded_path();
  if (path.ends_with('/')) path.remove_suffix(1);
  if (!path.starts_with("/m/") || !isRequestId(path.substr(3)))
    return invalid("not a request URL (https://PORTAL/m/ID): " + printable(argument));
  if (portal && *portal != *origin) {
    return invalid("the request URL is on " + *origin + ", not on the portal of --url (" + *portal +
                   ")");
  }
  return RequestTarget{*origin, std::string(path.substr(3))};
}

std::string requestUrl(const RequestTarget& target) {
  return target.origin + "/api/v1/mobile/requests/" + target.id;
}

std::string answerUrl(const RequestTarget& target, std::optional<int> number) {
  return requestUrl(target) + "/answer" + (number ? "?number=" + std::to_string(*number) : "");
}

core::Result<MobileRequest> parseMobileRequest(std::string_view json) {
  auto object = parseObject(json);
  if (!object) return invalid("the portal's request is not a JSON object");
  MobileRequest request;
  const std::pair<const char*, std::string*> required[] = {{"id", &request.id},
                                                           {"kind", &request.kind},
                                                           {"origin", &request.origin},
                                                           {"document", &request.document}};
  for (const auto& [name, target] : required) {
    auto value = stringField(*object, name);
    if (!value) return invalid(std::string("the portal's request lacks \"") + name + "\"");
    *target = std::move(*value);
  }
  request.nonce = stringField(*object, "nonce").value_or("");
  request.expires_at = stringField(*object, "expires_at").value_or("");
  request.order_id = integerField(*object, "order_id");
  if (const auto* choices = object->if_contains("choices"); choices && choices->is_array()) {
    for (const auto& choice : choices->get_array()) {
      if (!choice.is_int64() || choice.get_int64() < 0 || choice.get_int64() > 99)
        return invalid("the portal's request has a choice that is not a two-digit number");
      request.choices.push_back(static_cast<int>(choice.get_int64()));
    }
  }
  if (const auto* browser = object->if_contains("browser"); browser && browser->is_object()) {
    request.browser = stringField(browser->get_object(), "description").value_or("");
    request.browser_address = stringField(browser->get_object(), "address").value_or("");
    request.browser_started_at = stringField(browser->get_object(), "started_at").value_or("");
  }
  return request;
}

core::Result<int> pickNumber(const MobileRequest& request, std::string_view text) {
  std::string trimmed(text);
  std::erase_if(trimmed, [](unsigned char c) { return std::isspace(c) != 0; });
  int number = -1;
  const auto parsed = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
  std::string offered;
  for (const int choice : request.choices)
    offered += (offered.empty() ? "" : ", ") + std::to_string(choice);
  if (trimmed.empty() || parsed.ec != std::errc{} ||
      parsed.ptr != trimmed.data() + trimmed.size() ||
      std::ranges::find(request.choices, number) == request.choices.end()) {
    return invalid("wrong number: \"" + printable(trimmed) + "\" is not one of this request's " +
                   "numbers (" + offered + "); you are not looking at the browser that started " +
                   "it, so nothing was signed. Start again in your own browser");
  }
  return number;
}

core::Result<void> checkRequest(const MobileRequest& request, RequestKind expected,
                                const RequestTarget& target) {
  const auto refuse = [](std::string message) {
    return core::makeError(core::ErrorKind::forbidden, "refused: " + std::move(message));
  };
  if (request.id != target.id) {
    return refuse("the portal answered with another request (" + printable(request.id) + ") than " +
                  target.id);
  }
  auto origin = originOf(request.origin);
  if (!origin || *origin != target.origin) {
    return refuse("origin mismatch: the request says it comes from " + printable(request.origin) +
                  " but was fetched from " + target.origin + "; nothing was signed");
  }
  if (request.kind != toString(expected)) {
    return refuse("wrong kind: this is a \"" + printable(request.kind) + "\" request, not \"" +
                  toString(expected) + "\"; use `mijncert-signer " + printable(request.kind) +
                  "` if that is what you meant");
  }
  if (expected == RequestKind::login) {
    std::vector<int> distinct = request.choices;
    std::ranges::sort(distinct);
    if (distinct.size() != 3 || std::ranges::adjacent_find(distinct) != distinct.end())
      return refuse("the login request offers no three numbers to choose from; nothing was signed");
  }
  return {};
}

std::string enrollmentBody(std::string_view code, std::string_view csr_pem) {
  return boost::json::serialize(boost::json::object{{"code", code}, {"csr", csr_pem}});
}

core::Result<EnrolledCertificate> parseEnrollment(std::string_view json) {
  auto object = parseObject(json);
  if (!object) return invalid("the portal's enrolment answer is not a JSON object");
  auto certificate = stringField(*object, "certificate");
  if (!certificate) return invalid("the portal's enrolment answer lacks \"certificate\"");
  return EnrolledCertificate{std::move(*certificate), stringField(*object, "chain").value_or(""),
                             integerField(*object, "order_id")};
}

core::Result<AnswerOutcome> parseAnswerOutcome(std::string_view json) {
  auto object = parseObject(json);
  auto status = object ? stringField(*object, "status") : std::nullopt;
  if (!status) return invalid("the portal's answer has no \"status\"");
  return AnswerOutcome{std::move(*status), stringField(*object, "order_status")};
}

core::Error refusalOf(const HttpResponse& response, std::string_view action) {
  std::string message =
      "the portal refused " + std::string(action) + " (HTTP " + std::to_string(response.status);
  auto problem = parseObject(response.body);
  if (!problem) return core::makeError(kindOfStatus(response.status), message + ")");
  std::string type = stringField(*problem, "type").value_or("");
  type =
      type.substr(type.find_last_of("#/") == std::string::npos ? 0 : type.find_last_of("#/") + 1);
  if (!type.empty()) message += ", " + printable(type);
  message += ")";
  const auto text = kProblemTexts.find(type);
  if (text != kProblemTexts.end()) message += ": " + text->second;
  if (auto detail = stringField(*problem, "detail"); detail && !detail->empty())
    message += "\n  portal: " + printable(*detail);
  const boost::json::value* errors = problem->if_contains("errors");
  if (errors != nullptr && errors->is_array() && !errors->get_array().empty() &&
      errors->get_array()[0].is_object()) {
    if (auto first = stringField(errors->get_array()[0].get_object(), "message"))
      message += "\n  reason: " + printable(*first);
  }
  return core::makeError(kindOfStatus(response.status), message);
}

std::string printable(std::string_view text) {
  std::string shown;
  shown.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = [&](std::size_t at) {
      return at < text.size() ? static_cast<unsigned char>(text[at]) : 0;
    };
    const unsigned char c = byte(i);
    // C0 controls and DEL; C1 controls (U+0080–U+009F); bidi overrides and isolates (U+202A–
    // U+202E, U+2066–U+2069), which could show the text in another order than it is signed.
    std::size_t length = 0;
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      length = 1;
    } else if (c == 0xc2 && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9f) {
      length = 2;
    } else if (c == 0xe2 && ((byte(i + 1) == 0x80 && byte(i + 2) >= 0xaa && byte(i + 2) <= 0xae) ||
                             (byte(i + 1) == 0x81 && byte(i + 2) >= 0xa6 && byte(i + 2) <= 0xa9))) {
      length = 3;
    }
    if (length == 0) {
      shown += static_cast<char>(c);
      continue;
    }
    for (std::size_t k = 0; k < length; ++k) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte(i + k));
      shown += escaped;
    }
    i += length - 1;
  }
  return shown;
}

}  // namespace signer
