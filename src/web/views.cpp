#include "web/views.hpp"

#include "web/embedded.hpp"
#include "web/i18n.hpp"

#include <boost/json.hpp>
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <map>
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

// Everything a template reads that is the same for every page of a language is put in once,
// when it is parsed: partials ({{>NAME}}, templates/partials/NAME.mustache) are inlined and
// texts ({{t.KEY}}) replaced by their escaped text, so that a render copies no catalogue.
std::string prepared(std::string_view text, const Catalogue& texts, int depth = 0) {
  constexpr std::string_view partial_tag = "{{>", text_tag = "{{t.", close_tag = "}}";
  if (depth > 8) throw std::runtime_error("templates: partials nested too deep");
  std::string out;
  std::size_t position = 0;
  for (;;) {
    const auto partial = text.find(partial_tag, position), word = text.find(text_tag, position);
    const auto open = std::min(partial, word);
    const auto close = open == std::string_view::npos ? open : text.find(close_tag, open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(position, open - position));
    if (open == partial) {
      const auto name = text.substr(open + partial_tag.size(), close - open - partial_tag.size());
      const auto path = "templates/partials/" + std::string(name) + ".mustache";
      const auto file = embeddedFiles().find(path);
      if (file == embeddedFiles().end()) throw std::runtime_error("partial missing: " + path);
      out += prepared(file->second, texts, depth + 1);
    } else {
      const auto key = text.substr(open + text_tag.size(), close - open - text_tag.size());
      out += mustache::html_escape<std::string>(texts.text(key));
    }
    position = close + close_tag.size();
  }
  out.append(text.substr(position));
  return out;
}

// Parsed once per worker thread and language: a mustache object is not safe to share while
// rendering, and copying one per render costs as much as rendering.
mustache::mustache& parsed(std::string_view name, Language language) {
  thread_local std::map<std::pair<Language, std::string>, mustache::mustache, std::less<>> cache;
  const auto key = std::pair{language, std::string(name)};
  auto found = cache.find(key);
  if (found == cache.end()) {
    const std::string path = "templates/" + std::string(name) + ".mustache";
    const auto file = embeddedFiles().find(path);
    if (file == embeddedFiles().end()) throw std::runtime_error("template missing: " + path);
    mustache::mustache compiled{prepared(file->second, Catalogue::of(language))};
    if (!compiled.is_valid())
      throw std::runtime_error("template " + path + ": " + compiled.error_message());
    found = cache.emplace(key, std::move(compiled)).first;
  }
  return found->second;
}

std::string render(std::string_view name, Language language, const boost::json::object& model) {
  auto& tmpl = parsed(name, language);
  auto text = tmpl.render(toData(model));
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
  auto layout = chromeModel(chrome);
  layout["content"] = render(name, chrome.language, model);
  return render("layout", chrome.language, layout);
}

}  // namespace web
