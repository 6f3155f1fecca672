// Customer pages of an organisation and a professional holder's own data (PRODUCT.md §5
// "Inzage", §6), choosing the organisation to work for, and GET /api/v1/organisations/{id}.

#include "ra/organisation_queries.hpp"
#include "web/context.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

#include <string_view>
#include <vector>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

// ----- view models shared by the pages -----

// One label/value pair of a facts list; the value's lines are shown one below the other, and a
// value without any text says so instead of leaving an empty cell.
boost::json::object fact(const Catalogue& t, std::string_view label_key,
                         std::vector<std::string> lines) {
  std::erase(lines, "");
  if (lines.empty()) lines.push_back(t.text("organisation.page.not_recorded"));
  boost::json::array values;
  for (std::size_t i = 0; i < lines.size(); ++i)
    values.push_back({{"text", lines[i]}, {"line_break", i + 1 < lines.size()}});
  return {{"label", t.text(label_key)}, {"lines", std::move(values)}};
}

// Address lines as on a Dutch letter: a domestic address is written without its country.
std::vector<std::string> addressLines(const core::Address& address) {
  std::string place = address.postal_code;
  if (!place.empty() && !address.city.empty()) place += ' ';
  place += address.city;
  std::vector<std::string> lines{address.street, place};
  if (address.country != "NL") lines.push_back(address.country);
  return lines;
}

// One titled group of organisation_details.mustache: an intro, facts, a plain list, and the
// text to show when there are neither facts nor list items.
struct Group {
  std::string title;
  std::string intro = {};
  boost::json::array facts = {};
  std::vector<std::string> items = {};
  std::string empty = {};
};

boost::json::object groupModel(Group group) {
  const bool has_facts = !group.facts.empty();
  const bool has_items = !group.items.empty();
  return {{"title", std::move(group.title)},
          {"intro", std::move(group.intro)},
          {"has_facts", has_facts},
          {"facts", std::move(group.facts)},
          {"has_items", has_items},
          {"items", boost::json::array(group.items.begin(), group.items.end())},
          {"empty", has_facts || has_items ? std::string() : std::move(group.empty)}};
}

boost::json::array billingFacts(const Catalogue& t, const core::BillingDetails& billing) {
  return {
      fact(t, "organisation.billing.attention_of", {billing.attention_of}),
      fact(t, "organisation.billing.address", addressLines(billing.address)),
      fact(t, "organisation.billing.email", {billing.email}),
      fact(t, "organisation.billing.purchase_order_reference", {billing.purchase_order_reference}),
      fact(t, "organisation.billing.vat_number", {billing.vat_number})};
}

// One link of the navigation between the parts of a set of pages.
struct Section {
  std::string href;
  std::string_view label_key;
};

boost::json::object sectionsModel(const RequestContext& context, std::string_view label_key,
                                  const std::vector<Section>& sections) {
  const auto& t = context.texts();
  boost::json::array links;
  for (const auto& section : sections)
    links.push_back({{"href", section.href},
                     {"label", t.text(section.label_key)},
                     {"current", context.target.path == section.href}});
  return {{"label", t.text(label_key)}, {"links", std::move(links)}};
}

// A page of organisation_details.mustache or another template that starts with
// partials/organisation_header (heading, optional choose alert, section navigation).
http::Response sectionPage(RequestContext& context, std::string_view template_name,
                           std::string_view section_key, const std::string& subject,
                           boost::json::object model) {
  const auto& t = context.texts();
  const auto title = t.format("organisation.page.title_format",
                              {{"page", t.text(section_key)}, {"subject", subject}});
  if (context.session) model["csrf_token"] = context.session->record.csrf_token;
  return page(context, bhttp::status::ok, template_name, title, std::move(model));
}

// ----- organisation pages -----

// The organisation in the path with everything its pages show, if this person may see it.
// Another organisation's id is not_found before anything is read, so nothing reveals it.
core::Result<ra::OrganisationProfile> visibleOrganisation(const RequestContext& context,
                                                          PortalServices& services) {
  return services.queries.organisation(*context.principal, idParameter(context));
}

// Offers to work for this organisation when the person may act for it and works for another
// one (or has not chosen yet). Servicedesk officers never act for customers: no offer.
boost::json::value chooseModel(const RequestContext& context,
                               const ra::OrganisationProfile& profile) {
  const core::Organisation& shown = profile.organisation;
  if (!profile.may_order) return nullptr;
  const auto chosen = context.chosenOrganisation();
  if (chosen && chosen->organisation_id == shown.id) return nullptr;
  const auto& t = context.texts();
  return boost::json::object{
      {"text", chosen
                   ? t.format("organisation.choose.other_chosen",
                              {{"chosen", chosen->organisation_name}, {"organisation", shown.name}})
                   : t.text("organisation.choose.none_chosen")},
      {"organisation_id", shown.id},
      {"choose_label", t.format("organisation.choose.button", {{"organisation", shown.name}})}};
}

