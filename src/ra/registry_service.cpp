#include "ra/registry_service.hpp"

#include "pki/certificate.hpp"
#include "policy/access_rules.hpp"
#include "policy/certificate_identity.hpp"
#include "policy/registry_rules.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <span>

namespace ra {

namespace {

const core::Error kOrganisationNotFound =
    core::makeError(core::ErrorKind::not_found, "organisation.not_found");
const core::Error kPersonNotFound = core::makeError(core::ErrorKind::not_found, "person.not_found");

/// Every registry use case is the Servicedesk's (PRODUCT.md §7).
core::Result<void> servicedeskOnly(const core::Principal& actor) {
  return policy::permit(actor, policy::Action::work_in_servicedesk);
}

audit::Actor actorOf(const core::Principal& principal) {
  return audit::Actor::person(principal.person.id);
}

/// The error for input that fails validation: every field's problem at once.
core::Error invalid(std::vector<core::FieldError> fields) {
  return core::makeError(core::ErrorKind::invalid, "validation.failed", std::move(fields));
}

/// A storage conflict that belongs to one form field.
struct FieldConflict {
  std::string_view storage_message;  ///< e.g. "organisation.kvk_taken"
  std::string_view field;
  std::string_view message;  ///< the field's message key
};

/// `error` as a field error when it is one of `conflicts`, so the form can show it in place.
core::Error onField(core::Error error, std::initializer_list<FieldConflict> conflicts) {
  for (const auto& conflict : conflicts)
    if (error.message == conflict.storage_message)
      return core::makeError(error.kind, "validation.failed",
                             {{std::string(conflict.field), std::string(conflict.message)}});
  return error;
}

template <class T>
core::Result<T> onField(core::Result<T> result, std::initializer_list<FieldConflict> conflicts) {
  if (result) return result;
  return onField(std::move(result).error(), conflicts);
}

const std::initializer_list<FieldConflict> kOrganisationConflicts = {
    {"organisation.kvk_taken", "kvk", "validation.kvk_taken"},
    {"organisation.oin_taken", "oin", "validation.oin_taken"},
};

/// Only the data a Servicedesk officer types for a person; access and flags are separate.
core::Person contactData(const core::Person& person) {
  core::Person result;
  result.id = person.id;
  result.given_name = person.given_name;
  result.surname = person.surname;
  result.email = person.email;
  result.phone = person.phone;
  return policy::normalised(std::move(result));
}

/// Parses PEM text or DER bytes.
core::Result<pki::Certificate> parseCertificate(std::string_view certificate) {
  if (certificate.find("-----BEGIN") != std::string_view::npos)
    return pki::Certificate::fromPem(certificate);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(certificate.data());
  return pki::Certificate::fromDer(std::span<const std::uint8_t>(bytes, certificate.size()));
}

/// The name of the person or organisation an audit id ("person:7") stands for; "" if none.
core::Result<std::string> nameOf(storage::RegistryRepository& registry,
                                 const std::string& audit_id) {
  const auto colon = audit_id.find(':');
  if (colon == std::string::npos) return std::string();
  const auto kind = std::string_view(audit_id).substr(0, colon);
  const auto digits = std::string_view(audit_id).substr(colon + 1);
  std::int64_t id = 0;
  const auto [end, problem] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (problem != std::errc() || end != digits.data() + digits.size()) return std::string();
  if (kind == "person") {
    auto found = registry.findPerson(id);
    if (!found) return found.error();
    return *found ? (*found)->displayName() : std::string();
  }
  if (kind == "organisation") {
    auto found = registry.findOrganisation(id);
    if (!found) return found.error();
    return *found ? (*found)->name : std::string();
  }
  return std::string();
}

}  // namespace

core::Result<core::OrganisationId> RegistryService::registerOrganisation(
    const core::Principal& actor, const core::Organisation& organisation) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  const auto value = policy::normalised(organisation);
  if (auto errors = policy::checkOrganisation(value); !errors.empty())
    return invalid(std::move(errors));
  return onField(registry_.createOrganisation(value, actorOf(actor)), kOrganisationConflicts);
}

core::Result<void> RegistryService::updateOrganisation(const core::Principal& actor,
                                                       const core::Organisation& organisation) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  const auto value = policy::normalised(organisation);
  if (auto errors = policy::checkOrganisation(value); !errors.empty())
    return invalid(std::move(errors));
  return onField(registry_.updateOrganisation(value, actorOf(actor)), kOrganisationConflicts);
}

core::Result<void> RegistryService::setPortalEnabled(const core::Principal& actor,
                                                     core::OrganisationId organisation,
                                                     bool enabled) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  return registry_.setPortalEnabled(organisation, enabled, actorOf(actor));
}

