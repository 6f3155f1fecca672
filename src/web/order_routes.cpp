// Ordering and renewing server certificates (PRODUCT.md §4, §5 "Servercertificaten"): the order
// and renewal forms, the review page with the planned validity and the document to sign, the
// signature upload, cancelling, and the organisation's order list ("Bestellingen").

#include "core/time_format.hpp"
#include "web/certificate_views.hpp"
#include "web/form_view.hpp"
#include "web/order_views.hpp"
#include "web/routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iterator>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

/// The select value for proposing a new certificate manager.
constexpr std::string_view kNewManager = "nieuw";
/// Confirmations the order page shows after a redirect (?melding=…).
constexpr std::string_view kNotices[] = {"ondertekend", "geannuleerd"};

std::string orderPath(core::OrderId id) {
  return "/bestellingen/" + std::to_string(id);
}

const FieldSpec kCsrFile{"csr", "orders.form.csr_file",    "orders.form.csr_file_hint", "file", "",
                         false, ".csr,.req,.pem,.der,.txt"};
const FieldSpec kCsrText{"csr_text", "orders.form.csr_text", "orders.form.csr_text_hint",
                         "textarea"};
const FieldSpec kManager{"manager", "orders.form.manager", "orders.form.manager_hint", "text", "",
                         true};
const std::vector<FieldSpec> kProposedManager{
    {"manager_name", "orders.form.manager_name", "", "text", "name"},
    {"manager_email", "orders.form.manager_email", "", "email", "email"},
    {"manager_phone", "orders.form.manager_phone", "orders.form.manager_phone_hint", "tel", "tel"}};

std::string valueOf(const Fields& values, const std::string& name) {
  const auto found = values.find(name);
  return found == values.end() ? std::string() : found->second;
}

/// What differs between the new-order and the renewal form.
struct OrderFormPage {
  std::string heading;
  std::string intro;
  std::string action;
  std::string cancel;
  boost::json::array facts;  ///< carried-over data, shown read-only
  core::OrganisationId organisation = 0;
  std::vector<core::Person> managers;             ///< the organisation's certificate managers
  std::optional<core::PersonId> current_manager;  ///< preselected
};

boost::json::object plainFact(const Catalogue& t, std::string_view key, std::string text) {
  return {{"label", t.text("orders.fact." + std::string(key))},
          {"lines", boost::json::array{boost::json::object{{"text", std::move(text)}}}}};
}

boost::json::object managerSelect(FormView& form, const OrderFormPage& form_page,
                                  const Fields& values) {
  std::string chosen = valueOf(values, "manager");
  if (chosen.empty() && form_page.current_manager)
    chosen = std::to_string(*form_page.current_manager);
  const auto& t = form.texts();
  boost::json::array options{{{"value", ""},
                              {"label", t.text("orders.form.manager_choose")},
                              {"selected", chosen.empty()}}};
  for (const auto& manager : form_page.managers) {
    const std::string id = std::to_string(manager.id);
    options.push_back({{"value", id},
                       {"label", manager.displayName() + " (" + manager.email + ")"},
                       {"selected", chosen == id}});
  }
  options.push_back({{"value", std::string(kNewManager)},
                     {"label", t.text("orders.form.manager_new")},
                     {"selected", chosen == kNewManager}});
  auto model = form.select(kManager, chosen, {});
  model["options"] = std::move(options);
  return model;
}

http::Response orderForm(RequestContext& context, bhttp::status status,
                         const OrderFormPage& form_page, const Fields& values,
                         const std::vector<core::FieldError>& errors) {
  const auto& t = context.texts();
  FormView form(t, "bestelling", errors);
  boost::json::array csr_fields{form.field(kCsrFile, ""),
                                form.field(kCsrText, valueOf(values, "csr_text"))};
  auto select = managerSelect(form, form_page, values);
  boost::json::array proposed;
  for (const auto& spec : kProposedManager)
    proposed.push_back(form.field(spec, valueOf(values, spec.name)));
  boost::json::object model{
      {"heading", form_page.heading},
      {"intro", form_page.intro},
      {"facts", form_page.facts},
      {"action", form_page.action},
      {"cancel", form_page.cancel},
      {"csrf_token", context.session ? context.session->record.csrf_token : ""},
      {"csr_fields", std::move(csr_fields)},
      {"manager_fields", boost::json::array{std::move(select)}},
      {"proposed_fields", std::move(proposed)},
      {"summary", form.summary()}};
  return page(context, status, "order_form", form.pageTitle(form_page.heading), std::move(model));
}

