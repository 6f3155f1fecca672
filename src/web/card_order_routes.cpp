// Ordering cards (ADR 0007, PRODUCT.md §5 "Passen", §6): new personal and group cards for an
// organisation, renewing a card, a professional holder's renewal and mobile certificate, and the
// holder's own overview "Mijn certificaten". Every form creates a draft order; the order page
// /bestellingen/{id} (order_routes.cpp) then shows it for review and signing.

#include "core/time_format.hpp"
#include "web/certificate_views.hpp"
#include "web/form_view.hpp"
#include "web/order_views.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

const core::Error kNotFound = core::makeError(core::ErrorKind::not_found, "error.not_found");

/// ?soort= of the new-card form: the card types an organisation orders.
constexpr std::string_view kPersonalKind = "persoonsgebonden";
constexpr std::string_view kGroupKind = "groep";

// ----- fields -----

// Personal cards are ordered for someone else: no autocomplete tokens, which would fill in the
// orderer's own data. A professional holder's own fields have them (WCAG 1.3.5).
const FieldSpec kGivenName{
    "given_name", "card_orders.form.given_name", "card_orders.form.given_name_hint", "text", "",
    true};
const FieldSpec kSurname{
    "surname", "card_orders.form.surname", "card_orders.form.surname_hint", "text", "", true};
const FieldSpec kEmail{
    "email", "card_orders.form.email", "card_orders.form.email_hint", "email", "", true};
const FieldSpec kPhone{"phone", "card_orders.form.phone", "card_orders.form.phone_hint", "tel", "",
                       true};
const FieldSpec kJobTitle{"title", "card_orders.form.job_title", "card_orders.form.job_title_hint"};
const FieldSpec kGroupName{
    "group_name", "card_orders.form.group_name", "card_orders.form.group_name_hint", "text", "",
    true};
const FieldSpec kGroupEmail{
    "email", "card_orders.form.group_email", "card_orders.form.group_email_hint", "email", "",
    true};
const FieldSpec kManager{
    "manager", "card_orders.form.manager", "card_orders.form.manager_hint", "text", "", true};
const FieldSpec kOwnGivenName{"given_name", "card_orders.form.given_name", "", "text", "given-name",
                              true};
const FieldSpec kOwnSurname{"surname", "card_orders.form.surname", "", "text", "family-name", true};
const FieldSpec kProfession{"title", "card_orders.form.profession", "", "text", "", true};
const FieldSpec kRegistrationNumber{"registration_number",
                                    "card_orders.form.registration_number",
                                    "card_orders.form.registration_number_hint",
                                    "text",
                                    "",
                                    true};
const FieldSpec kOwnEmail{"email", "card_orders.form.own_email", "", "email", "email", true};
const FieldSpec kOwnPhone{
    "phone", "card_orders.form.own_phone", "card_orders.form.phone_hint", "tel", "tel", true};
const FieldSpec kMobilePhone{
    "phone", "card_orders.form.mobile_phone", "card_orders.form.mobile_phone_hint", "tel", "tel",
    true};

/// The detail each text field edits; form field names are those of ra's field errors.
using DetailMember = std::string core::CardOrderDetails::*;

DetailMember memberOf(std::string_view field) {
  for (const auto& [name, member] : cardDetailFields())
    if (name == field) return member;
  throw std::logic_error("card order field without a detail: " + std::string(field));
}

// ----- one form for every card order -----

/// What differs between the card order forms.
struct CardFormPage {
  std::string heading;
  std::string intro;
  std::string action;
  std::string cancel;
  std::string facts_title;
  /// Fixed or carried-over data, shown read-only: [{label, value}].
  boost::json::array facts;
  std::string facts_note;
  /// The legend of the fieldset of the editable fields.
  std::string legend;
  /// The editable details, in page order.
  std::vector<FieldSpec> fields;
  /// Group cards: the organisation whose active certificate managers are offered.
  std::optional<core::OrganisationId> managers_of;
  std::vector<core::Person> managers;  ///< that organisation's certificate managers
  /// New cards: {href, label} of the form of the other card type.
  boost::json::value other_kind = nullptr;
  /// Links to the professional holder's contact and billing data.
  bool own_data = false;
  /// What is ordered: as carried over, then as entered.
  ra::CardOrderForm order;
};