core::Result<void> RegistryService::addDomain(const core::Principal& actor,
                                              core::OrganisationId organisation,
                                              std::string_view domain, std::string_view method) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  const auto name = policy::canonicalDomainName(domain);
  // A form or client that does not say how: the Servicedesk's own check.
  if (method.empty()) method = policy::kDomainValidationMethods[0];
  auto errors = policy::checkDomain(name);
  for (auto& problem : policy::checkValidationMethod(method)) errors.push_back(std::move(problem));
  if (!errors.empty()) return invalid(std::move(errors));
  return onField(registry_.addValidatedDomain(organisation, name, actorOf(actor), method),
                 {{"domain.exists", "domain", "validation.domain_exists"}});
}

core::Result<std::vector<ExpiringValidation>> RegistryService::expiringValidations(
    const core::Principal& actor) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  auto found = registry_.expiringValidations(validity_, kExpiringWithin, kExpiringLimit);
  if (!found) return found.error();
  const core::TimePoint now = clock_.now();
  std::vector<ExpiringValidation> listed;
  for (auto& validation : *found) {
    const core::TimePoint expires_at = validation.validated_at + validity_;
    listed.push_back({std::move(validation), expires_at, expires_at <= now});
  }
  return listed;
}

core::Result<void> RegistryService::removeDomain(const core::Principal& actor,
                                                 core::OrganisationId organisation,
                                                 std::string_view domain) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  return registry_.removeValidatedDomain(organisation, policy::canonicalDomainName(domain),
                                         actorOf(actor));
}

core::Result<core::PersonId> RegistryService::registerPerson(const core::Principal& actor,
                                                             const core::Person& person,
                                                             std::optional<InitialRole> role) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  const auto value = contactData(person);
  if (auto errors = policy::checkPerson(value); !errors.empty()) return invalid(std::move(errors));
  if (role) {
    // Checked before the person is created: organisations are never deleted, so the role
    // below cannot fail for a missing organisation after this.
    auto found = registry_.findOrganisation(role->organisation);
    if (!found) return found.error();
    if (!*found) return kOrganisationNotFound;
  }
  auto id = registry_.createPerson(value, actorOf(actor));
  if (!id || !role) return id;
  if (auto added = registry_.addRole(*id, role->organisation, role->role, actorOf(actor)); !added)
    return added.error();
  return id;
}

core::Result<void> RegistryService::updatePerson(const core::Principal& actor,
                                                 const core::Person& person) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  auto value = contactData(person);
  if (auto errors = policy::checkPerson(value); !errors.empty()) return invalid(std::move(errors));
  // The form does not carry the profession; keep the recorded one.
  auto current = registry_.findPerson(person.id);
  if (!current) return current.error();
  if (!*current) return kPersonNotFound;
  value.profession = (*current)->profession;
  return registry_.updatePerson(value, actorOf(actor));
}

core::Result<void> RegistryService::addRole(const core::Principal& actor, core::PersonId person,
                                            std::string_view organisation_kvk, core::Role role) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  const auto kvk = policy::trimmed(organisation_kvk);
  if (kvk.empty()) return invalid({{"organisation_kvk", "validation.required"}});
  if (!policy::isKvkNumber(kvk)) return invalid({{"organisation_kvk", "validation.kvk"}});
  auto found = registry_.searchOrganisations(kvk, kSearchLimit);
  if (!found) return found.error();
  const auto organisation = std::find_if(found->begin(), found->end(),
                                         [&](const core::Organisation& o) { return o.kvk == kvk; });
  if (organisation == found->end())
    return invalid({{"organisation_kvk", "validation.organisation_unknown"}});
  return onField(registry_.addRole(person, organisation->id, role, actorOf(actor)),
                 {{"role.exists", "role", "validation.role_exists"}});
}

core::Result<void> RegistryService::removeRole(const core::Principal& actor, core::PersonId person,
                                               core::OrganisationId organisation, core::Role role) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  return registry_.removeRole(person, organisation, role, actorOf(actor));
}

core::Result<core::CertificateIdentity> RegistryService::registerCertificate(
    const core::Principal& actor, core::PersonId person, std::string_view certificate) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  if (policy::trimmed(certificate).empty())
    return invalid({{"certificate", "validation.certificate_missing"}});
  auto parsed = parseCertificate(certificate);
  if (!parsed) return invalid({{"certificate", "validation.certificate"}});
  const auto found = policy::identityOf(*parsed);
  if (!found) return invalid({{"certificate", "validation.certificate_serial_number"}});
  const auto& identity = *found;
  if (!policy::checkCertificateIdentity(identity).empty())
    return invalid({{"certificate", "validation.certificate"}});
  auto added =
      onField(registry_.addCertificateIdentity(person, identity, actorOf(actor)),
              {{"certificate_identity.taken", "certificate", "validation.identity_taken"}});
  if (!added) return added.error();
  return identity;
}

