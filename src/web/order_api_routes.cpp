// The order calls of the JSON API (API.md): create a server certificate order, read it and its
// document, sign it, cancel it; and the Servicedesk's queue, approval, rejection, identification
// of a proposed certificate manager and domain validation.

#include "core/time_format.hpp"
#include "policy/certificate_identity.hpp"
#include "ra/registry_service.hpp"
#include "web/certificate_views.hpp"
#include "web/order_views.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

/// Largest JSON body of an order call (a CSR fits many times over; the transport limit is larger).
constexpr std::size_t kMaxJsonBody = 64 * 1024;

core::Error badRequest(std::string field, std::string message) {
  return core::makeError(core::ErrorKind::invalid, "error.bad_request",
                         {{std::move(field), std::move(message)}});
}

/// The request body as a JSON object.
core::Result<boost::json::object> jsonBody(const RequestContext& context) {
  const auto& body = context.request.body();
  if (body.size() > kMaxJsonBody)
    return core::makeError(core::ErrorKind::too_large, "error.bad_request",
                           {{"body", "orders.api.too_large"}});
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return badRequest("body", "orders.api.not_json");
  return std::move(value.as_object());
}

std::string stringField(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::optional<std::int64_t> idOf(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (!value) return std::nullopt;
  if (value->is_int64() && value->as_int64() > 0) return value->as_int64();
  if (value->is_uint64() && value->as_uint64() <= INT64_MAX && value->as_uint64() > 0)
    return std::int64_t(value->as_uint64());
  return std::nullopt;
}

boost::json::object orderJson(const core::Order& order) {
  boost::json::object body{
      {"id", order.id},
      {"type", core::toString(order.type)},
      {"status", core::toString(order.status)},
      {"organisation_id", order.organisation ? boost::json::value(*order.organisation) : nullptr},
      {"common_name", order.common_name},
      {"sans", boost::json::array(order.dns_names.begin(), order.dns_names.end())},
      {"product", order.product},
      {"not_before", core::toIso8601(order.not_before)},
      {"not_after", core::toIso8601(order.not_after)},
      {"created_at", core::toIso8601(order.created_at)},
      {"updated_at", core::toIso8601(order.updated_at)}};
  if (order.renewal_of) body["renewal_of"] = *order.renewal_of;
  if (order.certificate) body["certificate_id"] = *order.certificate;
  if (order.manager) body["manager_id"] = *order.manager;
  if (!order.reason.empty()) body["reason"] = order.reason;
  if (order.produced_card) body["card_id"] = *order.produced_card;
  if (order.card) {
    const auto& card = *order.card;
    body["card"] = {{"card_type", core::toString(card.card_type)},
                    {"based_on", card.based_on ? boost::json::value(*card.based_on) : nullptr},
                    {"given_name", card.given_name},
                    {"surname", card.surname},
                    {"email", card.email},
                    {"phone", card.phone},
                    {"title", card.title},
                    {"registration_number", card.registration_number},
                    {"group_name", card.group_name}};
  }
  return body;
}

std::string_view capName(policy::ValidityCap cap) {
  switch (cap) {
    case policy::ValidityCap::product:
      return "product";
    case policy::ValidityCap::ca:
      return "ca";
    case policy::ValidityCap::none:
      break;
  }
  return "none";
}

boost::json::object viewJson(const OrderView& view) {
  auto body = orderJson(view.order);
  if (view.plan) {
    body["cap"] = capName(view.plan->validity.cap);
    if (view.plan->replaced_end)
      body["overlap_days"] =
          std::chrono::floor<std::chrono::days>(view.plan->validity.overlap).count();
    body["unvalidated_names"] =
        boost::json::array(view.unvalidated_names.begin(), view.unvalidated_names.end());
  }
  if (view.order.card) {
    boost::json::array steps;
    for (const auto& step : view.steps)
      steps.push_back({{"status", core::toString(step.status)}, {"at", core::toIso8601(step.at)}});
    body["steps"] = std::move(steps);
    if (view.activation_code)
      body["activation_code"] = {{"expires_at", core::toIso8601(view.activation_code->expires_at)},
                                 {"used", view.activation_code->used_at.has_value()}};
  }
  return body;
}

/// The fields of the card details present in `body`, over `details`: what is absent is kept.
core::CardOrderDetails detailsFrom(const boost::json::object& body,
                                   core::CardOrderDetails details) {
  for (const auto& [name, member] : cardDetailFields())
    if (const auto* value = body.if_contains(name); value && value->is_string())
      details.*member = std::string(value->as_string());
  return details;
}

/// The card order form of a POST /api/v1/orders body (card-new, card-renew, mobile-add).
core::Result<ra::CardOrderForm> cardFormOf(const RequestContext& context, PortalServices& services,
                                           core::OrderType type, const boost::json::object& body) {
  ra::CardOrderForm form{.type = type};
  if (type == core::OrderType::card_new) {
    const auto organisation = idOf(body, "organisation_id");
    if (!organisation) return badRequest("organisation_id", "orders.api.organisation_id");
    const auto card_type = core::parseCardType(stringField(body, "card_type"));
    if (!card_type) return badRequest("card_type", "order.card_type");
    form.organisation = *organisation;
    form.card_type = *card_type;
    form.details = detailsFrom(body, {});
  } else {
    form.card = idOf(body, "card_id");
    if (!form.card) return badRequest("card_id", "orders.api.card_id");
    // Renewals and mobile certificates start from what the card carries.
    auto carried = services.card_orders.orderable(*context.principal, *form.card);
    if (!carried) return carried.error();
    form.details = detailsFrom(body, carried->details);
  }
  if (const auto* manager = body.if_contains("manager"); manager && manager->is_object())
    form.manager = idOf(manager->as_object(), "id");
  form.login_identity = loginIdentity(context);
  return form;
}

/// The server order form of a POST /api/v1/orders body.
core::Result<ra::ServerOrderForm> formOf(const RequestContext& context,
                                         const boost::json::object& body) {
  const auto type = core::parseOrderType(stringField(body, "type"));
  if (!type) return badRequest("type", "orders.api.type");
  ra::ServerOrderForm form{.type = *type};
  if (*type == core::OrderType::server_new) {
    const auto organisation = idOf(body, "organisation_id");
    if (!organisation) return badRequest("organisation_id", "orders.api.organisation_id");
    form.organisation = *organisation;
  } else {
    form.renewal_of = idOf(body, "certificate_id");
    if (!form.renewal_of) return badRequest("certificate_id", "orders.api.certificate_id");
  }
  form.csr = stringField(body, "csr");
  if (form.csr.empty()) return badRequest("csr", "orders.form.csr_missing");
  form.product = stringField(body, "product");
  if (const auto* manager = body.if_contains("manager")) {
    const auto* choice = manager->if_object();
    if (!choice) return badRequest("manager", "order.manager_required");
    if (const auto id = idOf(*choice, "id")) {
      form.manager = *id;
    } else if (const auto* proposal = choice->if_contains("new");
               proposal && proposal->is_object()) {
      const auto& fields = proposal->as_object();
      form.proposed_manager = core::ProposedManager{
          stringField(fields, "name"), stringField(fields, "email"), stringField(fields, "phone")};
    } else {
      return badRequest("manager", "order.manager_required");
    }
  }
  setLoginCertificate(context, form);
  return form;
}

/// Creates the order a POST /api/v1/orders body describes.
core::Result<core::Order> orderFrom(const RequestContext& context, PortalServices& services,
                                    const boost::json::object& body) {
  const auto type = core::parseOrderType(stringField(body, "type"));
  if (type && core::isCardOrder(*type)) {
    auto form = cardFormOf(context, services, *type, body);
    if (!form) return form.error();
    return services.card_orders.create(*context.principal, *form);
  }
  auto form = formOf(context, body);
  if (!form) return form.error();
  return services.server_orders.create(*context.principal, *form);
}

http::Reply createOrder(RequestContext& context, PortalServices& services) {
  auto body = jsonBody(context);
  if (!body) return failure(context, body.error(), true);
  auto order = orderFrom(context, services, *body);
  if (!order) return failure(context, order.error(), true);
  auto view = services.orders.view(*context.principal, order->id);
  if (!view) return failure(context, view.error(), true);
  auto response = json(context, bhttp::status::created, viewJson(*view));
  response.set(bhttp::field::location, "/api/v1/orders/" + std::to_string(order->id));
  return response;
}

http::Reply getOrder(RequestContext& context, PortalServices& services) {
  auto view = services.orders.view(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), true);
  return json(context, bhttp::status::ok, viewJson(*view));
}

