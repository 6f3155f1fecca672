// Servicedesk: the order queue, one order with its evidence and the steps to decide it (validate
// a domain, identify a proposed certificate manager, approve and so issue, reject with a reason),
// and the blocklist of compromised keys (PRODUCT.md §7, §8).

#include "core/time_format.hpp"
#include "pki/certificate.hpp"
#include "pki/certificate_request.hpp"
#include "pki/public_key.hpp"
#include "policy/registry_rules.hpp"
#include "web/order_views.hpp"
#include "web/servicedesk.hpp"

#include <boost/json.hpp>

#include <array>
#include <cctype>

namespace web::servicedesk {

namespace bhttp = boost::beast::http;

namespace {

const std::string kBase = "/servicedesk/bestellingen";
const std::string kBlocklist = "/servicedesk/sleutelblokkades";

std::string orderPath(core::OrderId id) {
  return kBase + "/" + std::to_string(id);
}

/// Statuses the queue filters on, in lifecycle order.
constexpr std::array kQueueStatuses{core::OrderStatus::submitted,     core::OrderStatus::on_hold,
                                    core::OrderStatus::in_processing, core::OrderStatus::approved,
                                    core::OrderStatus::issued,        core::OrderStatus::rejected,
                                    core::OrderStatus::cancelled,     core::OrderStatus::draft};

std::string queryValue(const RequestContext& context, std::string_view name) {
  const auto found = context.target.query.find(name);
  return found == context.target.query.end() ? std::string() : found->second;
}

http::Response queue(RequestContext& context, PortalServices& services) {
  const auto& t = context.texts();
  storage::OrderQueueFilter filter;
  // Undecided orders first: the default view is the work to do.
  const std::string status = context.target.query.contains("status")
                                 ? queryValue(context, "status")
                                 : std::string(core::toString(core::OrderStatus::submitted));
  filter.status = core::parseOrderStatus(status);
  filter.organisation = idQuery(context, "organisatie");
  auto orders = services.orders.queue(*context.principal, filter);
  if (!orders) return failure(context, orders.error(), false);
  boost::json::array options{
      {{"value", ""}, {"label", t.text("orders.queue.all")}, {"selected", !filter.status}}};
  for (const auto value : kQueueStatuses) {
    const std::string name(core::toString(value));
    options.push_back({{"value", name},
                       {"label", orderStatusText(t, value)},
                       {"selected", filter.status == value}});
  }
  boost::json::array rows;
  for (const auto& [order, organisation] : *orders) {
    rows.push_back({{"href", orderPath(order.id)},
                    {"number", std::to_string(order.id)},
                    {"organisation", organisation},
                    {"type", t.text("orders.type." + std::string(core::toString(order.type)))},
                    {"common_name", order.common_name},
                    {"status", orderStatusText(t, order.status)},
                    {"created", core::toDutchDate(order.created_at)}});
  }
  FormView form(t, "wachtrij");
  auto select = form.select({"status", "orders.queue.status"}, status, {});
  select["options"] = std::move(options);
  const bool has_rows = !rows.empty();
  auto model = pageModel(context);
  model["heading"] = t.text("orders.queue.title");
  model["action"] = kBase;
  model["select"] = std::move(select);
  model["organisation"] = filter.organisation ? std::to_string(*filter.organisation) : "";
  model["rows"] = std::move(rows);
  model["has_rows"] = has_rows;
  model["empty"] = has_rows ? "" : t.text("orders.queue.none");
  model["blocklist_href"] = kBlocklist;
  return page(context, bhttp::status::ok, "servicedesk_orders", t.text("orders.queue.title"),
              std::move(model));
}

/// The proposal as a first guess of the person's data: the last word is the surname.
Fields proposalValues(const core::ProposedManager& proposal) {
  const auto space = proposal.name.find_last_of(' ');
  return {{"given_name", space == std::string::npos ? "" : proposal.name.substr(0, space)},
          {"surname", space == std::string::npos ? proposal.name : proposal.name.substr(space + 1)},
          {"email", proposal.email},
          {"phone", proposal.phone}};
}

bool undecided(core::OrderStatus status) {
  return status == core::OrderStatus::submitted || status == core::OrderStatus::on_hold ||
         status == core::OrderStatus::in_processing;
}

http::Response orderPage(RequestContext& context, PortalServices& services, const OrderView& view,
                         bhttp::status status, const std::vector<core::FieldError>& errors,
                         const Fields& values) {
  const auto& t = context.texts();
  const core::Order& order = view.order;
  FormView form(t, "beoordeling", errors);
  auto model = pageModel(context);
  const bool open = undecided(order.status);
  boost::json::array domains;
  if (open)
    for (const auto& name : view.unvalidated_names)
      // A wildcard is covered by its base domain, which is what can be validated.
      domains.push_back({{"name", name.starts_with("*.") ? name.substr(2) : name},
                         {"action", orderPath(order.id) + "/domein"}});
  const std::string heading = t.format(
      "orders.review.title", {{"number", std::to_string(order.id)}, {"name", order.common_name}});
  model["heading"] = heading;
  model["facts"] = orderFacts(t, view);
  model["document"] = order.evidence.document;
  model["signature_href"] =
      order.evidence.signature.empty() ? "" : orderPath(order.id) + "/handtekening.p7s";
  model["has_domains"] = !domains.empty();
  model["domains"] = std::move(domains);
  model["identify"] = open && order.proposed_manager && !order.manager;
  if (order.proposed_manager && !order.manager)
    model["manager_fieldsets"] = fieldsetModels(
        form, personFieldsets(), values.empty() ? proposalValues(*order.proposed_manager) : values);
  model["manager_action"] = orderPath(order.id) + "/beheerder";
  model["may_decide"] = view.may.approve;
  model["own_order"] = open && !view.may.approve ? t.text("order.own_approval") : "";
  model["approve_action"] = orderPath(order.id) + "/goedkeuren";
  // An approved order whose issuance or production failed; a mobile order waits for enrolment.
  model["retry_issue"] =
      order.status == core::OrderStatus::approved && order.type != core::OrderType::mobile_add;
  model["ship_action"] =
      order.status == core::OrderStatus::in_production ? orderPath(order.id) + "/verzonden" : "";
  model["activate_action"] =
      order.status == core::OrderStatus::shipped ? orderPath(order.id) + "/geactiveerd" : "";
  model["soft_card_href"] = order.produced_card && services.demo_bureau
                                ? kBase + "/" + std::to_string(order.id) + "/softcard.p12"
                                : "";
  model["reject_action"] = orderPath(order.id) + "/afwijzen";
  model["reason_field"] = form.field(
      {"reason", "orders.review.reason", "orders.review.reason_hint", "textarea", "", true},
      values.contains("reason") ? values.at("reason") : "");
  model["certificate_href"] =
      order.certificate ? "/servercertificaten/" + std::to_string(*order.certificate) : "";
  model["queue_href"] = kBase;
  // After the fields: the summary links only to fields the form has placed.
  model["summary"] = form.summary();
  return page(context, status, "servicedesk_order", form.pageTitle(heading), std::move(model));
}

core::Result<OrderView> orderInPath(RequestContext& context, PortalServices& services) {
  return services.orders.view(*context.principal, idParameter(context));
}

/// Runs a step on the order in the path; shows the page again with the step's problems, or
/// redirects to it with `notice`.
template <class Step>
http::Response decide(RequestContext& context, PortalServices& services, std::string_view notice,
                      Step&& step) {
  const core::OrderId id = idParameter(context);
  auto done = step(id);
  if (!done) {
    // Field problems of a form on the page; any other refusal says what went wrong on its own.
    if (done.error().fields.empty() || done.error().kind != core::ErrorKind::invalid)
      return failure(context, done.error(), false);
    auto view = orderInPath(context, services);
    if (!view) return failure(context, view.error(), false);
    return orderPage(context, services, *view, statusOf(done.error().kind), done.error().fields,
                     *context.form);
  }
  return redirectWithNotice(context, orderPath(id), notice);
}

http::Response approve(RequestContext& context, PortalServices& services) {
  core::OrderType type = core::OrderType::server_new;
  auto response = decide(context, services, "goedgekeurd", [&](core::OrderId id) {
    auto approved = services.orders.approve(*context.principal, id);
    if (approved) type = approved->type;
    return approved;
  });
  // The confirmation says what happened: issued, or a card sent to production.
  if (core::isCardOrder(type))
    response.set(bhttp::field::location,
                 orderPath(idParameter(context)) + "?melding=goedgekeurd-pas");
  return response;
}

http::Response ship(RequestContext& context, PortalServices& services) {
  return decide(context, services, "verzonden",
                [&](core::OrderId id) { return services.orders.ship(*context.principal, id); });
}

http::Response activate(RequestContext& context, PortalServices& services) {
  return decide(context, services, "geactiveerd",
                [&](core::OrderId id) { return services.orders.activate(*context.principal, id); });
}

// The demo bureau's soft card of the order's card (demo mode only): the authentication key and
// certificate from the bureau's files in the demo directory as PKCS#12, password "demo".
http::Response softCardDownload(RequestContext& context, PortalServices& services) {
  auto view = orderInPath(context, services);
  if (!view) return failure(context, view.error(), false);
  const core::Error missing = core::makeError(core::ErrorKind::not_found, "error.not_found");
  if (!services.demo_bureau || !view->order.produced_card) return failure(context, missing, false);
  auto pkcs12 = services.demo_bureau->softCard(view->order.id);
  if (!pkcs12) return failure(context, pkcs12.error(), false);
  if (!*pkcs12) return failure(context, missing, false);
  http::Response response{bhttp::status::ok, context.request.version()};
  response.set(bhttp::field::content_type, "application/x-pkcs12");
  response.set(
      bhttp::field::content_disposition,
      "attachment; filename=\"softcard-" + std::to_string(*view->order.produced_card) + ".p12\"");
  response.body().assign((*pkcs12)->begin(), (*pkcs12)->end());
  return response;
}

http::Response reject(RequestContext& context, PortalServices& services) {
  return decide(context, services, "afgewezen", [&](core::OrderId id) {
    return services.orders.reject(*context.principal, id, formValue(context, "reason"));
  });
}

http::Response identifyManager(RequestContext& context, PortalServices& services) {
  return decide(context, services, "beheerder-geidentificeerd", [&](core::OrderId id) {
    return services.orders.identifyManager(*context.principal, id, personFromForm(context));
  });
}

http::Response validateDomain(RequestContext& context, PortalServices& services) {
  return decide(context, services, "domein-gevalideerd", [&](core::OrderId id) {
    return services.orders.validateDomain(*context.principal, id, formValue(context, "domain"));
  });
}

http::Response signatureDownload(RequestContext& context, PortalServices& services) {
  auto view = orderInPath(context, services);
  if (!view) return failure(context, view.error(), false);
  if (view->order.evidence.signature.empty())
    return failure(context, core::makeError(core::ErrorKind::not_found, "error.not_found"), false);
  http::Response response{bhttp::status::ok, context.request.version()};
  response.set(bhttp::field::content_type, "application/pkcs7-signature");
  response.set(bhttp::field::content_disposition,
               "attachment; filename=\"bestelling-" + std::to_string(view->order.id) + ".p7s\"");
  response.body() = view->order.evidence.signature;
  return response;
}

// ----- the key blocklist -----

const FieldSpec kKeyField{
    "key", "orders.blocklist.key", "orders.blocklist.key_hint", "textarea", "", true};
const FieldSpec kReasonField{"reason", "orders.blocklist.reason", "", "text", "", true};

http::Response blocklistPage(RequestContext& context, PortalServices& services,
                             bhttp::status status, const std::vector<core::FieldError>& errors,
                             const Fields& values) {
  const auto& t = context.texts();
  auto keys = services.blocklist.list(*context.principal);
  if (!keys) return failure(context, keys.error(), false);
  boost::json::array rows;
  for (const auto& key : *keys)
    rows.push_back({{"hash", key.spki_sha256},
                    {"reason", key.reason},
                    {"by", key.created_by},
                    {"date", core::toDutchDate(key.created_at)},
                    {"remove_label", t.format("orders.blocklist.remove_label",
                                              {{"hash", key.spki_sha256.substr(0, 16)}})}});
  FormView form(t, "blokkade", errors);
  const auto value = [&](const std::string& name) {
    return values.contains(name) ? values.at(name) : std::string();
  };
  auto model = pageModel(context);
  const bool has_rows = !rows.empty();
  model["heading"] = t.text("orders.blocklist.title");
  model["rows"] = std::move(rows);
  model["has_rows"] = has_rows;
  model["fields"] = boost::json::array{form.field(kKeyField, value("key")),
                                       form.field(kReasonField, value("reason"))};
  model["summary"] = form.summary();
  model["action"] = kBlocklist;
  model["remove_action"] = kBlocklist + "/verwijderen";
  return page(context, status, "servicedesk_blocklist",
              form.pageTitle(t.text("orders.blocklist.title")), std::move(model));
}

http::Response blockKey(RequestContext& context, PortalServices& services) {
  const auto show = [&](const std::vector<core::FieldError>& errors, bhttp::status status) {
    return blocklistPage(context, services, status, errors, *context.form);
  };
  if (auto blocked = services.blocklist.block(*context.principal, formValue(context, "key"),
                                              formValue(context, "reason"));
      !blocked)
    return formFailure(context, blocked.error(), show);
  return redirectWithNotice(context, kBlocklist, "sleutel-geblokkeerd");
}

http::Response unblockKey(RequestContext& context, PortalServices& services) {
  if (auto removed =
          services.blocklist.unblock(*context.principal, formValue(context, "spki_sha256"));
      !removed)
    return failure(context, removed.error(), false);
  return redirectWithNotice(context, kBlocklist, "sleutel-vrijgegeven");
}

}  // namespace

void addOrderRoutes(Router& router, PortalServices& services) {
  const auto get = bhttp::verb::get;
  const auto post = bhttp::verb::post;
  const auto route = [&](bhttp::verb method, std::string pattern, ServiceHandler handler) {
    addRoute(router, services, {method, std::move(pattern), Access::servicedesk, Format::html},
             std::move(handler));
  };
  route(get, kBase, queue);
  route(get, kBase + "/{id}", [](RequestContext& context, PortalServices& services) {
    auto view = orderInPath(context, services);
    if (!view) return failure(context, view.error(), false);
    return orderPage(context, services, *view, bhttp::status::ok, {}, {});
  });
  route(get, kBase + "/{id}/handtekening.p7s", signatureDownload);
  route(post, kBase + "/{id}/goedkeuren", approve);
  route(post, kBase + "/{id}/afwijzen", reject);
  route(post, kBase + "/{id}/verzonden", ship);
  route(post, kBase + "/{id}/geactiveerd", activate);
  route(get, kBase + "/{id}/softcard.p12", softCardDownload);
  route(post, kBase + "/{id}/beheerder", identifyManager);
  route(post, kBase + "/{id}/domein", validateDomain);
  route(get, kBlocklist, [](RequestContext& context, PortalServices& services) {
    return blocklistPage(context, services, bhttp::status::ok, {}, {});
  });
  route(post, kBlocklist, blockKey);
  route(post, kBlocklist + "/verwijderen", unblockKey);
}

}  // namespace web::servicedesk
