#pragma once
// The message catalogues (messages/nl.toml, messages/en.toml), embedded in the binary.
// Dutch is the default; English is chosen explicitly (language switch), never guessed.

#include <boost/json/object.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace web {

/// Languages of the UI.
enum class Language { nl, en };

/// Parses "nl"/"en"; anything else is Dutch.
Language parseLanguage(std::string_view code);
/// "nl" or "en".
const char* toCode(Language language);

/// The texts of one language: every messages/<language>/*.toml file, merged (each area of the
/// portal keeps its texts in its own file; a key defined twice is a start-up error).
class Catalogue {
 public:
  /// The catalogue of a language (loaded once).
  static const Catalogue& of(Language language);

  /// The text under a dotted key ("refused.expired.title"); the key itself if missing, so a
  /// forgotten text is visible instead of silently empty.
  std::string text(std::string_view key) const;
  /// text() with "{name}" placeholders replaced (values are plain text; templates escape them).
  std::string format(std::string_view key,
                     std::initializer_list<std::pair<std::string_view, std::string>> values) const;
  /// All texts as a nested JSON object (templates read them as {{t.section.key}}).
  const boost::json::object& tree() const { return tree_; }

  /// Parses a catalogue from TOML text; throws on syntax errors (start-up only).
  explicit Catalogue(std::string_view toml_text);

 private:
  Catalogue() = default;
  static Catalogue fromJson(std::string_view json_text);
  boost::json::object tree_;
};

}  // namespace web