http::Reply getDocument(RequestContext& context, PortalServices& services) {
  auto view = services.orders.view(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), true);
  http::Response response{bhttp::status::ok, context.request.version()};
  response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(view->document);
  return response;
}

http::Reply postSignature(RequestContext& context, PortalServices& services) {
  auto submitted =
      services.orders.sign(*context.principal, idParameter(context), context.request.body());
  if (!submitted) return failure(context, submitted.error(), true);
  return json(
      context, bhttp::status::ok,
      boost::json::object{{"id", submitted->id}, {"status", core::toString(submitted->status)}});
}

http::Reply cancelOrder(RequestContext& context, PortalServices& services) {
  auto cancelled = services.orders.cancel(*context.principal, idParameter(context));
  if (!cancelled) return failure(context, cancelled.error(), true);
  return json(context, bhttp::status::ok, orderJson(*cancelled));
}

http::Reply organisationOrders(RequestContext& context, PortalServices& services) {
  auto orders = services.orders.ofOrganisation(*context.principal, idParameter(context));
  if (!orders) return failure(context, orders.error(), true);
  boost::json::array items;
  for (const auto& order : *orders) items.push_back(orderJson(order));
  return json(context, bhttp::status::ok, boost::json::object{{"items", std::move(items)}});
}

// ----- Servicedesk -----

