#include "web/i18n.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <set>

namespace {

void collectKeys(const boost::json::object& object, const std::string& prefix,
                 std::set<std::string>& keys) {
  for (const auto& [key, value] : object) {
    const std::string name = prefix + std::string(key);
    if (value.is_object())
      collectKeys(value.as_object(), name + ".", keys);
    else
      keys.insert(name);
  }
}

TEST(I18n, BothCataloguesHaveExactlyTheSameKeys) {
  std::set<std::string> dutch, english;
  collectKeys(web::Catalogue::of(web::Language::nl).tree(), "", dutch);
  collectKeys(web::Catalogue::of(web::Language::en).tree(), "", english);
  EXPECT_GT(dutch.size(), 50u);
  EXPECT_EQ(dutch, english);
}

TEST(I18n, DutchIsTheDefault) {
  EXPECT_EQ(web::parseLanguage("en"), web::Language::en);
  EXPECT_EQ(web::parseLanguage("de"), web::Language::nl);
  EXPECT_EQ(web::parseLanguage(""), web::Language::nl);
  EXPECT_EQ(web::Catalogue::of(web::Language::nl).text("refused.expired.title"),
            "Uw certificaat is verlopen");
}

TEST(I18n, MissingKeysShowThemselves) {
  EXPECT_EQ(web::Catalogue::of(web::Language::nl).text("no.such.key"), "no.such.key");
  EXPECT_EQ(web::Catalogue::of(web::Language::nl).text("refused"), "refused");
}

TEST(I18n, PlaceholdersAreReplaced) {
  EXPECT_EQ(
      web::Catalogue::of(web::Language::nl).format("dashboard.title", {{"name", "Sanne {name}"}}),
      "Welkom, Sanne {name}");
}

}  // namespace
