#pragma once
// Renders logic-less mustache templates (templates/*.mustache, embedded) inside the common layout.
// View models are JSON objects computed by the handlers: ids, classes, aria attributes and texts
// are decided in C++, templates only place them (docs/architecture.md §Conventions).

#include "web/i18n.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace web {

/// One link of the main navigation.
struct NavigationItem {
  std::string href;
  std::string label;
  bool current = false;
};

/// What the layout shows around every page.
struct PageChrome {
  Language language = Language::nl;
  std::string title;                             ///< page title, also the <title> prefix
  std::optional<std::string> person_name;        ///< shown as "Ingelogd als …"
  std::optional<std::string> organisation_name;  ///< the organisation the user works for
  std::string csrf_token;                        ///< non-empty: show the logout form
  std::vector<NavigationItem> navigation;
  std::string path;  ///< current path, for the language switch
};

/// Renders `templates/<name>.mustache` with `model` inside the layout; `{{t.KEY}}` reads the texts
/// of the page's language (put in when the template is parsed). Throws std::runtime_error for a
/// missing or broken template (a bug, caught as a 500).
std::string renderPage(std::string_view name, boost::json::object model, const PageChrome& chrome);

}  // namespace web