core::Result<void> RegistryService::addCertificateIdentity(
    const core::Principal& actor, core::PersonId person,
    const core::CertificateIdentity& identity) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  const auto value = policy::normalised(identity);
  if (auto errors = policy::checkCertificateIdentity(value); !errors.empty())
    return invalid(std::move(errors));
  return onField(registry_.addCertificateIdentity(person, value, actorOf(actor)),
                 {{"certificate_identity.taken", "subject_serial", "validation.identity_taken"}});
}

core::Result<void> RegistryService::removeCertificateIdentity(
    const core::Principal& actor, core::PersonId person,
    const core::CertificateIdentity& identity) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  return registry_.removeCertificateIdentity(person, identity, actorOf(actor));
}

core::Result<void> RegistryService::grantAccess(const core::Principal& actor,
                                                core::PersonId person) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  auto found = registry_.findPrincipal(person);
  if (!found) return found.error();
  if (!*found) return kPersonNotFound;
  if (!policy::mayHavePortalAccess(**found))
    return core::makeError(core::ErrorKind::conflict, "registry.access_without_role");
  auto granted = registry_.setPortalAccess(person, true, actorOf(actor));
  if (!granted) return granted.error();
  return {};
}

core::Result<int> RegistryService::withdrawAccess(const core::Principal& actor,
                                                  core::PersonId person) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  return registry_.setPortalAccess(person, false, actorOf(actor));
}

core::Result<std::vector<core::Organisation>> RegistryService::searchOrganisations(
    const core::Principal& actor, std::string_view text) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  return registry_.searchOrganisations(policy::trimmed(text), kSearchLimit);
}

core::Result<std::vector<core::Person>> RegistryService::searchPersons(const core::Principal& actor,
                                                                       std::string_view text) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  return registry_.searchPersons(policy::trimmed(text), kSearchLimit);
}

core::Result<OrganisationFile> RegistryService::organisation(const core::Principal& actor,
                                                             core::OrganisationId organisation) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  auto found = registry_.findOrganisation(organisation);
  if (!found) return found.error();
  if (!*found) return kOrganisationNotFound;
  auto members = registry_.organisationMembers(organisation);
  if (!members) return members.error();
  auto domains = registry_.validatedDomains(organisation);
  if (!domains) return domains.error();
  return OrganisationFile{std::move(**found), std::move(*members), std::move(*domains)};
}

core::Result<PersonFile> RegistryService::person(const core::Principal& actor,
                                                 core::PersonId person) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  auto found = registry_.findPrincipal(person);
  if (!found) return found.error();
  if (!*found) return kPersonNotFound;
  auto identities = registry_.certificateIdentities(person);
  if (!identities) return identities.error();
  return PersonFile{std::move((*found)->person), std::move((*found)->memberships),
                    std::move(*identities)};
}

core::Result<AuditPage> RegistryService::auditLog(const core::Principal& actor,
                                                  const AuditFilter& filter) {
  if (auto allowed = servicedeskOnly(actor); !allowed) return allowed.error();
  AuditPage page;
  if (filter.organisation) {
    auto found = registry_.findOrganisation(*filter.organisation);
    if (!found) return found.error();
    if (!*found) return kOrganisationNotFound;
    page.subject = (*found)->name;
  } else if (filter.person) {
    auto found = registry_.findPerson(*filter.person);
    if (!found) return found.error();
    if (!*found) return kPersonNotFound;
    page.subject = (*found)->displayName();
  }
  // One record more than a page tells whether there is a next page.
  auto records = audit_log_.find({.organisation = filter.organisation,
                                  .person = filter.person,
                                  .after_sequence = filter.after_sequence,
                                  .limit = kAuditPageSize + 1});
  if (!records) return records.error();
  if (records->size() > static_cast<std::size_t>(kAuditPageSize)) {
    records->resize(kAuditPageSize);
    page.next_after = records->back().sequence;
  }
  page.records = std::move(*records);
  for (const auto& record : page.records) {
    for (const auto* id : {&record.event.actor, &record.event.object, &record.event.context}) {
      if (id->empty() || page.names.contains(*id)) continue;
      auto name = nameOf(registry_, *id);
      if (!name) return name.error();
      if (!name->empty()) page.names.emplace(*id, std::move(*name));
    }
  }
  return page;
}

}  // namespace ra