boost::json::object fact(const Catalogue& t, std::string_view key, std::string value) {
  return {{"label", t.text("card_orders.fact." + std::string(key))}, {"value", std::move(value)}};
}

std::string typeLabel(const Catalogue& t, core::CardType type) {
  return t.text("cards.type." + std::string(core::toString(type)));
}

boost::json::object managerSelect(FormView& form, const std::vector<core::Person>& managers,
                                  const std::optional<core::PersonId>& chosen) {
  const std::string value = chosen ? std::to_string(*chosen) : "";
  boost::json::array options{{{"value", ""},
                              {"label", form.texts().text("card_orders.form.manager_choose")},
                              {"selected", value.empty()}}};
  for (const auto& person : managers)
    options.push_back({{"value", std::to_string(person.id)},
                       {"label", person.displayName() + " (" + person.email + ")"},
                       {"selected", value == std::to_string(person.id)}});
  auto model = form.select(kManager, value, {});
  model["options"] = std::move(options);
  return model;
}

http::Response cardOrderForm(RequestContext& context, bhttp::status status,
                             const CardFormPage& form_page,
                             const std::vector<core::FieldError>& errors) {
  FormView form(context.texts(), "pasbestelling", errors);
  boost::json::array fields;
  for (const auto& spec : form_page.fields)
    fields.push_back(form.field(spec, form_page.order.details.*memberOf(spec.name)));
  if (form_page.managers_of)
    fields.push_back(managerSelect(form, form_page.managers, form_page.order.manager));
  const bool new_card = form_page.order.type == core::OrderType::card_new;
  boost::json::object model{
      {"heading", form_page.heading},
      {"intro", form_page.intro},
      {"other_kind", form_page.other_kind},
      {"has_facts", !form_page.facts.empty()},
      {"facts_title", form_page.facts_title},
      {"facts", form_page.facts},
      {"facts_note", form_page.facts_note},
      {"action", form_page.action},
      {"cancel", form_page.cancel},
      {"csrf_token", context.session ? context.session->record.csrf_token : ""},
      {"card_type", new_card ? core::toString(form_page.order.card_type) : ""},
      {"legend", form_page.legend},
      {"fields", std::move(fields)},
      {"has_own_data", form_page.own_data},
      // After the fields: the summary links only to fields the form has placed.
      {"summary", form.summary()}};
  return page(context, status, "card_order_form", form.pageTitle(form_page.heading),
              std::move(model));
}

/// Takes the editable fields and the manager from the POST into the order.
core::Result<void> readForm(const RequestContext& context, CardFormPage& form_page) {
  for (const auto& spec : form_page.fields)
    form_page.order.details.*memberOf(spec.name) = formValue(context, spec.name);
  if (!form_page.managers_of) return {};
  const std::string choice = formValue(context, kManager.name);
  form_page.order.manager = parseId(choice);
  if (!choice.empty() && !form_page.order.manager)
    return core::makeError(core::ErrorKind::invalid, "validation.failed",
                           {{kManager.name, "order.manager_unknown"}});
  return {};
}

http::Reply submitCardOrder(RequestContext& context, PortalServices& services,
                            CardFormPage form_page) {
  const auto refused = [&](const core::Error& error) -> http::Reply {
    if (error.fields.empty()) return failure(context, error, false);
    return cardOrderForm(context, statusOf(error.kind), form_page, error.fields);
  };
  if (auto read = readForm(context, form_page); !read) return refused(read.error());
  form_page.order.login_identity = loginIdentity(context);
  auto order = services.card_orders.create(*context.principal, form_page.order);
  if (!order) return refused(order.error());
  return redirect(context, "/bestellingen/" + std::to_string(order->id));
}

// ----- new cards of an organisation -----

