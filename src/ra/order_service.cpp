#include "ra/order_service.hpp"

#include "policy/registry_rules.hpp"
#include "ra/order_document.hpp"

#include <algorithm>

namespace ra {

namespace {

const core::Error kOrderNotFound = core::makeError(core::ErrorKind::not_found, "order.not_found");

core::Error invalidField(std::string field, std::string message) {
  return core::makeError(core::ErrorKind::invalid, "validation.failed",
                         {{std::move(field), std::move(message)}});
}

audit::Actor actorOf(const core::Principal& principal) {
  return audit::Actor::person(principal.person.id);
}

/// True if `domain` is `name` or one of its parent domains (both canonical).
bool covers(const std::string& domain, const std::string& name) {
  if (domain.empty()) return false;
  if (name == domain) return true;
  return name.size() > domain.size() && name.ends_with(domain) &&
         name[name.size() - domain.size() - 1] == '.';
}

}  // namespace

std::vector<std::string> unvalidatedNames(const std::vector<std::string>& dns_names,
                                          const std::vector<std::string>& validated_domains) {
  std::vector<std::string> domains;
  for (const std::string& domain : validated_domains)
    domains.push_back(policy::canonicalDomainName(domain));
  std::vector<std::string> outside;
  for (const std::string& name : dns_names) {
    const std::string canonical = policy::canonicalDomainName(name);
    if (std::none_of(domains.begin(), domains.end(),
                     [&](const std::string& domain) { return covers(domain, canonical); }))
      outside.push_back(name);
  }
  return outside;
}

std::vector<std::string> namesOf(const core::Order& order) {
  std::vector<std::string> names;
  if (!order.common_name.empty()) names.push_back(order.common_name);
  for (const std::string& name : order.dns_names)
    if (std::ranges::none_of(names, [&](const std::string& known) {
          return policy::canonicalDomainName(known) == policy::canonicalDomainName(name);
        }))
      names.push_back(name);
  return names;
}

core::Error domainsNotValidated(const std::vector<std::string>& names) {
  std::string listed;
  for (const std::string& name : names) listed += (listed.empty() ? "" : ", ") + name;
  return core::makeError(core::ErrorKind::conflict, "order.domains_not_validated",
                         {{"names", listed}});
}

core::Result<core::Order> OrderService::createServerOrder(const core::Principal& actor,
                                                          const ServerOrderRequest& request) {
  if (!core::isServerOrder(request.type)) return invalidField("type", "order.not_server_order");
  // Exactly one certificate manager: an existing one or a proposed one (PRODUCT.md §5).
  if (request.manager.has_value() == request.proposed_manager.has_value())
    return invalidField("manager", "order.manager_required");
  if ((request.type == core::OrderType::server_renew) != request.renewal_of.has_value())
    return invalidField("certificate_id", "order.renewal_of_required");

  core::Order order;
  order.type = request.type;
  order.organisation = request.organisation;
  order.requester_identity = request.requester_identity;
  order.renewal_of = request.renewal_of;
  order.product = request.product;
  order.csr_pem = request.csr_pem;
  order.common_name = request.common_name;
  order.dns_names = request.dns_names;
  order.key_description = request.key_description;
  order.spki_sha256 = request.spki_sha256;
  order.manager = request.manager;
  order.proposed_manager = request.proposed_manager;
  order.not_before = request.not_before;
  order.not_after = request.not_after;
  return createDraft(actor, std::move(order));
}

core::Result<core::Order> OrderService::createDraft(const core::Principal& actor,
                                                    core::Order order) {
  order.requested_by = actor.person.id;
  // PRODUCT.md §4: the nonce in the signed document ties a signature to this one order.
  order.nonce = core::randomToken(random_, kNonceBytes);
  return orders_.createDraft(order, actorOf(actor));
}

core::Result<core::Order> OrderService::order(core::OrderId order) {
  auto found = orders_.find(order);
  if (!found) return found.error();
  if (!*found) return kOrderNotFound;
  return std::move(**found);
}

core::Result<std::string> OrderService::documentOf(const core::Order& order) {
  // Once signed, the document is the evidence, whatever changed in the registry since.
  if (!order.evidence.document.empty()) return order.evidence.document;
  OrderParties parties;
  if (order.organisation) {
    auto organisation = registry_.findOrganisation(*order.organisation);
    if (!organisation) return organisation.error();
    if (*organisation) parties.organisation = std::move(**organisation);
  }
  auto requester = registry_.findPerson(order.requested_by);
  if (!requester) return requester.error();
  if (*requester) parties.requested_by = std::move(**requester);
  if (order.manager) {
    auto manager = registry_.findPerson(*order.manager);
    if (!manager) return manager.error();
    parties.manager = std::move(*manager);
  }
  return orderDocument(order, parties, origin_);
}

core::Result<std::vector<std::string>> OrderService::unvalidatedNamesOf(const core::Order& order) {
  if (!order.organisation || !core::isServerOrder(order.type)) return std::vector<std::string>{};
  auto domains = registry_.currentValidatedDomains(*order.organisation, validity_);
  if (!domains) return domains.error();
  return unvalidatedNames(namesOf(order), *domains);
}

core::Result<core::Order> OrderService::step(const core::Order& current, core::OrderStatus to,
                                             const storage::OrderChanges& changes,
                                             const audit::Actor& actor) {
  // From the status read: if another request moved the order in between, storage refuses.
  return orders_.transition(current.id, current.status, to, changes, actor);
}

core::Result<core::Order> OrderService::submit(const core::Principal& actor,
                                               const core::Order& current,
                                               const core::OrderEvidence& evidence) {
  auto outside = unvalidatedNamesOf(current);
  if (!outside) return outside.error();
  // PRODUCT.md §8: a domain not yet validated puts the order on hold, never a silent refusal.
  const core::OrderStatus to =
      outside->empty() ? core::OrderStatus::submitted : core::OrderStatus::on_hold;
  return step(current, to, {.evidence = evidence}, actorOf(actor));
}

core::Result<core::Order> OrderService::startProcessing(const core::Principal& actor,
                                                        const core::Order& current) {
  if (current.status == core::OrderStatus::on_hold) {
    auto outside = unvalidatedNamesOf(current);
    if (!outside) return outside.error();
    if (!outside->empty()) return domainsNotValidated(*outside);
  }
  return step(current, core::OrderStatus::in_processing, {}, actorOf(actor));
}

core::Result<core::Order> OrderService::approve(const core::Principal& actor,
                                                const core::Order& current) {
  if (!core::isServerOrder(current.type))
    return step(current, core::OrderStatus::approved, {}, actorOf(actor));
  // ADR 0025: validations expire; approval checks them again where it changes the order, so a
  // validation that expired or was removed after the order was taken up is never relied on.
  auto checked = orders_.transitionIfValidated(
      current.id, current.status, core::OrderStatus::approved,
      {.validity = validity_,
       .uncovered =
           [](const core::Order& order, const std::vector<std::string>& domains) {
             return unvalidatedNames(namesOf(order), domains);
           }},
      actorOf(actor));
  if (!checked) return checked.error();
  if (!checked->uncovered.empty()) return domainsNotValidated(checked->uncovered);
  return std::move(checked->order);
}

core::Result<core::Order> OrderService::takeUpAndApprove(const core::Principal& actor,
                                                         core::Order order) {
  if (order.status == core::OrderStatus::submitted || order.status == core::OrderStatus::on_hold) {
    auto taken = startProcessing(actor, order);
    if (!taken) return taken.error();
    order = std::move(*taken);
  }
  return approve(actor, order);
}

core::Result<core::Order> OrderService::reject(const core::Principal& actor,
                                               const core::Order& current,
                                               const std::string& reason) {
  const std::string text = policy::trimmed(reason);
  if (text.empty()) return invalidField("reason", "order.reason_required");
  if (text.size() > kMaxReasonLength) return invalidField("reason", "order.reason_too_long");
  return step(current, core::OrderStatus::rejected, {.reason = text}, actorOf(actor));
}

core::Result<core::Order> OrderService::cancel(const core::Principal& actor,
                                               const core::Order& current) {
  return step(current, core::OrderStatus::cancelled, {}, actorOf(actor));
}

core::Result<core::Order> OrderService::markIssued(const audit::Actor& actor,
                                                   const core::Order& current,
                                                   core::CertificateId certificate) {
  return step(current, core::OrderStatus::issued, {.certificate = certificate}, actor);
}

}  // namespace ra
