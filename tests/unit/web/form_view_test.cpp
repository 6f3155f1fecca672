#include "web/form_view.hpp"

#include "web/views.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace {

const web::Catalogue kTexts{R"(
[f]
name = "Naam"
email = "E-mailadres"
email_hint = "Zoals naam@voorbeeld.nl."
role = "Rol"
contact = "Contactpersoon"
manager = "Certificaatbeheerder"
[v]
required = "{label} is verplicht."
email = "Vul een geldig e-mailadres in."
[form]
error_summary = "Er is een probleem"
error_title = "Fout: {title}"
)"};

const web::FieldSpec kName{"given_name", "f.name", "", "text", "", true};
const web::FieldSpec kEmail{"email", "f.email", "f.email_hint", "email", "email"};

TEST(FormView, FieldWithoutErrorKeepsItsValueAndDescribesTheHint) {
  web::FormView form(kTexts, "persoon");
  const auto field = form.field(kEmail, "a@b.nl");
  EXPECT_EQ(field.at("id"), "persoon-email");
  EXPECT_EQ(field.at("name"), "email");
  EXPECT_EQ(field.at("label"), "E-mailadres");
  EXPECT_EQ(field.at("value"), "a@b.nl");
  EXPECT_EQ(field.at("type"), "email");
  EXPECT_EQ(field.at("autocomplete"), "email");
  EXPECT_EQ(field.at("description"), "Zoals naam@voorbeeld.nl.");
  EXPECT_EQ(field.at("description_id"), "persoon-email-description");
  EXPECT_EQ(field.at("describedby"), "persoon-email-description");
  EXPECT_EQ(field.at("invalid"), false);
  EXPECT_EQ(field.at("error"), "");
  EXPECT_FALSE(form.hasErrors());
  EXPECT_EQ(form.summary().at("has_errors"), false);
  EXPECT_EQ(form.pageTitle("Persoon"), "Persoon");
}

TEST(FormView, InvalidFieldPointsToItsMessageFirst) {
  web::FormView form(kTexts, "persoon", {{"email", "v.email"}});
  const auto field = form.field(kEmail, "sanne@");
  EXPECT_EQ(field.at("invalid"), true);
  EXPECT_EQ(field.at("value"), "sanne@") << "the entered value is kept";
  EXPECT_EQ(field.at("error"), "Vul een geldig e-mailadres in.");
  EXPECT_EQ(field.at("error_id"), "persoon-email-error");
  EXPECT_EQ(field.at("describedby"), "persoon-email-error persoon-email-description");
  EXPECT_EQ(form.pageTitle("Persoon"), "Fout: Persoon");
}

TEST(FormView, MessagesMayNameTheField) {
  web::FormView form(kTexts, "p", {{"given_name", "v.required"}});
  const auto field = form.field(kName, "");
  EXPECT_EQ(field.at("error"), "Naam is verplicht.");
  EXPECT_EQ(field.at("id"), "p-given-name") << "element ids use hyphens";
  EXPECT_EQ(field.at("describedby"), "p-given-name-error");
  EXPECT_EQ(field.at("required"), true);
}

TEST(FormView, SummaryListsErrorsInPageOrderWithLinks) {
  // Errors arrive in another order than the fields are shown.
  web::FormView form(
      kTexts, "p",
      {{"email", "v.email"}, {"given_name", "v.required"}, {"unknown_field", "v.required"}});
  form.field(kName, "");
  form.field(kEmail, "x");
  const auto summary = form.summary();
  EXPECT_EQ(summary.at("has_errors"), true);
  EXPECT_EQ(summary.at("title"), "Er is een probleem");
  EXPECT_EQ(summary.at("id"), "p-errors");
  const auto& errors = summary.at("errors").as_array();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].at("href"), "#p-given-name");
  EXPECT_EQ(errors[0].at("text"), "Naam is verplicht.");
  EXPECT_EQ(errors[1].at("href"), "#p-email");
  EXPECT_EQ(errors[2].at("href"), "") << "a field that is not on the form has no link";
}

TEST(FormView, SelectMarksTheChosenOption) {
  web::FormView form(kTexts, "rol");
  const auto field = form.select({"role", "f.role"}, "manager",
                                 {{"contact", "f.contact"}, {"manager", "f.manager"}});
  EXPECT_EQ(field.at("select"), true);
  const auto& options = field.at("options").as_array();
  ASSERT_EQ(options.size(), 2u);
  EXPECT_EQ(options[0].at("label"), "Contactpersoon");
  EXPECT_EQ(options[0].at("selected"), false);
  EXPECT_EQ(options[1].at("value"), "manager");
  EXPECT_EQ(options[1].at("selected"), true);
}

TEST(FormView, PartialsRenderTheErrorPattern) {
  // The real catalogue and partials: the page shows the summary, the message next to the field,
  // aria-invalid and aria-describedby, and the entered (escaped) value.
  const auto& texts = web::Catalogue::of(web::Language::nl);
  web::FormView form(texts, "domein", {{"domain", "validation.domain_wildcard"}});
  const auto field = form.field({"domain", "servicedesk.domains.domain"}, "*.voorbeeld.nl\"<x>");
  boost::json::object model{
      {"heading", "Domeinen"},
      {"fieldsets", boost::json::array{{{"legend", "Domein"}, {"fields", {field}}}}},
      {"summary", form.summary()}};
  web::PageChrome chrome;
  chrome.title = form.pageTitle("Domeinen");
  const auto html = web::renderPage("servicedesk_form", model, chrome);
  EXPECT_NE(html.find("<title>Fout: Domeinen"), std::string::npos);
  EXPECT_NE(html.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(html.find("href=\"#domein-domain\""), std::string::npos);
  EXPECT_NE(html.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(html.find("aria-describedby=\"domein-domain-error\""), std::string::npos);
  EXPECT_NE(html.find("id=\"domein-domain-error\""), std::string::npos);
  EXPECT_NE(html.find("value=\"*.voorbeeld.nl&quot;&lt;x&gt;\""), std::string::npos);
  EXPECT_NE(html.find("Een wildcard (*) kan niet worden gevalideerd"), std::string::npos);
}

}  // namespace