http::Reply queue(RequestContext& context, PortalServices& services) {
  storage::OrderQueueFilter filter;
  if (const auto found = context.target.query.find("status");
      found != context.target.query.end() && !found->second.empty()) {
    filter.status = core::parseOrderStatus(found->second);
    if (!filter.status) return failure(context, badRequest("status", "orders.api.status"), true);
  }
  if (context.target.query.contains("organisation_id")) {
    filter.organisation = idQuery(context, "organisation_id");
    if (!filter.organisation)
      return failure(context, badRequest("organisation_id", "orders.api.organisation_id"), true);
  }
  auto orders = services.orders.queue(*context.principal, filter);
  if (!orders) return failure(context, orders.error(), true);
  boost::json::array items;
  for (const auto& entry : *orders) items.push_back(orderJson(entry.first));
  return json(context, bhttp::status::ok, boost::json::object{{"items", std::move(items)}});
}

http::Reply approve(RequestContext& context, PortalServices& services) {
  auto approved = services.orders.approve(*context.principal, idParameter(context));
  if (!approved) return failure(context, approved.error(), true);
  return json(context, bhttp::status::ok, orderJson(*approved));
}

http::Reply ship(RequestContext& context, PortalServices& services) {
  auto shipped = services.orders.ship(*context.principal, idParameter(context));
  if (!shipped) return failure(context, shipped.error(), true);
  return json(context, bhttp::status::ok, orderJson(*shipped));
}

http::Reply activate(RequestContext& context, PortalServices& services) {
  auto activated = services.orders.activate(*context.principal, idParameter(context));
  if (!activated) return failure(context, activated.error(), true);
  return json(context, bhttp::status::ok, orderJson(*activated));
}

http::Reply activationCode(RequestContext& context, PortalServices& services) {
  auto code = services.orders.newActivationCode(*context.principal, idParameter(context));
  if (!code) return failure(context, code.error(), true);
  return json(context, bhttp::status::ok,
              boost::json::object{{"id", idParameter(context)},
                                  {"activation_code", code->code},
                                  {"expires_at", core::toIso8601(code->expires_at)}});
}

http::Reply reject(RequestContext& context, PortalServices& services) {
  auto body = jsonBody(context);
  if (!body) return failure(context, body.error(), true);
  auto rejected = services.orders.reject(*context.principal, idParameter(context),
                                         stringField(*body, "reason"));
  if (!rejected) return failure(context, rejected.error(), true);
  return json(context, bhttp::status::ok, orderJson(*rejected));
}

http::Reply identifyManager(RequestContext& context, PortalServices& services) {
  auto body = jsonBody(context);
  if (!body) return failure(context, body.error(), true);
  core::Person manager;
  manager.given_name = stringField(*body, "given_name");
  manager.surname = stringField(*body, "surname");
  manager.email = stringField(*body, "email");
  manager.phone = stringField(*body, "phone");
  auto order = services.orders.identifyManager(*context.principal, idParameter(context), manager);
  if (!order) return failure(context, order.error(), true);
  return json(context, bhttp::status::ok, orderJson(*order));
}

http::Reply validateDomain(RequestContext& context, PortalServices& services) {
  auto body = jsonBody(context);
  if (!body) return failure(context, body.error(), true);
  if (auto added =
          services.registry.addDomain(*context.principal, idParameter(context),
                                      stringField(*body, "domain"), stringField(*body, "method"));
      !added)
    return failure(context, added.error(), true);
  auto file = services.registry.organisation(*context.principal, idParameter(context));
  if (!file) return failure(context, file.error(), true);
  const auto& domains = file->domains;
  return json(context, bhttp::status::ok,
              boost::json::object{{"domains", boost::json::array(domains.begin(), domains.end())}});
}

}  // namespace

void addOrderApiRoutes(Router& router, PortalServices& services) {
  addRoute(router, services, {bhttp::verb::post, "/api/v1/orders", Access::logged_in, Format::json},
           createOrder);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/orders/{id}", Access::logged_in, Format::json}, getOrder);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/orders/{id}/document", Access::logged_in, Format::json},
           getDocument);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/orders/{id}/signature", Access::logged_in, Format::json},
           postSignature);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/orders/{id}/cancel", Access::logged_in, Format::json},
           cancelOrder);
  addRoute(
      router, services,
      {bhttp::verb::post, "/api/v1/orders/{id}/activation-code", Access::logged_in, Format::json},
      activationCode);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/organisations/{id}/orders", Access::logged_in, Format::json},
           organisationOrders);
  addRoute(router, services,
           {bhttp::verb::get, "/api/v1/servicedesk/orders", Access::servicedesk, Format::json},
           queue);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/approve", Access::servicedesk,
            Format::json},
           approve);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/reject", Access::servicedesk,
            Format::json},
           reject);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/shipped", Access::servicedesk,
            Format::json},
           ship);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/activated", Access::servicedesk,
            Format::json},
           activate);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/manager", Access::servicedesk,
            Format::json},
           identifyManager);
  addRoute(router, services,
           {bhttp::verb::post, "/api/v1/servicedesk/organisations/{id}/domains",
            Access::servicedesk, Format::json},
           validateDomain);
}

}  // namespace web