/// The card type asked for: the hidden card_type of the POST, or ?soort= of the GET (default
/// personal); nullopt for a posted type an organisation cannot order.
std::optional<core::CardType> requestedType(const RequestContext& context) {
  if (context.form) {
    const auto type = core::parseCardType(formValue(context, "card_type"));
    if (type != core::CardType::personal && type != core::CardType::group) return std::nullopt;
    return type;
  }
  const auto kind = context.target.query.find("soort");
  const bool group = kind != context.target.query.end() && kind->second == kGroupKind;
  return group ? core::CardType::group : core::CardType::personal;
}

core::Result<CardFormPage> newCardPage(const RequestContext& context, PortalServices& services,
                                       core::CardType type) {
  auto profile = services.queries.orderingFor(*context.principal, idParameter(context));
  if (!profile) return profile.error();
  const core::Organisation* organisation = &profile->organisation;
  const auto& t = context.texts();
  const bool group = type == core::CardType::group;
  const std::string base = "/organisaties/" + std::to_string(organisation->id) + "/passen";
  const auto path = [&](std::string_view kind) {
    return base + "/bestellen?soort=" + std::string(kind);
  };
  CardFormPage form_page{
      .heading = t.text(group ? "card_orders.form.new_group_title"
                              : "card_orders.form.new_personal_title"),
      .intro = t.text(group ? "card_orders.form.new_group_intro"
                            : "card_orders.form.new_personal_intro"),
      .action = path(group ? kGroupKind : kPersonalKind),
      .cancel = base,
      .facts_title = t.text("card_orders.form.organisation_legend"),
      .facts = {fact(t, "organisation", organisation->name), fact(t, "kvk", organisation->kvk),
                fact(t, "card_type", typeLabel(t, type))},
      .legend = t.text(group ? "card_orders.form.group_legend" : "card_orders.form.holder_legend"),
      .fields = group ? std::vector{kGroupName, kGroupEmail}
                      : std::vector{kGivenName, kSurname, kEmail, kPhone, kJobTitle},
      .other_kind = boost::json::object{{"href", path(group ? kPersonalKind : kGroupKind)},
                                        {"label", t.text(group ? "card_orders.form.other_personal"
                                                               : "card_orders.form.other_group")}}};
  if (group) {
    form_page.managers_of = organisation->id;
    form_page.managers = std::move(profile->managers);
  }
  form_page.order.organisation = organisation->id;
  form_page.order.card_type = type;
  return form_page;
}

http::Reply newCardForm(RequestContext& context, PortalServices& services) {
  auto form_page = newCardPage(context, services, *requestedType(context));
  if (!form_page) return failure(context, form_page.error(), false);
  return cardOrderForm(context, bhttp::status::ok, *form_page, {});
}

http::Reply createCard(RequestContext& context, PortalServices& services) {
  const auto type = requestedType(context);
  auto form_page = newCardPage(context, services, type.value_or(core::CardType::personal));
  if (!form_page) return failure(context, form_page.error(), false);
  if (!type)
    return cardOrderForm(context, bhttp::status::bad_request, *form_page,
                         {{"card_type", "card_orders.form.card_type_unknown"}});
  return submitCardOrder(context, services, std::move(*form_page));
}

// ----- renewing a card, adding a mobile certificate -----

using ra::OrderableCard;

/// The card in {id}, if this person may order for it (ra decides); a refused card (revoked:
/// invalid on "card_id") has no form to show it in, so the error page says why.
core::Result<OrderableCard> orderableCard(const RequestContext& context, PortalServices& services) {
  auto orderable = services.card_orders.orderable(*context.principal, idParameter(context));
  if (!orderable) {
    auto refusal = orderable.error();
    if (refusal.fields.size() == 1) refusal.message = refusal.fields.front().message;
    return refusal;
  }
  return orderable;
}

std::string cardPath(core::CardId id) {
  return "/passen/" + std::to_string(id);
}

std::string fullName(const core::CardOrderDetails& details) {
  return details.given_name + " " + details.surname;
}

