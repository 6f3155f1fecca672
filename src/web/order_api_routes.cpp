// The order calls of the JSON API (API.md): create a server certificate order, read it and its
// document, sign it, cancel it; and the Servicedesk's queue, approval, rejection, identification
// of a proposed certificate manager and domain validation.

#include "auth/authorization.hpp"
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
    if (auto allowed =
            auth::authorize(*context.principal, auth::Action::act_for_organisation, *organisation);
        !allowed)
      return allowed.error();
    const auto card_type = core::parseCardType(stringField(body, "card_type"));
    if (!card_type) return badRequest("card_type", "order.card_type");
    form.organisation = *organisation;
    form.card_type = *card_type;
    form.details = detailsFrom(body, {});
  } else {
    form.card = idOf(body, "card_id");
    if (!form.card) return badRequest("card_id", "orders.api.card_id");
    // Renewals and mobile certificates start from what the card carries.
    auto carried = services.orders->cards.renewalDetails(*context.principal, *form.card);
    if (!carried) return carried.error();
    form.details = detailsFrom(body, *carried);
  }
  if (const auto* manager = body.if_contains("manager"); manager && manager->is_object())
    form.manager = idOf(manager->as_object(), "id");
  if (const auto& certificate = context.connection.peer.certificate)
    if (auto identity = policy::identityOf(*certificate)) form.login_identity = *identity;
  return form;
}

/// The server order form of a POST /api/v1/orders body.
core::Result<ra::ServerOrderForm> formOf(const RequestContext& context, PortalServices& services,
                                         const boost::json::object& body) {
  const auto type = core::parseOrderType(stringField(body, "type"));
  if (!type) return badRequest("type", "orders.api.type");
  ra::ServerOrderForm form{.type = *type};
  if (*type == core::OrderType::server_new) {
    const auto organisation = idOf(body, "organisation_id");
    if (!organisation) return badRequest("organisation_id", "orders.api.organisation_id");
    form.organisation = *organisation;
  } else {
    const auto certificate = idOf(body, "certificate_id");
    if (!certificate) return badRequest("certificate_id", "orders.api.certificate_id");
    auto found = services.inventory.find(*certificate);
    if (!found) return found.error();
    if (!*found || !(*found)->organisation)
      return core::makeError(core::ErrorKind::not_found, "error.not_found");
    if (auto allowed = mayView(context, (*found)->organisation); !allowed) return allowed.error();
    form.organisation = *(*found)->organisation;
    form.renewal_of = *certificate;
  }
  if (auto allowed = auth::authorize(*context.principal, auth::Action::act_for_organisation,
                                     form.organisation);
      !allowed)
    return allowed.error();
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
    return services.orders->cards.create(*context.principal, *form);
  }
  auto form = formOf(context, services, body);
  if (!form) return form.error();
  return services.orders->server.create(*context.principal, *form);
}

http::Reply createOrder(RequestContext& context, PortalServices& services) {
  auto body = jsonBody(context);
  if (!body) return failure(context, body.error(), true);
  auto order = orderFrom(context, services, *body);
  if (!order) return failure(context, order.error(), true);
  auto view = orderView(services, order->id);
  if (!view) return failure(context, view.error(), true);
  auto response = json(context, bhttp::status::created, viewJson(*view));
  response.set(bhttp::field::location, "/api/v1/orders/" + std::to_string(order->id));
  return response;
}

http::Reply getOrder(RequestContext& context, PortalServices& services) {
  auto view = visibleOrder(context, services, idParameter(context));
  if (!view) return failure(context, view.error(), true);
  return json(context, bhttp::status::ok, viewJson(*view));
}

/// An order the logged-in person requested (the document and signature are theirs alone).
core::Result<OrderView> ownOrder(const RequestContext& context, PortalServices& services) {
  auto view = visibleOrder(context, services, idParameter(context));
  if (!view) return view.error();
  if (view->order.requested_by != context.principal->person.id)
    return core::makeError(core::ErrorKind::forbidden, "order.not_requester");
  return view;
}