core::Result<OrderFormPage> newOrderPage(const RequestContext& context, PortalServices& services) {
  const auto& t = context.texts();
  auto profile = services.queries.orderingFor(*context.principal, idParameter(context));
  if (!profile) return profile.error();
  const core::Organisation& organisation = profile->organisation;
  const std::string base = "/organisaties/" + std::to_string(organisation.id);
  return OrderFormPage{
      t.text("orders.form.new_title"),
      t.text("orders.form.new_intro"),
      base + "/servercertificaten/bestellen",
      base + "/servercertificaten",
      {plainFact(t, "organisation", organisation.name), plainFact(t, "kvk", organisation.kvk),
       plainFact(t, "product", ra::kDefaultServerProduct)},
      organisation.id,
      std::move(profile->managers),
      std::nullopt};
}

/// The renewal form of the certificate in {id}, if this person may renew it.
core::Result<OrderFormPage> renewalPage(const RequestContext& context, PortalServices& services) {
  auto renewable = services.server_orders.renewable(*context.principal, idParameter(context));
  if (!renewable) return renewable.error();
  const core::IssuedCertificate& c = *renewable;
  auto profile = services.queries.orderingFor(*context.principal, *c.organisation);
  if (!profile) return profile.error();
  const auto& t = context.texts();
  std::string names;
  for (const auto& name : c.dns_names) names += (names.empty() ? "" : ", ") + name;
  const std::string path = "/servercertificaten/" + std::to_string(c.id);
  return OrderFormPage{t.format("orders.form.renew_title", {{"name", c.common_name}}),
                       t.text("orders.form.renew_intro"),
                       path + "/vernieuwen",
                       path,
                       {plainFact(t, "common_name", c.common_name), plainFact(t, "sans", names),
                        plainFact(t, "current_end", core::toDutchDate(c.not_after)),
                        plainFact(t, "product", c.product)},
                       *c.organisation,
                       std::move(profile->managers),
                       c.manager};
}

/// The form's certificate manager choice: an existing one, or a proposed new one.
core::Result<void> readManager(const RequestContext& context, ra::ServerOrderForm& form) {
  const std::string choice = formValue(context, "manager");
  if (choice == kNewManager) {
    form.proposed_manager = core::ProposedManager{formValue(context, "manager_name"),
                                                  formValue(context, "manager_email"),
                                                  formValue(context, "manager_phone")};
  } else if (!choice.empty()) {
    const auto id = parseId(choice);
    if (!id)
      return core::makeError(core::ErrorKind::invalid, "validation.failed",
                             {{"manager", "order.manager_unknown"}});
    form.manager = *id;
  }
  return {};
}

http::Reply submitOrderForm(RequestContext& context, PortalServices& services,
                            const OrderFormPage& form_page, ra::ServerOrderForm form) {
  const auto show = [&](const std::vector<core::FieldError>& errors, bhttp::status status) {
    return orderForm(context, status, form_page, *context.form, errors);
  };
  form.csr = uploadOrText(context, "csr", "csr_text");
  if (form.csr.empty())
    return show({{"csr", "orders.form.csr_missing"}}, bhttp::status::bad_request);
  if (auto manager = readManager(context, form); !manager)
    return show(manager.error().fields, bhttp::status::bad_request);
  setLoginCertificate(context, form);
  auto order = services.server_orders.create(*context.principal, form);
  if (!order) {
    if (order.error().fields.empty()) return failure(context, order.error(), false);
    return show(order.error().fields, statusOf(order.error().kind));
  }
  return redirect(context, orderPath(order->id));
}

http::Reply newOrderForm(RequestContext& context, PortalServices& services) {
  auto form_page = newOrderPage(context, services);
  if (!form_page) return failure(context, form_page.error(), false);
  return orderForm(context, bhttp::status::ok, *form_page, {}, {});
}

http::Reply createOrder(RequestContext& context, PortalServices& services) {
  auto form_page = newOrderPage(context, services);
  if (!form_page) return failure(context, form_page.error(), false);
  return submitOrderForm(
      context, services, *form_page,
      {.type = core::OrderType::server_new, .organisation = form_page->organisation});
}

http::Reply renewalForm(RequestContext& context, PortalServices& services) {
  auto form_page = renewalPage(context, services);
  if (!form_page) return failure(context, form_page.error(), false);
  return orderForm(context, bhttp::status::ok, *form_page, {}, {});
}

