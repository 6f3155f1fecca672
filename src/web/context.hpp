#pragma once
// Everything a route handler gets: the decoded request, who is asking, and helpers to answer.

#include "auth/session_manager.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "http/handler.hpp"
#include "web/i18n.hpp"
#include "web/request.hpp"
#include "web/views.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace web {

/// One request on its way through the portal.
struct RequestContext {
  const http::Request& request;
  const http::Connection& connection;
  http::RequestLog& log;
  Target target;
  Fields parameters;           ///< route placeholders, e.g. {"id", "12"}
  std::optional<Fields> form;  ///< decoded body of a form POST
  Files files;                 ///< files of a multipart form POST
  Language language = Language::nl;
  std::optional<core::Principal> principal;  ///< set on logged_in routes
  std::optional<auth::Session> session;      ///< set on logged_in routes
  std::vector<std::string> set_cookies;      ///< Set-Cookie values added to the response

  /// The texts in the user's language.
  const Catalogue& texts() const { return Catalogue::of(language); }
  /// The layout data for a page with this title (user, organisation, navigation, logout form).
  PageChrome chrome(std::string title) const;
  /// The organisation the user works in: the one chosen in this session, or the only one they
  /// may act for; nullopt if there is none or no choice has been made yet.
  std::optional<core::Membership> chosenOrganisation() const;
};

/// The {id} placeholder of the route (always a positive integer: the router checks it).
std::int64_t idParameter(const RequestContext& context);
/// A form field of a POST ("" if absent).
std::string formValue(const RequestContext& context, std::string_view name);
/// The bytes of an uploaded file, or else the text of a same-named pasted field ("" if neither):
/// forms offer both a file input and a textarea for certificates, CSRs and signatures.
std::string uploadOrText(const RequestContext& context, std::string_view file_field,
                         std::string_view text_field);
/// A form field that must be a positive integer (an id); nullopt if absent or anything else.
std::optional<std::int64_t> idField(const RequestContext& context, std::string_view name);
/// A query parameter that must be a positive integer; nullopt if absent or anything else.
std::optional<std::int64_t> idQuery(const RequestContext& context, std::string_view name);

/// A full HTML page (templates/<name>.mustache in the layout) with the given status.
http::Response page(RequestContext& context, boost::beast::http::status status,
                    std::string_view template_name, std::string title, boost::json::object model);
/// A JSON response.
http::Response json(RequestContext& context, boost::beast::http::status status,
                    const boost::json::value& body);
/// A 303 redirect after a POST (or a GET that only sets a cookie).
http::Response redirect(RequestContext& context, std::string location);
/// An RFC 9457 problem+json response; `type` is a short slug ("not-found", "revoked").
http::Response problem(RequestContext& context, boost::beast::http::status status,
                       std::string_view type, std::string title, std::string detail,
                       const std::vector<core::FieldError>& fields = {});
/// The page or problem+json (RFC 9457) for an expected failure, by Error::kind.
http::Response failure(RequestContext& context, const core::Error& error, bool as_json);

/// The HTTP status for an error kind.
boost::beast::http::status statusOf(core::ErrorKind kind);

}  // namespace web