http::Reply getDocument(RequestContext& context, PortalServices& services) {
  auto view = ownOrder(context, services);
  if (!view) return failure(context, view.error(), true);
  auto document = services.orders->service.document(view->order.id);
  if (!document) return failure(context, document.error(), true);
  http::Response response{bhttp::status::ok, context.request.version()};
  response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(*document);
  return response;
}

http::Reply postSignature(RequestContext& context, PortalServices& services) {
  auto view = ownOrder(context, services);
  if (!view) return failure(context, view.error(), true);
  auto submitted = submitSignature(context, services, view->order.id, context.request.body());
  if (!submitted) return failure(context, submitted.error(), true);
  return json(
      context, bhttp::status::ok,
      boost::json::object{{"id", submitted->id}, {"status", core::toString(submitted->status)}});
}

http::Reply cancelOrder(RequestContext& context, PortalServices& services) {
  auto view = visibleOrder(context, services, idParameter(context));
  if (!view) return failure(context, view.error(), true);
  if (auto allowed = auth::authorize(*context.principal, auth::Action::act_for_organisation,
                                     view->order.organisation.value_or(0));
      !allowed)
    return failure(context, allowed.error(), true);
  auto cancelled = services.orders->service.cancel(*context.principal, view->order.id);
  if (!cancelled) return failure(context, cancelled.error(), true);
  return json(context, bhttp::status::ok, orderJson(*cancelled));
}

http::Reply organisationOrders(RequestContext& context, PortalServices& services) {
  auto owner = visibleInventoryOwner(context, services);
  if (!owner) return failure(context, owner.error(), true);
  auto orders =
      services.orders->store.listForOrganisation(owner->id, storage::OrderRepository::kMaxListRows);
  if (!orders) return failure(context, orders.error(), true);
  boost::json::array items;
  for (const auto& order : *orders) items.push_back(orderJson(order));
  return json(context, bhttp::status::ok, boost::json::object{{"items", std::move(items)}});
}

// ----- Servicedesk -----

/// `handler` for Servicedesk officers only (403 problem for everyone else).
RouteHandler officersOnly(PortalServices& services,
                          http::Reply (*handler)(RequestContext&, PortalServices&)) {
  return [handler, &services](RequestContext& context) -> http::Reply {
    if (auto allowed = auth::authorize(*context.principal, auth::Action::use_servicedesk); !allowed)
      return failure(context, allowed.error(), true);
    return handler(context, services);
  };
}

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
  auto orders = services.orders->store.queue(filter, storage::OrderRepository::kMaxListRows);
  if (!orders) return failure(context, orders.error(), true);
  boost::json::array items;
  for (const auto& order : *orders) items.push_back(orderJson(order));
  return json(context, bhttp::status::ok, boost::json::object{{"items", std::move(items)}});
}

http::Reply approve(RequestContext& context, PortalServices& services) {
  auto order = services.orders->service.order(idParameter(context));
  if (!order) return failure(context, order.error(), true);
  auto approved = core::isCardOrder(order->type)
                      ? services.orders->cards.approve(*context.principal, order->id)
                  : order->status == core::OrderStatus::approved
                      ? services.orders->server.issue(*context.principal, order->id)
                      : services.orders->server.approve(*context.principal, order->id);
  if (!approved) return failure(context, approved.error(), true);
  return json(context, bhttp::status::ok, orderJson(*approved));
}

http::Reply ship(RequestContext& context, PortalServices& services) {
  auto shipped = services.orders->cards.ship(*context.principal, idParameter(context));
  if (!shipped) return failure(context, shipped.error(), true);
  return json(context, bhttp::status::ok, orderJson(*shipped));
}

http::Reply activate(RequestContext& context, PortalServices& services) {
  auto activated = services.orders->cards.activate(*context.principal, idParameter(context));
  if (!activated) return failure(context, activated.error(), true);
  return json(context, bhttp::status::ok, orderJson(*activated));
}