http::Response organisationPage(RequestContext& context, const ra::OrganisationProfile& profile,
                                std::string_view template_name, std::string_view section_key,
                                boost::json::object model) {
  const core::Organisation& organisation = profile.organisation;
  const auto base = "/organisaties/" + std::to_string(organisation.id);
  model["heading"] = organisation.name;
  model["choose"] = chooseModel(context, profile);
  model["sections"] = sectionsModel(context, "organisation.page.sections_label",
                                    {{base, "organisation.profile.title"},
                                     {base + "/facturatie", "organisation.billing.title"},
                                     {base + "/personen", "organisation.persons.title"}});
  return sectionPage(context, template_name, section_key, organisation.name, std::move(model));
}

http::Response profilePage(RequestContext& context, PortalServices& services) {
  auto profile = visibleOrganisation(context, services);
  if (!profile) return failure(context, profile.error(), false);
  const auto& t = context.texts();
  const auto& o = profile->organisation;
  boost::json::array groups{groupModel({.title = t.text("organisation.profile.title"),
                                        .intro = t.text("organisation.profile.intro"),
                                        .facts = {fact(t, "organisation.profile.name", {o.name}),
                                                  fact(t, "organisation.profile.kvk", {o.kvk}),
                                                  fact(t, "organisation.profile.oin", {o.oin}),
                                                  fact(t, "organisation.profile.visiting_address",
                                                       addressLines(o.visiting_address)),
                                                  fact(t, "organisation.profile.postal_address",
                                                       addressLines(o.postal_address))}}),
                            groupModel({.title = t.text("organisation.profile.domains_title"),
                                        .intro = t.text("organisation.profile.domains_intro"),
                                        .items = profile->validated_domains,
                                        .empty = t.text("organisation.profile.no_domains")})};
  return organisationPage(context, *profile, "organisation_details", "organisation.profile.title",
                          {{"groups", std::move(groups)}});
}

http::Response billingPage(RequestContext& context, PortalServices& services) {
  auto profile = visibleOrganisation(context, services);
  if (!profile) return failure(context, profile.error(), false);
  const auto& t = context.texts();
  const auto& o = profile->organisation;
  boost::json::array groups{
      groupModel({.title = t.text("organisation.billing.title"),
                  .intro = t.format("organisation.billing.intro", {{"organisation", o.name}}),
                  .facts = billingFacts(t, o.billing)})};
  return organisationPage(context, *profile, "organisation_details", "organisation.billing.title",
                          {{"groups", std::move(groups)}});
}

// One list of organisation_persons.mustache; the id names the heading that labels the table.
boost::json::object personList(const Catalogue& t, std::string id, std::string_view role_key,
                               const std::vector<core::Person>& people, bool show_access) {
  const std::string key = "organisation.persons." + std::string(role_key);
  boost::json::array rows;
  for (const auto& person : people)
    rows.push_back({{"name", person.displayName()},
                    {"email", person.email},
                    {"phone", person.phone},
                    {"access", t.text(person.portal_access ? "organisation.page.yes"
                                                           : "organisation.page.no")}});
  const bool has_people = !rows.empty();
  return {{"id", std::move(id)},
          {"title", t.text(key)},
          {"intro", t.text(key + "_intro")},
          {"show_access", show_access},
          {"has_people", has_people},
          {"people", std::move(rows)},
          {"empty", has_people ? std::string() : t.text(key + "_none")}};
}

http::Response personsPage(RequestContext& context, PortalServices& services) {
  auto profile = visibleOrganisation(context, services);
  if (!profile) return failure(context, profile.error(), false);
  const auto& t = context.texts();
  // Certificate managers never have portal access, so that column would say "no" every time.
  boost::json::array lists{
      personList(t, "bevoegd-vertegenwoordigers", "representatives", profile->representatives,
                 true),
      personList(t, "contactpersonen", "contacts", profile->contacts, true),
      personList(t, "certificaatbeheerders", "managers", profile->managers, false)};
  return organisationPage(context, *profile, "organisation_persons", "organisation.persons.title",
                          {{"lists", std::move(lists)}});
}

// POST /organisatie-kiezen: the portal has checked Origin and the CSRF token, so the form and the
// session are there. Only organisations the person may act for can be chosen; others are 404.
http::Response chooseOrganisation(RequestContext& context, PortalServices& services) {
  const auto id = idField(context, "organisation_id");
  if (!id)
    return failure(context, core::makeError(core::ErrorKind::invalid, "error.bad_request"), false);
  if (auto chosen = services.sessions.selectOrganisation(*context.principal, *context.session, *id);
      !chosen)
    return failure(context, chosen.error(), false);
  return redirect(context, "/organisaties/" + std::to_string(*id));
}

// ----- GET /api/v1/organisations/{id} -----

boost::json::object addressJson(const core::Address& address) {
  return {{"street", address.street},
          {"postal_code", address.postal_code},
          {"city", address.city},
          {"country", address.country}};
}

