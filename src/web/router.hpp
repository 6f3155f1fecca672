#pragma once
// One route table for pages and API (as Boulder's wfe2): method + path pattern → handler.
// Patterns are literal segments and "{name}" placeholders; "{id}" must be a positive integer.

#include "web/request.hpp"

#include <boost/beast/http/verb.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace web {

struct RequestContext;

/// Who may call a route: the one guard Portal applies before any handler runs. What a person
/// may do with a given object is decided further down, by the use case (policy::permit).
enum class Access {
  anyone,       ///< no certificate or session needed (/healthz, the language switch)
  logged_in,    ///< a registered person with portal access
  servicedesk,  ///< a logged-in Servicedesk officer (403 for anyone else)
};

/// How errors of a route are shown: as HTML pages or as problem+json.
enum class Format { html, json };

/// A handler: the request comes in decoded, a response (complete or streamed) goes out.
using RouteHandler = std::function<http::Reply(RequestContext&)>;

/// One entry of the route table.
struct Route {
  boost::beast::http::verb method;
  std::string pattern;
  Access access;
  Format format;
  RouteHandler handler;
};

/// The result of looking up a path.
struct RouteMatch {
  const Route* route = nullptr;  ///< null if nothing matched
  bool wrong_method = false;     ///< the path exists, but not for this method
  Fields parameters;             ///< values of the {placeholders}
};

/// The route table.
class Router {
 public:
  /// Adds a route; patterns must be unique per method.
  void add(Route route) { routes_.push_back(std::move(route)); }
  /// Finds the route for a method and decoded path.
  RouteMatch match(boost::beast::http::verb method, std::string_view path) const;
  /// Every route in the order added (the docs check lists them against docs/api.md).
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace web