http::Reply createRenewal(RequestContext& context, PortalServices& services) {
  auto form_page = renewalPage(context, services);
  if (!form_page) return failure(context, form_page.error(), false);
  return submitOrderForm(
      context, services, *form_page,
      {.type = core::OrderType::server_renew, .renewal_of = idParameter(context)});
}

// ----- one order -----

std::string noticeOf(const RequestContext& context) {
  const auto found = context.target.query.find("melding");
  if (found == context.target.query.end() ||
      std::find(std::begin(kNotices), std::end(kNotices), found->second) == std::end(kNotices))
    return {};
  return context.texts().text("orders.notice." + found->second);
}

/// The order page; `activation_code` is shown once, right after it was made.
http::Response orderPage(RequestContext& context, const OrderView& view, bhttp::status status,
                         const std::vector<core::FieldError>& errors,
                         const std::string& activation_code = {}) {
  const auto& t = context.texts();
  const core::Order& order = view.order;
  const bool draft = order.status == core::OrderStatus::draft;
  FormView form(t, "ondertekening", errors);
  std::string outside;
  for (const auto& name : view.unvalidated_names) outside += (outside.empty() ? "" : ", ") + name;
  const std::string heading =
      t.format(draft ? "orders.page.review_title" : "orders.page.title",
               {{"number", std::to_string(order.id)}, {"name", order.common_name}});
  boost::json::object model{
      {"heading", heading},
      {"notice", noticeOf(context)},
      {"facts", orderFacts(t, view)},
      {"status", orderStatusText(t, order.status)},
      {"draft", draft},
      {"unvalidated", outside.empty() ? ""
                                      : t.format(draft ? "orders.page.on_hold_warning"
                                                       : "orders.page.on_hold_waiting",
                                                 {{"names", outside}})},
      {"document", view.document},
      {"document_href", orderPath(order.id) + "/document.txt"},
      {"may_sign", view.may.sign},
      {"not_requester", draft && !view.may.sign ? t.text("orders.page.only_requester") : ""},
      {"sign_action", orderPath(order.id) + "/handtekening"},
      {"mobile_sign_action", orderPath(order.id) + "/mobiel-ondertekenen"},
      {"signature_fields",
       boost::json::array{
           form.field({"signature", "orders.sign.file", "orders.sign.file_hint", "file", "", false,
                       ".p7s,.p7m,.pem,.der"},
                      ""),
           form.field({"signature_text", "orders.sign.text", "orders.sign.text_hint", "textarea"},
                      "")}},
      {"may_cancel", view.may.cancel},
      {"cancel_action", orderPath(order.id) + "/annuleren"},
      {"certificate_href",
       order.certificate ? "/servercertificaten/" + std::to_string(*order.certificate) : ""},
      {"orders_href",
       order.organisation ? "/organisaties/" + std::to_string(*order.organisation) + "/bestellingen"
                          : std::string("/mijn-certificaten")},
      {"activation_action",
       view.may.make_activation_code ? orderPath(order.id) + "/activeringscode" : ""},
      {"activation_code", activation_code},
      {"activation_state",
       view.activation_code
           ? t.format(view.activation_code->used_at ? "orders.activation.used"
                                                    : "orders.activation.made",
                      {{"expires", core::toDutchDate(view.activation_code->expires_at)}})
           : ""},
      {"csrf_token", context.session ? context.session->record.csrf_token : ""}};
  // After the fields: the summary links only to fields the form has placed.
  model["summary"] = form.summary();
  return page(context, status, "order_page", form.pageTitle(heading), std::move(model));
}

http::Reply showOrder(RequestContext& context, PortalServices& services) {
  auto view = services.orders.view(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), false);
  return orderPage(context, *view, bhttp::status::ok, {});
}

http::Reply downloadDocument(RequestContext& context, PortalServices& services) {
  auto view = services.orders.view(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), false);
  http::Response response{bhttp::status::ok, context.request.version()};
  response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  response.set(bhttp::field::content_disposition,
               "attachment; filename=\"bestelling-" + std::to_string(view->order.id) + ".txt\"");
  response.body() = std::move(view->document);
  return response;
}

/// The order page again with the field problems of a refused step, or the error page.
http::Reply refusedStep(RequestContext& context, PortalServices& services,
                        const core::Error& error) {
  if (error.fields.empty()) return failure(context, error, false);
  auto view = services.orders.view(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), false);
  return orderPage(context, *view, statusOf(error.kind), error.fields);
}

