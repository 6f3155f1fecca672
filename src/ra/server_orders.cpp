#include "ra/server_orders.hpp"

#include "pki/certificate.hpp"
#include "pki/certificate_request.hpp"
#include "pki/public_key.hpp"
#include "policy/access_rules.hpp"
#include "policy/csr_rules.hpp"
#include "policy/registry_rules.hpp"

#include <algorithm>
#include <span>

namespace ra {

namespace {

/// Longest proposed manager's name, in bytes.
constexpr std::size_t kMaxNameLength = 200;

core::Error invalidField(std::string field, std::string message) {
  return core::makeError(core::ErrorKind::invalid, "validation.failed",
                         {{std::move(field), std::move(message)}});
}

const core::Error kNotFound = core::makeError(core::ErrorKind::not_found, "error.not_found");

std::span<const std::uint8_t> bytesOf(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// The proposed manager's fields as typed, trimmed; each problem on its own field.
core::Result<core::ProposedManager> checkedProposal(const core::ProposedManager& proposal) {
  core::ProposedManager manager{policy::trimmed(proposal.name), policy::trimmed(proposal.email),
                                policy::trimmed(proposal.phone)};
  std::vector<core::FieldError> problems;
  if (manager.name.empty())
    problems.push_back({"manager_name", "order.manager_name_required"});
  else if (manager.name.size() > kMaxNameLength)
    problems.push_back({"manager_name", "order.manager_name_too_long"});
  if (!policy::isEmailAddress(manager.email))
    problems.push_back({"manager_email", "validation.email"});
  if (!policy::isPhoneNumber(manager.phone))
    problems.push_back({"manager_phone", "validation.phone"});
  if (!problems.empty())
    return core::makeError(core::ErrorKind::invalid, "validation.failed", std::move(problems));
  return manager;
}

/// The subject of a server certificate: the organisation and the common name (G4 server profile).
std::vector<pki::SubjectAttribute> serverSubject(const core::Organisation& organisation,
                                                 const std::string& common_name) {
  return {{"C", "NL"},
          {"O", organisation.name},
          {"organizationIdentifier", "NTRNL-" + organisation.kvk},
          {"CN", common_name}};
}

}  // namespace

core::Result<policy::ValidityLimits> ServerOrders::limitsOf(const std::string& product) const {
  const ca::ProductProfile* profile = ca::findProfile(authority_.profiles(), product);
  if (profile == nullptr || profile->kind != core::CertificateKind::server)
    return invalidField("product", "order.unknown_product");
  const auto& issuers = authority_.issuers();
  const auto issuer = std::find_if(issuers.begin(), issuers.end(), [&](const ca::IssuingCa& ca) {
    return ca.name == profile->issuing_ca;
  });
  if (issuer == issuers.end())
    return core::makeError(core::ErrorKind::unavailable, "certificate.issuer_unavailable");
  return policy::ValidityLimits{std::chrono::days{profile->term_days},
                                std::chrono::days{profile->max_validity_days},
                                issuer->certificate.notAfter()};
}

core::Result<core::IssuedCertificate> ServerOrders::renewable(const core::Principal& actor,
                                                              core::CertificateId id) {
  auto found = inventory_.find(id);
  if (!found) return found.error();
  if (!*found || (*found)->kind != core::CertificateKind::server || !(*found)->organisation)
    return kNotFound;
  if (auto allowed = policy::permit(actor, policy::Action::order_for_organisation,
                                    {.organisation = (*found)->organisation});
      !allowed)
    return allowed.error();
  if ((*found)->revoked_at) return invalidField("certificate_id", "order.renewal_of_revoked");
  return std::move(**found);
}

core::Result<core::Order> ServerOrders::create(const core::Principal& actor,
                                               const ServerOrderForm& form) {
  if (!core::isServerOrder(form.type)) return invalidField("type", "order.not_server_order");
  std::optional<core::IssuedCertificate> replaced;
  core::OrganisationId organisation_id = form.organisation;
  if (form.type == core::OrderType::server_renew) {
    if (!form.renewal_of) return invalidField("certificate_id", "order.renewal_of_required");
    auto certificate = renewable(actor, *form.renewal_of);
    if (!certificate) return certificate.error();
    organisation_id = *certificate->organisation;
    replaced = std::move(*certificate);
  } else if (auto allowed = policy::permit(actor, policy::Action::order_for_organisation,
                                           {.organisation = organisation_id});
             !allowed) {
    return allowed.error();
  }
  auto organisation = registry_.findOrganisation(organisation_id);
  if (!organisation) return organisation.error();
  if (!*organisation) return kNotFound;

  const std::string product =
      !form.product.empty() ? form.product
                            : (replaced ? replaced->product : std::string(kDefaultServerProduct));
  auto limits = limitsOf(product);
  if (!limits) return limits.error();

  auto csr = authority_.keys().checkServerCsr(bytesOf(form.csr));
  if (!csr) return csr.error();
  if (auto own = policy::checkNotLoginKey(csr->key_sha256, form.login_key_sha256); !own)
    return own.error();
  if (replaced) {
    auto old = pki::Certificate::fromPem(replaced->pem);
    if (!old) return old.error();
    const std::string old_key = pki::PublicKey::ofCertificate(*old).sha256Hex();
    if (auto fresh = policy::checkRenewalKey(csr->key_sha256, old_key); !fresh)
      return fresh.error();
  }

  // A renewal carries its certificate manager over unless the customer names another.
  std::optional<core::PersonId> manager = form.manager;
  std::optional<core::ProposedManager> proposed;
  if (!manager && !form.proposed_manager && replaced) manager = replaced->manager;
  if (manager && form.proposed_manager) return invalidField("manager", "order.manager_required");
  if (form.proposed_manager) {
    auto checked = checkedProposal(*form.proposed_manager);
    if (!checked) return checked.error();
    proposed = std::move(*checked);
  } else if (manager) {
    auto members = registry_.organisationMembers(organisation_id);
    if (!members) return members.error();
    const bool known =
        std::any_of(members->begin(), members->end(), [&](const core::OrganisationMember& m) {
          return m.person.id == *manager && m.role == core::Role::manager && m.active;
        });
    if (!known) return invalidField("manager", "order.manager_unknown");
  } else {
    return invalidField("manager", "order.manager_required");
  }

  const core::TimePoint now = clock_.now();
  auto validity = replaced ? policy::renewalValidity(now, replaced->not_after, *limits)
                           : policy::newValidity(now, *limits);
  if (!validity) return validity.error();

  ServerOrderRequest request;
  request.type = form.type;
  request.organisation = organisation_id;
  request.requester_identity = form.login_identity;
  request.renewal_of = form.renewal_of;
  request.product = product;
  request.csr_pem = csr->request.toPem();
  request.common_name = csr->common_name.value_or(csr->dns_names.front());
  request.dns_names = csr->dns_names;
  request.key_description = csr->key_description;
  request.spki_sha256 = csr->key_sha256;
  request.manager = manager;
  request.proposed_manager = std::move(proposed);
  request.not_before = validity->start;
  request.not_after = validity->end;
  return orders_.createServerOrder(actor, request);
}

core::Result<ValidityPlan> ServerOrders::planOf(const core::Order& order) {
  auto limits = limitsOf(order.product);
  if (!limits) return limits.error();
  // Recomputed from the order's own start, the plan is the one the order was created with.
  if (!order.renewal_of) {
    auto validity = policy::newValidity(order.not_before, *limits);
    if (!validity) return validity.error();
    return ValidityPlan{*validity, std::nullopt};
  }
  auto replaced = inventory_.find(*order.renewal_of);
  if (!replaced) return replaced.error();
  if (!*replaced) return kNotFound;
  auto validity = policy::renewalValidity(order.not_before, (*replaced)->not_after, *limits);
  if (!validity) return validity.error();
  return ValidityPlan{*validity, (*replaced)->not_after};
}

core::Result<ServerOrderDetails> ServerOrders::detailsOf(const core::Order& order) {
  auto plan = planOf(order);
  if (!plan) return plan.error();
  auto outside = orders_.unvalidatedNamesOf(order);
  if (!outside) return outside.error();
  return ServerOrderDetails{std::move(*plan), std::move(*outside)};
}

core::Result<core::Order> ServerOrders::approve(const core::Principal& actor, core::Order order) {
  if (!core::isServerOrder(order.type)) return kNotFound;
  if (order.status != core::OrderStatus::approved) {
    if (order.proposed_manager && !order.manager)
      return core::makeError(core::ErrorKind::conflict, "order.manager_not_identified");
    auto approved = orders_.takeUpAndApprove(actor, std::move(order));
    if (!approved) return approved.error();
    order = std::move(*approved);
  }
  return issue(actor, order);
}

core::Result<core::Order> ServerOrders::issue(const core::Principal& actor,
                                              const core::Order& order) {
  const core::OrderId id = order.id;
  const audit::Actor officer = audit::Actor::person(actor.person.id);

  // A retry after the certificate was stored only records it; the CA never signs twice.
  auto existing = certificates_.certificateForOrder(id);
  if (!existing) return existing.error();
  core::CertificateId certificate = 0;
  if (*existing) {
    certificate = **existing;
  } else {
    auto organisation = registry_.findOrganisation(order.organisation.value_or(0));
    if (!organisation) return organisation.error();
    if (!*organisation) return kNotFound;
    auto request = pki::CertificateRequest::fromPem(order.csr_pem);
    if (!request) return request.error();
    auto public_key = request->publicKey();
    if (!public_key) return public_key.error();
    ca::IssuanceRequest issuance{
        .product = order.product,
        .subject = serverSubject(**organisation, order.common_name),
        .dns_names = order.dns_names,
        .owner = {.organisation = order.organisation,
                  .manager = order.manager,
                  .requested_by = order.requested_by,
                  .order = order.id},
        // The end date is the one the customer signed; the start is the moment of issuance.
        .not_after = order.not_after};
    auto issued = authority_.issue(issuance, *public_key, officer);
    if (!issued) return issued.error();
    certificate = issued->id;
  }
  auto done = orders_.markIssued(officer, order, certificate);
  if (!done) return done.error();
  // PRODUCT.md §5: a proposed manager joins the organisation's list with their first certificate.
  // The certificate exists by now, so a role removed meanwhile leaves nothing to activate.
  if (done->proposed_manager && done->manager && done->organisation) {
    auto activated =
        registry_.activateRole(*done->manager, *done->organisation, core::Role::manager, officer);
    if (!activated && activated.error().kind != core::ErrorKind::not_found)
      return activated.error();
  }
  return done;
}

core::Result<core::Order> ServerOrders::identifyManager(const core::Principal& actor,
                                                        const core::Order& current,
                                                        const core::Person& manager) {
  const core::Order* order = &current;
  if (!order->proposed_manager || order->manager || !order->organisation)
    return core::makeError(core::ErrorKind::conflict, "order.no_proposed_manager");
  if (order->status != core::OrderStatus::submitted &&
      order->status != core::OrderStatus::on_hold &&
      order->status != core::OrderStatus::in_processing)
    return core::makeError(core::ErrorKind::conflict, "order.transition_not_allowed");
  if (auto problems = policy::checkPerson(manager); !problems.empty())
    return core::makeError(core::ErrorKind::invalid, "validation.failed", std::move(problems));
  const audit::Actor officer = audit::Actor::person(actor.person.id);
  // Three recorded changes: should a concurrent identification win the last one, this person
  // stays registered with an inactive role (never listed) and the order keeps the winner's.
  core::Person person = manager;
  person.given_name = policy::trimmed(person.given_name);
  person.surname = policy::trimmed(person.surname);
  person.email = policy::trimmed(person.email);
  person.phone = policy::trimmed(person.phone);
  auto created = registry_.createPerson(person, officer);
  if (!created) return created.error();
  if (auto role = registry_.addRole(*created, *order->organisation, core::Role::manager, officer,
                                    /*active=*/false);
      !role)
    return role.error();
  return order_store_.assignManager(order->id, *created, officer);
}

}  // namespace ra