http::Reply activationCode(RequestContext& context, PortalServices& services) {
  auto view = visibleOrder(context, services, idParameter(context));
  if (!view) return failure(context, view.error(), true);
  auto code = services.orders->cards.newActivationCode(*context.principal, view->order.id);
  if (!code) return failure(context, code.error(), true);
  auto refreshed = orderView(services, view->order.id);
  if (!refreshed) return failure(context, refreshed.error(), true);
  return json(context, bhttp::status::ok,
              boost::json::object{{"id", view->order.id},
                                  {"activation_code", *code},
                                  {"expires_at", refreshed->activation_code
                                                     ? boost::json::value(core::toIso8601(
                                                           refreshed->activation_code->expires_at))
                                                     : nullptr}});
}

http::Reply reject(RequestContext& context, PortalServices& services) {
  auto body = jsonBody(context);
  if (!body) return failure(context, body.error(), true);
  auto rejected = services.orders->service.reject(*context.principal, idParameter(context),
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
  auto order =
      services.orders->server.identifyManager(*context.principal, idParameter(context), manager);
  if (!order) return failure(context, order.error(), true);
  return json(context, bhttp::status::ok, orderJson(*order));
}

http::Reply validateDomain(RequestContext& context, PortalServices& services) {
  auto body = jsonBody(context);
  if (!body) return failure(context, body.error(), true);
  ra::RegistryService registry(services.registry, services.audit_log);
  if (auto added = registry.addDomain(*context.principal, idParameter(context),
                                      stringField(*body, "domain"));
      !added)
    return failure(context, added.error(), true);
  auto domains = services.registry.validatedDomains(idParameter(context));
  if (!domains) return failure(context, domains.error(), true);
  return json(
      context, bhttp::status::ok,
      boost::json::object{{"domains", boost::json::array(domains->begin(), domains->end())}});
}

}  // namespace

void addOrderApiRoutes(Router& router, PortalServices& services) {
  const auto with = [&services](auto handler) { return withServices(services, handler); };
  const auto officers = [&services](auto handler) { return officersOnly(services, handler); };
  router.add(
      {bhttp::verb::post, "/api/v1/orders", Access::logged_in, Format::json, with(createOrder)});
  router.add(
      {bhttp::verb::get, "/api/v1/orders/{id}", Access::logged_in, Format::json, with(getOrder)});
  router.add({bhttp::verb::get, "/api/v1/orders/{id}/document", Access::logged_in, Format::json,
              with(getDocument)});
  router.add({bhttp::verb::post, "/api/v1/orders/{id}/signature", Access::logged_in, Format::json,
              with(postSignature)});
  router.add({bhttp::verb::post, "/api/v1/orders/{id}/cancel", Access::logged_in, Format::json,
              with(cancelOrder)});
  router.add({bhttp::verb::post, "/api/v1/orders/{id}/activation-code", Access::logged_in,
              Format::json, with(activationCode)});
  router.add({bhttp::verb::get, "/api/v1/organisations/{id}/orders", Access::logged_in,
              Format::json, with(organisationOrders)});
  router.add({bhttp::verb::get, "/api/v1/servicedesk/orders", Access::logged_in, Format::json,
              officers(queue)});
  router.add({bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/approve", Access::logged_in,
              Format::json, officers(approve)});
  router.add({bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/reject", Access::logged_in,
              Format::json, officers(reject)});
  router.add({bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/shipped", Access::logged_in,
              Format::json, officers(ship)});
  router.add({bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/activated", Access::logged_in,
              Format::json, officers(activate)});
  router.add({bhttp::verb::post, "/api/v1/servicedesk/orders/{id}/manager", Access::logged_in,
              Format::json, officers(identifyManager)});
  router.add({bhttp::verb::post, "/api/v1/servicedesk/organisations/{id}/domains",
              Access::logged_in, Format::json, officers(validateDomain)});
}

}  // namespace web