core::Result<CardFormPage> renewalPageOf(const RequestContext& context, PortalServices& services,
                                         const OrderableCard& orderable) {
  const auto& t = context.texts();
  const core::Card& card = orderable.card;
  CardFormPage form_page{
      .heading = t.format("card_orders.form.renew_title", {{"name", card.holder_name}}),
      .action = cardPath(card.id) + "/vernieuwen",
      .cancel = cardPath(card.id),
      .facts_title = t.text("card_orders.form.carried_over"),
      .legend = t.text("card_orders.form.contact_legend")};
  form_page.order.type = core::OrderType::card_renew;
  form_page.order.card = card.id;
  form_page.order.card_type = card.type;
  form_page.order.details = orderable.details;
  if (card.organisation) {
    auto profile = services.queries.orderingFor(*context.principal, *card.organisation);
    if (!profile) return profile.error();
    form_page.facts = {fact(t, "organisation", profile->organisation.name),
                       fact(t, "kvk", profile->organisation.kvk)};
    form_page.managers = std::move(profile->managers);
  }
  form_page.facts.push_back(fact(t, "card_type", typeLabel(t, card.type)));
  switch (card.type) {
    case core::CardType::personal:
      form_page.intro = t.text("card_orders.form.renew_personal_intro");
      form_page.facts.push_back(fact(t, "name", fullName(orderable.details)));
      form_page.fields = {kEmail, kPhone, kJobTitle};
      break;
    case core::CardType::group:
      form_page.intro = t.text("card_orders.form.renew_group_intro");
      form_page.facts.push_back(fact(t, "group_name", orderable.details.group_name));
      form_page.fields = {kGroupEmail};
      form_page.managers_of = card.organisation;
      form_page.order.manager = card.manager;
      break;
    case core::CardType::professional:
    case core::CardType::mobile:
      form_page.heading = t.text("card_orders.form.renew_professional_title");
      form_page.intro = t.text("card_orders.form.renew_professional_intro");
      form_page.legend = t.text("card_orders.form.own_legend");
      form_page.fields = {kOwnGivenName,       kOwnSurname, kProfession,
                          kRegistrationNumber, kOwnEmail,   kOwnPhone};
      form_page.own_data = true;
      break;
  }
  form_page.facts.push_back(fact(t, "current_end", core::toDutchDate(card.not_after)));
  return form_page;
}

core::Result<CardFormPage> renewalPage(const RequestContext& context, PortalServices& services) {
  auto orderable = orderableCard(context, services);
  if (!orderable) return orderable.error();
  return renewalPageOf(context, services, *orderable);
}

/// The mobile certificate of a professional holder's own professional card.
core::Result<CardFormPage> mobilePage(const RequestContext& context, PortalServices& services) {
  auto orderable = orderableCard(context, services);
  if (!orderable) return orderable.error();
  const core::Card& card = orderable->card;
  if (card.type != core::CardType::professional) return kNotFound;
  const auto& t = context.texts();
  const auto& details = orderable->details;
  CardFormPage form_page{
      .heading = t.text("card_orders.form.mobile_title"),
      .intro = t.text("card_orders.form.mobile_intro"),
      .action = cardPath(card.id) + "/mobiel",
      .cancel = cardPath(card.id),
      .facts_title = t.text("card_orders.form.mobile_facts"),
      .facts = {fact(t, "name", fullName(details)), fact(t, "profession", details.title),
                fact(t, "registration_number", details.registration_number),
                fact(t, "email", details.email)},
      .facts_note = t.text("card_orders.form.mobile_data_note"),
      .legend = t.text("card_orders.form.mobile_legend"),
      .fields = {kMobilePhone},
      .own_data = true};
  form_page.order.type = core::OrderType::mobile_add;
  form_page.order.card = card.id;
  form_page.order.card_type = core::CardType::mobile;
  form_page.order.details = details;
  form_page.order.details.phone.clear();  // the phone that gets it: asked, not assumed
  return form_page;
}

template <core::Result<CardFormPage> (*build)(const RequestContext&, PortalServices&)>
http::Reply showForm(RequestContext& context, PortalServices& services) {
  auto form_page = build(context, services);
  if (!form_page) return failure(context, form_page.error(), false);
  return cardOrderForm(context, bhttp::status::ok, *form_page, {});
}