http::Reply sign(RequestContext& context, PortalServices& services) {
  auto submitted = services.orders.sign(*context.principal, idParameter(context),
                                        uploadOrText(context, "signature", "signature_text"));
  if (!submitted) return refusedStep(context, services, submitted.error());
  return redirect(context, orderPath(submitted->id) + "?melding=ondertekend");
}

// POST /bestellingen/{id}/activeringscode: a new activation code for the holder's approved
// mobile certificate order, shown once on this response and kept only as a hash.
http::Reply newActivationCode(RequestContext& context, PortalServices& services) {
  auto code = services.orders.newActivationCode(*context.principal, idParameter(context));
  if (!code) return failure(context, code.error(), false);
  auto view = services.orders.view(*context.principal, idParameter(context));
  if (!view) return failure(context, view.error(), false);
  auto response = orderPage(context, *view, bhttp::status::ok, {}, code->code);
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

http::Reply cancel(RequestContext& context, PortalServices& services) {
  auto cancelled = services.orders.cancel(*context.principal, idParameter(context));
  if (!cancelled) return failure(context, cancelled.error(), false);
  return redirect(context, orderPath(cancelled->id) + "?melding=geannuleerd");
}

// ----- the organisation's orders -----

http::Reply orderList(RequestContext& context, PortalServices& services) {
  auto access = services.queries.owner(*context.principal, idParameter(context));
  if (!access) return failure(context, access.error(), false);
  const core::Organisation* owner = &access->organisation;
  const auto& t = context.texts();
  auto orders = services.orders.ofOrganisation(*context.principal, owner->id);
  if (!orders) return failure(context, orders.error(), false);
  boost::json::array rows;
  for (const auto& order : *orders)
    rows.push_back({{"href", orderPath(order.id)},
                    {"number", std::to_string(order.id)},
                    {"type", t.text("orders.type." + std::string(core::toString(order.type)))},
                    {"common_name", order.common_name},
                    {"status", orderStatusText(t, order.status)},
                    {"updated", core::toDutchDate(order.updated_at)},
                    {"reason", order.reason}});
  const bool has_rows = !rows.empty();
  const std::string base = "/organisaties/" + std::to_string(owner->id);
  boost::json::object model{
      {"heading", t.text("orders.list.title")},
      {"caption", t.format("orders.list.caption", {{"organisation", owner->name}})},
      {"rows", std::move(rows)},
      {"has_rows", has_rows},
      {"empty", has_rows ? "" : t.text("orders.list.none")},
      {"new_href", access->may_order ? base + "/servercertificaten/bestellen" : ""}};
  return page(context, bhttp::status::ok, "order_list",
              t.format("organisation.page.title_format",
                       {{"page", t.text("orders.list.title")}, {"subject", owner->name}}),
              std::move(model));
}

}  // namespace

void addOrderRoutes(Router& router, PortalServices& services) {
  addRoute(router, services,
           {bhttp::verb::get, "/organisaties/{id}/bestellingen", Access::logged_in, Format::html},
           orderList);
  addRoute(router, services,
           {bhttp::verb::get, "/organisaties/{id}/servercertificaten/bestellen", Access::logged_in,
            Format::html},
           newOrderForm);
  addRoute(router, services,
           {bhttp::verb::post, "/organisaties/{id}/servercertificaten/bestellen", Access::logged_in,
            Format::html},
           createOrder);
  addRoute(
      router, services,
      {bhttp::verb::get, "/servercertificaten/{id}/vernieuwen", Access::logged_in, Format::html},
      renewalForm);
  addRoute(
      router, services,
      {bhttp::verb::post, "/servercertificaten/{id}/vernieuwen", Access::logged_in, Format::html},
      createRenewal);
  addRoute(router, services,
           {bhttp::verb::get, "/bestellingen/{id}", Access::logged_in, Format::html}, showOrder);
  addRoute(router, services,
           {bhttp::verb::get, "/bestellingen/{id}/document.txt", Access::logged_in, Format::html},
           downloadDocument);
  addRoute(router, services,
           {bhttp::verb::post, "/bestellingen/{id}/handtekening", Access::logged_in, Format::html},
           sign);
  addRoute(router, services,
           {bhttp::verb::post, "/bestellingen/{id}/annuleren", Access::logged_in, Format::html},
           cancel);
  addRoute(
      router, services,
      {bhttp::verb::post, "/bestellingen/{id}/activeringscode", Access::logged_in, Format::html},
      newActivationCode);
}

}  // namespace web
