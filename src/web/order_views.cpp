#include "web/order_views.hpp"

#include "core/time_format.hpp"
#include "pki/certificate.hpp"
#include "pki/public_key.hpp"
#include "policy/certificate_identity.hpp"
#include "web/certificate_views.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace web {

namespace {

boost::json::object fact(const Catalogue& t, std::string_view key, std::vector<std::string> lines,
                         bool code = false) {
  boost::json::array values;
  for (auto& line : lines) values.push_back(boost::json::object{{"text", std::move(line)}});
  return {{"label", t.text("orders.fact." + std::string(key))},
          {"lines", std::move(values)},
          {"code", code}};
}

std::string managerText(const Catalogue& t, const OrderView& view) {
  const core::Order& order = view.order;
  if (order.manager)
    return order.proposed_manager
               ? t.format("orders.manager_identified", {{"name", view.manager_name}})
               : view.manager_name;
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

core::CertificateIdentity loginIdentity(const RequestContext& context) {
  const auto& certificate = context.connection.peer.certificate;
  if (!certificate) return {};
  return policy::identityOf(*certificate).value_or(core::CertificateIdentity{});
}

void setLoginCertificate(const RequestContext& context, ra::ServerOrderForm& form) {
  const auto& certificate = context.connection.peer.certificate;
  if (!certificate) return;
  form.login_identity = loginIdentity(context);
  form.login_key_sha256 = pki::PublicKey::ofCertificate(*certificate).sha256Hex();
}

std::span<const CardDetailField> cardDetailFields() {
  static constexpr CardDetailField kFields[] = {
      {"given_name", &core::CardOrderDetails::given_name},
      {"surname", &core::CardOrderDetails::surname},
      {"email", &core::CardOrderDetails::email},
      {"phone", &core::CardOrderDetails::phone},
      {"title", &core::CardOrderDetails::title},
      {"registration_number", &core::CardOrderDetails::registration_number},
      {"group_name", &core::CardOrderDetails::group_name}};
  return kFields;
}

std::string orderStatusText(const Catalogue& t, core::OrderStatus status) {
  return t.text("order.status." + std::string(core::toString(status)));
}

namespace {

std::vector<std::string> validityLines(const Catalogue& t, const core::Order& order,
                                       const std::optional<ra::ValidityPlan>& plan) {
  const core::TimePoint start = plan ? plan->validity.start : order.not_before;
  const core::TimePoint end = plan ? plan->validity.end : order.not_after;
  std::vector<std::string> lines{
      t.format("orders.validity.from_until",
               {{"from", core::toDutchDate(start)}, {"until", core::toDutchDate(end)}}),
      daysText(t, end - start)};
  if (!plan) return lines;
  if (plan->replaced_end)
    lines.push_back(
        t.format("orders.validity.overlap", {{"days", daysText(t, plan->validity.overlap)},
                                             {"old_end", core::toDutchDate(*plan->replaced_end)}}));
  if (plan->validity.cap != policy::ValidityCap::none)
    lines.push_back(t.text(plan->validity.cap == policy::ValidityCap::product
                               ? "orders.validity.cap_product"
                               : "orders.validity.cap_ca"));
  return lines;
}

/// What a card order holds, for its facts.
void addCardFacts(const Catalogue& t, const OrderView& view, boost::json::array& facts) {
  const core::CardOrderDetails& card = *view.order.card;
  facts.push_back(
      fact(t, "card_type", {t.text("cards.type." + std::string(core::toString(card.card_type)))}));
  if (card.based_on) facts.push_back(fact(t, "based_on", {std::to_string(*card.based_on)}));
  if (card.card_type == core::CardType::group) {
    facts.push_back(fact(t, "group_name", {card.group_name}));
    facts.push_back(fact(t, "manager", {managerText(t, view)}));
  } else {
    facts.push_back(fact(t, "holder", {card.given_name + " " + card.surname}));
    if (!card.title.empty()) facts.push_back(fact(t, "title", {card.title}));
    if (!card.registration_number.empty())
      facts.push_back(fact(t, "registration_number", {card.registration_number}));
    facts.push_back(fact(t, "phone", {card.phone}));
  }
  facts.push_back(fact(t, "email", {card.email}));
}

}  // namespace

boost::json::array orderFacts(const Catalogue& t, const OrderView& view) {
  const core::Order& order = view.order;
  const std::string& organisation = view.organisation_name;
  boost::json::array facts{
      fact(t, "number", {std::to_string(order.id)}),
      fact(t, "type", {t.text("orders.type." + std::string(core::toString(order.type)))}),
      fact(t, "status", {orderStatusText(t, order.status)})};
  if (!organisation.empty()) facts.push_back(fact(t, "organisation", {organisation}));
  facts.push_back(fact(t, "product", {order.product}));
  if (order.card) {
    addCardFacts(t, view, facts);
  } else {
    facts.push_back(fact(t, "common_name", {order.common_name}));
    facts.push_back(fact(t, "sans", order.dns_names));
    facts.push_back(fact(t, "key", {order.key_description}));
    facts.push_back(fact(t, "key_hash", {order.spki_sha256}, true));
    facts.push_back(fact(t, "manager", {managerText(t, view)}));
  }
  facts.push_back(fact(t, "requested_by", {view.requester_name}));
  facts.push_back(fact(t, "created", {core::toDutchDate(order.created_at)}));
  facts.push_back(fact(t, "validity", validityLines(t, order, view.plan)));
  if (!view.steps.empty()) {
    std::vector<std::string> steps;
    for (const auto& step : view.steps)
      steps.push_back(t.format("orders.step", {{"status", orderStatusText(t, step.status)},
                                               {"date", core::toDutchDate(step.at)}}));
    facts.push_back(fact(t, "steps", std::move(steps)));
  }
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

}  // namespace web