template <core::Result<CardFormPage> (*build)(const RequestContext&, PortalServices&)>
http::Reply submitForm(RequestContext& context, PortalServices& services) {
  auto form_page = build(context, services);
  if (!form_page) return failure(context, form_page.error(), false);
  return submitCardOrder(context, services, std::move(*form_page));
}

// ----- "Mijn certificaten" -----

http::Reply ownCertificatesPage(RequestContext& context, PortalServices& services) {
  auto cards = services.queries.ownCards(*context.principal);
  if (!cards) return failure(context, cards.error(), false);
  auto orders = services.orders.ofHolder(*context.principal);
  if (!orders) return failure(context, orders.error(), false);
  const auto& t = context.texts();
  const auto now = services.clock.now();
  boost::json::array card_rows;
  for (const auto& [card, may] : *cards)
    card_rows.push_back(
        {{"href", cardPath(card.id)},
         {"name", card.holder_name},
         {"type", typeLabel(t, card.type)},
         {"status", statusModel(t, core::statusAt(card.not_after, card.revoked_at, now))},
         {"not_after", core::toDutchDate(card.not_after)},
         {"links", cardOrderLinks(context, card, may)}});
  boost::json::array order_rows;
  for (const auto& order : *orders)
    order_rows.push_back(
        {{"href", "/bestellingen/" + std::to_string(order.id)},
         {"number", std::to_string(order.id)},
         {"type", t.text("orders.type." + std::string(core::toString(order.type)))},
         {"status", orderStatusText(t, order.status)},
         {"created", core::toDutchDate(order.created_at)}});
  const bool has_cards = !card_rows.empty();
  const bool has_orders = !order_rows.empty();
  boost::json::object model{{"heading", t.text("card_orders.own.title")},
                            {"has_cards", has_cards},
                            {"cards", std::move(card_rows)},
                            {"has_orders", has_orders},
                            {"orders", std::move(order_rows)}};
  return page(context, bhttp::status::ok, "professional_overview", t.text("card_orders.own.title"),
              std::move(model));
}

}  // namespace

boost::json::array cardOrderLinks(const RequestContext& context, const core::Card& card,
                                  const ra::CardPermissions& may) {
  const auto& t = context.texts();
  const auto date = core::toDutchDate(card.not_after);
  boost::json::array links;
  if (may.renew)
    links.push_back({{"href", cardPath(card.id) + "/vernieuwen"},
                     {"label", t.text("card_orders.links.renew")},
                     {"aria_label",
                      t.format("card_orders.links.renew_label", {{"name", card.holder_name},
                                                                 {"type", typeLabel(t, card.type)},
                                                                 {"date", date}})}});
  if (may.add_mobile)
    links.push_back({{"href", cardPath(card.id) + "/mobiel"},
                     {"label", t.text("card_orders.links.mobile")},
                     {"aria_label", t.format("card_orders.links.mobile_label",
                                             {{"name", card.holder_name}, {"date", date}})}});
  return links;
}

void addCardOrderRoutes(Router& router, PortalServices& services) {
  addRoute(
      router, services,
      {bhttp::verb::get, "/organisaties/{id}/passen/bestellen", Access::logged_in, Format::html},
      newCardForm);
  addRoute(
      router, services,
      {bhttp::verb::post, "/organisaties/{id}/passen/bestellen", Access::logged_in, Format::html},
      createCard);
  addRoute(router, services,
           {bhttp::verb::get, "/passen/{id}/vernieuwen", Access::logged_in, Format::html},
           showForm<renewalPage>);
  addRoute(router, services,
           {bhttp::verb::post, "/passen/{id}/vernieuwen", Access::logged_in, Format::html},
           submitForm<renewalPage>);
  addRoute(router, services,
           {bhttp::verb::get, "/passen/{id}/mobiel", Access::logged_in, Format::html},
           showForm<mobilePage>);
  addRoute(router, services,
           {bhttp::verb::post, "/passen/{id}/mobiel", Access::logged_in, Format::html},
           submitForm<mobilePage>);
  addRoute(router, services,
           {bhttp::verb::get, "/mijn-certificaten", Access::logged_in, Format::html},
           ownCertificatesPage);
}

}  // namespace web
