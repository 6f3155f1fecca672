#include "web/i18n.hpp"

#include "web/embedded.hpp"

#include <boost/json.hpp>
#include <toml.hpp>

#include <map>
#include <sstream>
#include <stdexcept>

namespace web {

namespace {

boost::json::value toJson(const toml::value& value) {
  if (value.is_table()) {
    boost::json::object object;
    for (const auto& [key, child] : value.as_table()) object[key] = toJson(child);
    return object;
  }
  if (value.is_string()) return boost::json::string(value.as_string().str);
  throw std::runtime_error("message catalogue: only tables and strings are allowed");
}

// Adds `from` into `into`; a text defined twice is a mistake that must not go unnoticed.
void merge(boost::json::object& into, const boost::json::object& from, const std::string& path) {
  for (const auto& [key, value] : from) {
    const std::string name = path + std::string(key);
    auto* existing = into.if_contains(key);
    if (!existing) {
      into[key] = value;
    } else if (existing->is_object() && value.is_object()) {
      merge(existing->as_object(), value.as_object(), name + ".");
    } else {
      throw std::runtime_error("message catalogue: '" + name + "' is defined twice");
    }
  }
}

// All embedded catalogue files of one language (messages/<code>/*.toml), merged.
std::string catalogueFor(Language language) {
  const std::string prefix = std::string("messages/") + toCode(language) + "/";
  boost::json::object tree;
  for (const auto& [path, text] : embeddedFiles())
    if (path.starts_with(prefix) && path.ends_with(".toml"))
      merge(tree, Catalogue(text).tree(), "");
  if (tree.empty()) throw std::runtime_error("message catalogue missing: " + prefix);
  return boost::json::serialize(tree);
}

}  // namespace

Language parseLanguage(std::string_view code) {
  return code == "en" ? Language::en : Language::nl;
}

const char* toCode(Language language) {
  return language == Language::en ? "en" : "nl";
}

const Catalogue& Catalogue::of(Language language) {
  // Parsed on first use; function-local statics make this thread-safe.
  static const Catalogue dutch{Catalogue::fromJson(catalogueFor(Language::nl))};
  static const Catalogue english{Catalogue::fromJson(catalogueFor(Language::en))};
  return language == Language::en ? english : dutch;
}

Catalogue Catalogue::fromJson(std::string_view json_text) {
  Catalogue catalogue;
  catalogue.tree_ = boost::json::parse(json_text).as_object();
  return catalogue;
}

Catalogue::Catalogue(std::string_view toml_text) {
  std::istringstream stream{std::string(toml_text)};
  tree_ = toJson(toml::parse(stream, "messages")).as_object();
}

std::string Catalogue::text(std::string_view key) const {
  const boost::json::object* node = &tree_;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const auto part =
        key.substr(start, dot == std::string_view::npos ? key.size() - start : dot - start);
    const auto* child = node->if_contains(part);
    if (!child) return std::string(key);
    if (dot == std::string_view::npos)
      return child->is_string() ? std::string(child->as_string()) : std::string(key);
    if (!child->is_object()) return std::string(key);
    node = &child->as_object();
    start = dot + 1;
  }
}

std::string Catalogue::format(
    std::string_view key,
    std::initializer_list<std::pair<std::string_view, std::string>> values) const {
  std::string result = text(key);
  for (const auto& [name, value] : values) {
    const std::string placeholder = "{" + std::string(name) + "}";
    for (auto at = result.find(placeholder); at != std::string::npos;
         at = result.find(placeholder, at + value.size()))
      result.replace(at, placeholder.size(), value);
  }
  return result;
}

}  // namespace web
