#include "ra/orders.hpp"

#include "policy/access_rules.hpp"

#include <map>

namespace ra {

namespace {

bool cancellable(core::OrderStatus status) {
  return status == core::OrderStatus::draft || status == core::OrderStatus::submitted ||
         status == core::OrderStatus::on_hold;
}

bool undecided(core::OrderStatus status) {
  return status == core::OrderStatus::submitted || status == core::OrderStatus::on_hold ||
         status == core::OrderStatus::in_processing;
}

std::string nameOf(storage::RegistryRepository& registry, std::optional<core::PersonId> id) {
  if (!id) return {};
  auto person = registry.findPerson(*id);
  return person && *person ? (*person)->displayName() : std::string();
}

}  // namespace

policy::Subject subjectOf(const core::Order& order) {
  return {.organisation = order.organisation, .owner = order.requested_by};
}

core::Result<core::Order> Orders::load(core::OrderId id) {
  auto order = service_.order(id);
  // Refusals and unknown ids read the same: nobody learns which order numbers exist.
  if (!order && order.error().kind == core::ErrorKind::not_found)
    return core::makeError(core::ErrorKind::not_found, "error.not_found");
  return order;
}

OrderPermissions Orders::permissionsOf(const core::Principal& actor,
                                       const core::Order& order) const {
  const auto subject = subjectOf(order);
  const bool servicedesk = policy::permits(actor, policy::Action::work_in_servicedesk);
  return {
      .sign = order.status == core::OrderStatus::draft &&
              policy::permits(actor, policy::Action::sign_order, subject),
      .cancel = cancellable(order.status) &&
                policy::permits(actor, policy::Action::cancel_order, subject),
      .make_activation_code = order.type == core::OrderType::mobile_add &&
                              order.status == core::OrderStatus::approved &&
                              policy::permits(actor, policy::Action::make_activation_code, subject),
      .decide = servicedesk,
      .approve = servicedesk && undecided(order.status) &&
                 policy::permits(actor, policy::Action::approve_order, subject),
  };
}

core::Result<OrderView> Orders::view(const core::Principal& actor, core::OrderId id) {
  auto order = load(id);
  if (!order) return order.error();
  if (auto allowed = policy::permit(actor, policy::Action::view_order, subjectOf(*order)); !allowed)
    return allowed.error();
  OrderView view;
  if (core::isServerOrder(order->type)) {
    auto details = server_.detailsOf(*order);
    if (!details) return details.error();
    view.plan = std::move(details->plan);
    view.unvalidated_names = std::move(details->unvalidated_names);
  } else {
    auto details = cards_.detailsOf(*order);
    if (!details) return details.error();
    view.steps = std::move(details->steps);
    view.activation_code = std::move(details->activation_code);
  }
  auto document = service_.documentOf(*order);
  if (!document) return document.error();
  view.document = std::move(*document);
  if (order->organisation) {
    auto organisation = registry_.findOrganisation(*order->organisation);
    if (!organisation) return organisation.error();
    if (*organisation)
      view.organisation_name = (*organisation)->name + " (KvK " + (*organisation)->kvk + ")";
  }
  view.requester_name = nameOf(registry_, order->requested_by);
  view.manager_name = nameOf(registry_, order->manager);
  view.may = permissionsOf(actor, *order);
  view.order = std::move(*order);
  return view;
}

core::Result<std::vector<core::Order>> Orders::ofOrganisation(const core::Principal& actor,
                                                              core::OrganisationId organisation) {
  if (auto allowed =
          policy::permit(actor, policy::Action::view_organisation, {.organisation = organisation});
      !allowed)
    return allowed.error();
  return store_.listForOrganisation(organisation, storage::OrderRepository::kMaxListRows);
}

core::Result<std::vector<core::Order>> Orders::ofHolder(const core::Principal& actor) {
  if (auto allowed = policy::permit(actor, policy::Action::view_own_certificates); !allowed)
    return allowed.error();
  return store_.listForHolder(actor.person.id, storage::OrderRepository::kMaxListRows);
}

core::Result<std::vector<std::pair<core::Order, std::string>>> Orders::queue(
    const core::Principal& actor, const storage::OrderQueueFilter& filter) {
  if (auto allowed = policy::permit(actor, policy::Action::work_in_servicedesk); !allowed)
    return allowed.error();
  auto orders = store_.queue(filter, storage::OrderRepository::kMaxListRows);
  if (!orders) return orders.error();
  // Each organisation read once, however many of its orders are listed.
  std::map<core::OrganisationId, std::string> names;
  std::vector<std::pair<core::Order, std::string>> entries;
  for (auto& order : *orders) {
    std::string name;
    if (order.organisation) {
      auto [known, fresh] = names.try_emplace(*order.organisation);
      if (fresh) {
        auto organisation = registry_.findOrganisation(*order.organisation);
        if (!organisation) return organisation.error();
        if (*organisation) known->second = (*organisation)->name;
      }
      name = known->second;
    }
    entries.emplace_back(std::move(order), std::move(name));
  }
  return entries;
}

core::Result<std::pair<core::Order, std::string>> Orders::signable(const core::Principal& actor,
                                                                   core::OrderId id) {
  auto order = load(id);
  if (!order) return order.error();
  if (auto allowed = policy::permit(actor, policy::Action::sign_order, subjectOf(*order)); !allowed)
    return allowed.error();
  if (order->status != core::OrderStatus::draft)
    return core::makeError(core::ErrorKind::conflict, "order.not_draft");
  auto document = service_.documentOf(*order);
  if (!document) return document.error();
  return std::pair{std::move(*order), std::move(*document)};
}

core::Result<std::string> Orders::documentToSign(const core::Principal& actor, core::OrderId id) {
  auto signing = signable(actor, id);
  if (!signing) return signing.error();
  return std::move(signing->second);
}

core::Result<core::Order> Orders::sign(const core::Principal& actor, core::OrderId id,
                                       std::string_view signature) {
  auto signing = signable(actor, id);
  if (!signing) return signing.error();
  auto& [order, document] = *signing;
  if (signature.empty())
    return core::makeError(core::ErrorKind::invalid, "validation.failed",
                           {{"signature", "orders.sign.missing"}});
  // The signer must be the requester: one of their registered certificates (card or mobile).
  auto identities = registry_.certificateIdentities(actor.person.id);
  if (!identities) return identities.error();
  auto verified = signatures_.verify(document, signature, *identities);
  if (!verified) return verified.error();
  return service_.submit(
      actor, order,
      core::OrderEvidence{document, std::string(signature), verified->signer_certificate_pem});
}

core::Result<core::Order> Orders::cancel(const core::Principal& actor, core::OrderId id) {
  auto order = load(id);
  if (!order) return order.error();
  if (auto allowed = policy::permit(actor, policy::Action::cancel_order, subjectOf(*order));
      !allowed)
    return allowed.error();
  return service_.cancel(actor, *order);
}

core::Result<core::Order> Orders::decidable(const core::Principal& actor, core::OrderId id) {
  if (auto allowed = policy::permit(actor, policy::Action::work_in_servicedesk); !allowed)
    return allowed.error();
  return load(id);
}

core::Result<core::Order> Orders::approve(const core::Principal& actor, core::OrderId id) {
  auto order = decidable(actor, id);
  if (!order) return order.error();
  // Refused before any step, so a refusal leaves the order where it was.
  if (auto allowed = policy::permit(actor, policy::Action::approve_order, subjectOf(*order));
      !allowed)
    return allowed.error();
  if (core::isCardOrder(order->type)) return cards_.approve(actor, *order);
  return server_.approve(actor, *order);
}

core::Result<core::Order> Orders::reject(const core::Principal& actor, core::OrderId id,
                                         const std::string& reason) {
  auto order = decidable(actor, id);
  if (!order) return order.error();
  return service_.reject(actor, *order, reason);
}

core::Result<core::Order> Orders::ship(const core::Principal& actor, core::OrderId id) {
  auto order = decidable(actor, id);
  if (!order) return order.error();
  return cards_.ship(actor, *order);
}

core::Result<core::Order> Orders::activate(const core::Principal& actor, core::OrderId id) {
  auto order = decidable(actor, id);
  if (!order) return order.error();
  return cards_.activate(actor, *order);
}

core::Result<core::Order> Orders::identifyManager(const core::Principal& actor, core::OrderId id,
                                                  const core::Person& manager) {
  auto order = decidable(actor, id);
  if (!order) return order.error();
  return server_.identifyManager(actor, *order, manager);
}

core::Result<void> Orders::validateDomain(const core::Principal& actor, core::OrderId id,
                                          std::string_view domain, std::string_view method) {
  auto order = decidable(actor, id);
  if (!order) return order.error();
  if (!order->organisation) return core::makeError(core::ErrorKind::not_found, "error.not_found");
  return registry_service_.addDomain(actor, *order->organisation, domain, method);
}

core::Result<NewActivationCode> Orders::newActivationCode(const core::Principal& actor,
                                                          core::OrderId id) {
  auto order = load(id);
  if (!order) return order.error();
  if (auto allowed = policy::permit(actor, policy::Action::make_activation_code, subjectOf(*order));
      !allowed)
    return allowed.error();
  return cards_.newActivationCode(actor, *order);
}

}  // namespace ra
