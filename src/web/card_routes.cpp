// Cards (passen) of an organisation and of a professional holder (PRODUCT.md §5 "Inzage", §6):
// list and detail pages, and GET /api/v1/organisations/{id}/cards and /api/v1/cards (API.md).
// Group cards show their linked certificate manager and ordering contact person.

#include "core/time_format.hpp"
#include "web/certificate_export.hpp"
#include "web/certificate_views.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

core::CertificateStatus cardStatus(const core::Card& card, core::TimePoint now) {
  return core::statusAt(card.not_after, card.revoked_at, now);
}

std::string typeLabel(const Catalogue& t, core::CardType type) {
  return t.text("cards.type." + std::string(core::toString(type)));
}

http::Reply organisationCardsPage(RequestContext& context, PortalServices& services) {
  auto overview = services.queries.cards(*context.principal, idParameter(context));
  if (!overview) return failure(context, overview.error(), false);
  const core::Organisation* owner = &overview->owner.organisation;
  const auto& t = context.texts();
  const auto now = services.clock.now();
  boost::json::array rows;
  for (const auto& [card, may] : overview->cards) {
    const auto status = cardStatus(card, now);
    rows.push_back({{"href", "/passen/" + std::to_string(card.id)},
                    {"holder", card.holder_name},
                    {"type", typeLabel(t, card.type)},
                    {"not_after", core::toDutchDate(card.not_after)},
                    {"status", statusModel(t, status)},
                    {"links", cardOrderLinks(context, card, may)}});
  }
  const bool has_rows = !rows.empty();
  const std::string order_href = "/organisaties/" + std::to_string(owner->id) + "/passen/bestellen";
  boost::json::array order_links;
  if (overview->owner.may_order)
    order_links = {{{"href", order_href + "?soort=persoonsgebonden"},
                    {"label", t.text("card_orders.links.order_personal")}},
                   {{"href", order_href + "?soort=groep"},
                    {"label", t.text("card_orders.links.order_group")}}};
  return page(context, bhttp::status::ok, "cards_overview",
              t.format("organisation.page.title_format",
                       {{"page", t.text("cards.overview.title")}, {"subject", owner->name}}),
              {{"heading", t.text("cards.overview.title")},
               {"organisation", owner->name},
               {"caption", t.format("cards.overview.caption", {{"organisation", owner->name}})},
               {"has_order_links", !order_links.empty()},
               {"order_links", std::move(order_links)},
               {"has_rows", has_rows},
               {"rows", std::move(rows)},
               {"empty", has_rows ? std::string() : t.text("cards.overview.none")}});
}

boost::json::object fact(const Catalogue& t, std::string_view key, std::string value) {
  return {{"label", t.text("cards.detail." + std::string(key))},
          {"value", value.empty() ? t.text("certificates.detail.none") : std::move(value)}};
}

http::Reply cardPage(RequestContext& context, PortalServices& services) {
  auto view = services.queries.card(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), false);
  const core::Card* card = &view->entry.card;
  const auto* certificates = &view->certificates;
  const auto& t = context.texts();
  const auto now = services.clock.now();
  boost::json::array facts{
      fact(t, "type", typeLabel(t, card->type)),
      fact(t, card->type == core::CardType::group ? "group" : "holder", card->holder_name),
      fact(t, "status", statusModel(t, cardStatus(*card, now)).at("label").as_string().c_str()),
      fact(t, "not_after", core::toDutchDate(card->not_after))};
  if (card->type == core::CardType::group) {
    facts.push_back(fact(t, "manager", card->manager_name));
    facts.push_back(fact(t, "requested_by", card->requested_by_name));
  }
  boost::json::array rows;
  for (const auto& c : *certificates)
    rows.push_back({{"common_name", c.common_name},
                    {"product", c.product},
                    {"serial", colonHex(c.serial_hex)},
                    {"key", c.key_description},
                    {"not_after", core::toDutchDate(c.not_after)},
                    {"status", statusModel(t, core::statusAt(c.not_after, c.revoked_at, now))}});
  boost::json::object model{{"heading", card->holder_name},
                            {"facts", std::move(facts)},
                            {"has_certificates", !rows.empty()},
                            {"certificates", std::move(rows)}};
  auto order_links = cardOrderLinks(context, *card, view->entry.may);
  model["has_order_links"] = !order_links.empty();
  model["order_links"] = std::move(order_links);
  if (card->organisation)
    model["back_href"] = "/organisaties/" + std::to_string(*card->organisation) + "/passen";
  return page(context, bhttp::status::ok, "cards_detail",
              t.format("organisation.page.title_format",
                       {{"page", t.text("cards.detail.title")}, {"subject", card->holder_name}}),
              std::move(model));
}

boost::json::object cardsJson(const std::vector<ra::CardEntry>& cards, core::TimePoint now) {
  boost::json::array items;
  for (const auto& [card, may] : cards)
    items.push_back({{"id", card.id},
                     {"type", core::toString(card.type)},
                     {"holder", card.holder_name},
                     {"status", core::toString(cardStatus(card, now))},
                     {"not_after", core::toIso8601(card.not_after)}});
  return {{"items", std::move(items)}};
}

http::Reply organisationCardsJson(RequestContext& context, PortalServices& services) {
  auto overview = services.queries.cards(*context.principal, idParameter(context));
  if (!overview) return failure(context, overview.error(), true);
  return json(context, bhttp::status::ok, cardsJson(overview->cards, services.clock.now()));
}

// A professional holder's own cards; anyone else is refused (403: a whole area, no object).
http::Reply ownCardsJson(RequestContext& context, PortalServices& services) {
  auto cards = services.queries.ownCards(*context.principal);
  if (!cards) return failure(context, cards.error(), true);
  return json(context, bhttp::status::ok, cardsJson(*cards, services.clock.now()));
}

}  // namespace

void addCardRoutes(Router& router, PortalServices& services) {
  addRoute(router, services,
           {bhttp::verb::get, "/organisaties/{id}/passen", Access::logged_in, Format::html},
           organisationCardsPage);
  addRoute(router, services, {bhttp::verb::get, "/passen/{id}", Access::logged_in, Format::html},
           cardPage);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/organisations/{id}/cards", Access::logged_in, Format::json},
           organisationCardsJson);
  addRoute(router, services, {bhttp::verb::get, "/api/v1/cards", Access::logged_in, Format::json},
           ownCardsJson);
}

}  // namespace web
