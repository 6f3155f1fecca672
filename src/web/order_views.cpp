#include "web/order_views.hpp"

#include "auth/authorization.hpp"
#include "core/time_format.hpp"
#include "pki/certificate.hpp"
#include "pki/public_key.hpp"
#include "policy/certificate_identity.hpp"
#include "web/certificate_views.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace web {

namespace {

const core::Error kNotFound = core::makeError(core::ErrorKind::not_found, "error.not_found");

boost::json::object fact(const Catalogue& t, std::string_view key, std::vector<std::string> lines,
                         bool code = false) {
  boost::json::array values;
  for (auto& line : lines) values.push_back(boost::json::object{{"text", std::move(line)}});
  return {{"label", t.text("orders.fact." + std::string(key))},
          {"lines", std::move(values)},
          {"code", code}};
}

std::string personName(PortalServices& services, core::PersonId id) {
  auto person = services.registry.findPerson(id);
  return person && *person ? (*person)->displayName() : std::string();
}

std::string managerText(const Catalogue& t, PortalServices& services, const core::Order& order) {
  if (order.manager) {
    const std::string name = personName(services, *order.manager);
    return order.proposed_manager ? t.format("orders.manager_identified", {{"name", name}}) : name;
  }
  if (order.proposed_manager)
    return t.format("orders.manager_proposed", {{"name", order.proposed_manager->name},
                                                {"email", order.proposed_manager->email},
                                                {"phone", order.proposed_manager->phone}});
  return t.text("orders.none");
}

std::string daysText(const Catalogue& t, std::chrono::seconds duration) {
  const auto days = std::chrono::floor<std::chrono::days>(duration).count();
  return t.format(days == 1 ? "orders.days_one" : "orders.days_many",
                  {{"days", std::to_string(days)}});
}

}  // namespace

core::Result<ra::ServerOrderView> visibleOrder(const RequestContext& context,
                                               PortalServices& services, core::OrderId order) {
  auto view = services.orders->server.view(order);
  if (!view) return view.error().kind == core::ErrorKind::not_found ? kNotFound : view.error();
  if (auto allowed = mayView(context, view->order.organisation); !allowed) return kNotFound;
  return view;
}

void setLoginCertificate(const RequestContext& context, ra::ServerOrderForm& form) {
  const auto& certificate = context.connection.peer.certificate;
  if (!certificate) return;
  if (auto identity = policy::identityOf(*certificate)) form.login_identity = *identity;
  form.login_key_sha256 = pki::PublicKey::ofCertificate(*certificate).sha256Hex();
}

std::string orderStatusText(const Catalogue& t, core::OrderStatus status) {
  return t.text("order.status." + std::string(core::toString(status)));
}

boost::json::array orderFacts(const Catalogue& t, PortalServices& services,
                              const ra::ServerOrderView& view) {
  const core::Order& order = view.order;
  const policy::Validity& validity = view.plan.validity;
  std::string organisation;
  if (order.organisation) {
    auto found = services.registry.findOrganisation(*order.organisation);
    if (found && *found) organisation = (*found)->name + " (KvK " + (*found)->kvk + ")";
  }
  boost::json::array facts{
      fact(t, "number", {std::to_string(order.id)}),
      fact(t, "type", {t.text("orders.type." + std::string(core::toString(order.type)))}),
      fact(t, "status", {orderStatusText(t, order.status)}),
      fact(t, "organisation", {organisation}),
      fact(t, "product", {order.product}),
      fact(t, "common_name", {order.common_name}),
      fact(t, "sans", order.dns_names),
      fact(t, "key", {order.key_description}),
      fact(t, "key_hash", {order.spki_sha256}, true),
      fact(t, "manager", {managerText(t, services, order)}),
      fact(t, "requested_by", {personName(services, order.requested_by)}),
      fact(t, "created", {core::toDutchDate(order.created_at)})};
  std::vector<std::string> validity_lines{
      t.format("orders.validity.from_until", {{"from", core::toDutchDate(validity.start)},
                                              {"until", core::toDutchDate(validity.end)}}),
      daysText(t, validity.end - validity.start)};
  if (view.plan.replaced_end)
    validity_lines.push_back(t.format("orders.validity.overlap",
                                      {{"days", daysText(t, validity.overlap)},
                                       {"old_end", core::toDutchDate(*view.plan.replaced_end)}}));
  if (validity.cap != policy::ValidityCap::none)
    validity_lines.push_back(t.text(validity.cap == policy::ValidityCap::product
                                        ? "orders.validity.cap_product"
                                        : "orders.validity.cap_ca"));
  facts.push_back(fact(t, "validity", std::move(validity_lines)));
  if (!order.reason.empty()) facts.push_back(fact(t, "reason", {order.reason}));
  if (!order.evidence.signer_certificate_pem.empty()) {
    auto signer = pki::Certificate::fromPem(order.evidence.signer_certificate_pem);
    if (signer)
      facts.push_back(fact(t, "signed_by",
                           {signer->subjectAttribute("CN").value_or(signer->subjectDn()),
                            signer->subjectDn(), signer->issuerDn()}));
  }
  return facts;
}

core::Result<core::Order> submitSignature(const RequestContext& context, PortalServices& services,
                                          core::OrderId id, const std::string& signature) {
  if (signature.empty())
    return core::makeError(core::ErrorKind::invalid, "validation.failed",
                           {{"signature", "orders.sign.missing"}});
  auto order = services.orders->service.order(id);
  if (!order) return order.error();
  if (order->requested_by != context.principal->person.id)
    return core::makeError(core::ErrorKind::forbidden, "order.not_requester");
  if (order->status != core::OrderStatus::draft)
    return core::makeError(core::ErrorKind::conflict, "order.not_draft");
  auto document = services.orders->service.document(id);
  if (!document) return document.error();
  auto identities = services.registry.certificateIdentities(context.principal->person.id);
  if (!identities) return identities.error();
  auto verified = services.orders->signatures.verify(*document, signature, *identities);
  if (!verified) return verified.error();
  return services.orders->service.submitWithSignature(
      *context.principal, id,
      core::OrderEvidence{*document, signature, verified->signer_certificate_pem});
}

}  // namespace web