boost::json::array peopleJson(const std::vector<core::Person>& people) {
  boost::json::array result;
  for (const auto& person : people)
    result.push_back({{"id", person.id},
                      {"name", person.displayName()},
                      {"email", person.email},
                      {"phone", person.phone}});
  return result;
}

http::Response organisationJson(RequestContext& context, PortalServices& services) {
  auto profile = visibleOrganisation(context, services);
  if (!profile) return failure(context, profile.error(), true);
  const auto& o = profile->organisation;
  const auto& b = o.billing;
  boost::json::array domains(profile->validated_domains.begin(), profile->validated_domains.end());
  return json(context, bhttp::status::ok,
              boost::json::object{
                  {"id", o.id},
                  {"name", o.name},
                  {"kvk", o.kvk},
                  {"oin", o.oin},
                  {"visiting_address", addressJson(o.visiting_address)},
                  {"postal_address", addressJson(o.postal_address)},
                  {"billing",
                   {{"address", addressJson(b.address)},
                    {"attention_of", b.attention_of},
                    {"email", b.email},
                    {"purchase_order_reference", b.purchase_order_reference},
                    {"vat_number", b.vat_number}}},
                  {"validated_domains", std::move(domains)},
                  {"representatives", peopleJson(profile->representatives)},
                  {"contacts", peopleJson(profile->contacts)},
                  {"managers", peopleJson(profile->managers)},
              });
}

// ----- a professional holder's own data -----

core::Result<ra::ProfessionalProfile> ownProfessionalProfile(const RequestContext& context,
                                                             PortalServices& services) {
  return services.queries.professional(*context.principal);
}

http::Response professionalPage(RequestContext& context, std::string_view section_key,
                                Group group) {
  const auto& t = context.texts();
  boost::json::object model{
      {"heading", t.text("professional.page.title")},
      {"sections", sectionsModel(context, "professional.page.sections_label",
                                 {{"/mijn-certificaten", "card_orders.own.title"},
                                  {"/mijn-gegevens", "professional.contact.title"},
                                  {"/mijn-gegevens/facturatie", "professional.billing.title"}})},
      {"groups", boost::json::array{groupModel(std::move(group))}}};
  return sectionPage(context, "organisation_details", section_key,
                     t.text("professional.page.title"), std::move(model));
}

http::Response professionalContactPage(RequestContext& context, PortalServices& services) {
  auto profile = ownProfessionalProfile(context, services);
  if (!profile) return failure(context, profile.error(), false);
  const auto& t = context.texts();
  const auto& person = profile->person;
  const auto& details = profile->details;
  return professionalPage(
      context, "professional.contact.title",
      {.title = t.text("professional.contact.title"),
       .intro = t.text(details ? "professional.page.intro" : "professional.page.not_recorded"),
       .facts = {fact(t, "professional.contact.name", {person.displayName()}),
                 fact(t, "professional.contact.profession", {person.profession}),
                 fact(t, "professional.contact.registration_number",
                      {details ? details->registration_number : ""}),
                 fact(t, "professional.contact.email", {person.email}),
                 fact(t, "professional.contact.phone", {person.phone}),
                 fact(t, "professional.contact.address",
                      details ? addressLines(details->address) : std::vector<std::string>{})}});
}

http::Response professionalBillingPage(RequestContext& context, PortalServices& services) {
  auto profile = ownProfessionalProfile(context, services);
  if (!profile) return failure(context, profile.error(), false);
  const auto& t = context.texts();
  const auto& details = profile->details;
  return professionalPage(
      context, "professional.billing.title",
      {.title = t.text("professional.billing.title"),
       .intro = t.text("professional.billing.intro"),
       .facts = details ? billingFacts(t, details->billing) : boost::json::array{},
       .empty = t.text("professional.page.not_recorded")});
}

}  // namespace

void addOrganisationRoutes(Router& router, PortalServices& services) {
  addRoute(router, services,
           {bhttp::verb::get, "/organisaties/{id}", Access::logged_in, Format::html}, profilePage);
  addRoute(router, services,
           {bhttp::verb::get, "/organisaties/{id}/facturatie", Access::logged_in, Format::html},
           billingPage);
  addRoute(router, services,
           {bhttp::verb::get, "/organisaties/{id}/personen", Access::logged_in, Format::html},
           personsPage);
  addRoute(router, services,
           {bhttp::verb::post, "/organisatie-kiezen", Access::logged_in, Format::html},
           chooseOrganisation);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/organisations/{id}", Access::logged_in, Format::json},
           organisationJson);
  addRoute(router, services, {bhttp::verb::get, "/mijn-gegevens", Access::logged_in, Format::html},
           professionalContactPage);
  addRoute(router, services,
           {bhttp::verb::get, "/mijn-gegevens/facturatie", Access::logged_in, Format::html},
           professionalBillingPage);
}

}  // namespace web
