#include "web/views.hpp"

#include "web/embedded.hpp"

#include <boost/json.hpp>
#include <kainjow/mustache.hpp>

#include <map>
#include <mutex>
#include <stdexcept>

namespace web {

namespace mustache = kainjow::mustache;

namespace {

// JSON → mustache data. Missing, null, false and empty strings are all "false" so templates can
// use {{#field}} sections for optional parts.
mustache::data toData(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      mustache::data object{mustache::data::type::object};
      for (const auto& [key, child] : value.as_object())
        object.set(std::string(key), toData(child));
      return object;
    }
    case boost::json::kind::array: {
      mustache::data list{mustache::data::type::list};
      for (const auto& child : value.as_array()) list.push_back(toData(child));
      return list;
    }
    case boost::json::kind::string:
      if (value.as_string().empty()) return mustache::data{false};
      return mustache::data{std::string(value.as_string())};
    case boost::json::kind::bool_:
      return mustache::data{value.as_bool()};
    case boost::json::kind::int64:
      return mustache::data{std::to_string(value.as_int64())};
    case boost::json::kind::uint64:
      return mustache::data{std::to_string(value.as_uint64())};
    case boost::json::kind::double_:
      return mustache::data{std::to_string(value.as_double())};
    case boost::json::kind::null:
      return mustache::data{false};
  }
  return mustache::data{false};
}

// Parsed templates are cached; mustache objects are not safe to share while rendering, so each
// render copies the parsed template (cheap compared to parsing).
mustache::mustache parsed(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, mustache::mustache, std::less<>> cache;
  std::lock_guard lock(mutex);
  auto found = cache.find(name);
  if (found == cache.end()) {
    const std::string path = "templates/" + std::string(name) + ".mustache";
    const auto file = embeddedFiles().find(path);
    if (file == embeddedFiles().end()) throw std::runtime_error("template missing: " + path);
    mustache::mustache compiled{std::string(file->second)};
    if (!compiled.is_valid())
      throw std::runtime_error("template " + path + ": " + compiled.error_message());
    found = cache.emplace(std::string(name), std::move(compiled)).first;
  }
  return found->second;
}

// Every templates/partials/NAME.mustache is available to all templates as {{>NAME}}.
void addPartials(mustache::data& data) {
  constexpr std::string_view prefix = "templates/partials/";
  constexpr std::string_view suffix = ".mustache";
  for (const auto& [path, text] : embeddedFiles()) {
    if (!path.starts_with(prefix) || !path.ends_with(suffix)) continue;
    const auto name = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    const std::string body(text);
    data.set(std::string(name), mustache::partial{[body] { return body; }});
  }
}

std::string render(std::string_view name, const boost::json::object& model) {
  auto tmpl = parsed(name);
  auto data = toData(model);
  addPartials(data);
  auto text = tmpl.render(data);
  if (!tmpl.error_message().empty())
    throw std::runtime_error("template " + std::string(name) + ": " + tmpl.error_message());
  return text;
}

boost::json::object chromeModel(const PageChrome& chrome) {
  boost::json::array navigation;
  for (const auto& item : chrome.navigation)
    navigation.push_back({{"href", item.href}, {"label", item.label}, {"current", item.current}});
  const auto other = chrome.language == Language::en ? "nl" : "en";
  return {
      {"title", chrome.title},
      {"person_name", chrome.person_name.value_or("")},
      {"organisation_name", chrome.organisation_name.value_or("")},
      {"csrf_token", chrome.csrf_token},
      {"navigation", navigation},
      {"has_navigation", !navigation.empty()},
      {"language_switch_url", "/taal?lang=" + std::string(other) + "&terug=" + chrome.path},
  };
}

}  // namespace

std::string renderPage(std::string_view name, boost::json::object model, const PageChrome& chrome) {
  const auto& texts = Catalogue::of(chrome.language).tree();
  model["t"] = texts;
  auto layout = chromeModel(chrome);
  layout["t"] = texts;
  layout["content"] = render(name, model);
  return render("layout", layout);
}

}  // namespace web
