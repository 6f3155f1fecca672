#include "web/views.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Views, PageIsRenderedInLayoutWithEscapedValues) {
  web::PageChrome chrome;
  chrome.title = "Overzicht";
  chrome.person_name = "<script>alert(1)</script>";
  chrome.csrf_token = "tok\"en";
  chrome.path = "/";
  const auto html = web::renderPage("error", {{"heading", "Kop & <b>"}, {"body", "tekst"}}, chrome);
  EXPECT_NE(html.find("<html lang=\"nl\""), std::string::npos);
  EXPECT_NE(html.find("Kop &amp; &lt;b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("value=\"tok&quot;en\""), std::string::npos);
  EXPECT_NE(html.find("href=\"#inhoud\""), std::string::npos) << "skip link";
  EXPECT_NE(html.find("<main id=\"inhoud\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "no inline script (CSP)";
}

TEST(Views, LogoutFormOnlyWithSession) {
  web::PageChrome chrome;
  chrome.title = "x";
  EXPECT_EQ(web::renderPage("error", {}, chrome).find("/uitloggen"), std::string::npos);
  chrome.csrf_token = "t";
  EXPECT_NE(web::renderPage("error", {}, chrome).find("/uitloggen"), std::string::npos);
}

TEST(Views, EnglishLayout) {
  web::PageChrome chrome;
  chrome.language = web::Language::en;
  chrome.title = "x";
  const auto html = web::renderPage("error", {}, chrome);
  EXPECT_NE(html.find("<html lang=\"en\""), std::string::npos);
  EXPECT_NE(html.find("Skip to content"), std::string::npos);
  EXPECT_NE(html.find("/taal?lang=nl"), std::string::npos);
}

TEST(Views, MissingTemplateThrows) {
  EXPECT_THROW(web::renderPage("no_such_template", {}, web::PageChrome{}), std::runtime_error);
}

}  // namespace
