#include "web/router.hpp"

#include <algorithm>

namespace web {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> result;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    result.push_back(path.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return result;
}

std::optional<Fields> matchPattern(std::string_view pattern, std::string_view path) {
  const auto want = segments(pattern);
  const auto have = segments(path);
  if (want.size() != have.size()) return std::nullopt;
  Fields parameters;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      const auto name = w.substr(1, w.size() - 2);
      if (name == "id" || name.ends_with("_id")) {
        if (!parseId(have[i])) return std::nullopt;
      } else if (have[i].empty()) {
        return std::nullopt;
      }
      parameters.emplace(std::string(name), std::string(have[i]));
    } else if (w != have[i]) {
      return std::nullopt;
    }
  }
  return parameters;
}

}  // namespace

RouteMatch Router::match(boost::beast::http::verb method, std::string_view path) const {
  RouteMatch result;
  // HEAD is answered like GET (the transport sends no body).
  const auto wanted =
      method == boost::beast::http::verb::head ? boost::beast::http::verb::get : method;
  for (const auto& route : routes_) {
    auto parameters = matchPattern(route.pattern, path);
    if (!parameters) continue;
    if (route.method != wanted) {
      result.wrong_method = true;
      continue;
    }
    result.route = &route;
    result.parameters = std::move(*parameters);
    result.wrong_method = false;
    return result;
  }
  return result;
}

}  // namespace web
