#pragma once
// The Servicedesk's use cases on the registry (PRODUCT.md §7): registering organisations and
// persons, their roles, certificate identities, validated domains and portal access, and reading
// the audit log. Every change is validated by policy first (nothing is stored when any field is
// wrong) and written by storage in one transaction with its audit record, done by `actor`.
// Every use case is the Servicedesk's alone (policy work_in_servicedesk).

#include "audit/audit_record.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "policy/registry_rules.hpp"
#include "storage/audit_repository.hpp"
#include "storage/registry_repository.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ra {

/// A new person's first role, e.g. when registered from an organisation's page.
struct InitialRole {
  core::OrganisationId organisation = 0;
  core::Role role = core::Role::contact;
};

/// An organisation as the Servicedesk sees it.
struct OrganisationFile {
  core::Organisation organisation;
  std::vector<core::OrganisationMember> members;  ///< every role, also inactive ones
  std::vector<std::string> domains;               ///< validated domains, sorted
};

/// A person as the Servicedesk sees it.
struct PersonFile {
  core::Person person;
  std::vector<core::Membership> memberships;          ///< roles, by organisation name
  std::vector<core::CertificateIdentity> identities;  ///< oldest first
};

/// Which part of the audit log to read.
struct AuditFilter {
  std::optional<core::OrganisationId> organisation;  ///< everything about this organisation
  std::optional<core::PersonId> person;              ///< everything about or by this person
  std::int64_t after_sequence = 0;                   ///< paging: continue after this record
};

/// One page of the audit log.
struct AuditPage {
  std::vector<audit::Record> records;  ///< in sequence order
  /// Display names of the persons and organisations the records mention, by audit id
  /// ("person:7" → "Sanne Jansen"); ids of deleted or unknown objects are absent.
  std::map<std::string, std::string> names;
  std::optional<std::int64_t> next_after;  ///< set when there are more records
  std::string subject;  ///< name of the filtered organisation or person; "" without a filter
};

/// A domain validation that expires soon or has expired (ADR 0025).
struct ExpiringValidation {
  storage::DomainValidation validation;
  core::TimePoint expires_at;  ///< validated_at plus the configured period
  bool expired = false;
};

/// The Servicedesk's registry use cases; each refuses anyone but a Servicedesk officer
/// (policy work_in_servicedesk, forbidden).
class RegistryService {
 public:
  /// Records read per audit log page.
  static constexpr int kAuditPageSize = 50;
  /// Most results a search returns.
  static constexpr int kSearchLimit = 100;

  /// Days ahead the list of expiring validations looks.
  static constexpr std::chrono::days kExpiringWithin{30};
  /// Most validations the list of expiring validations shows.
  static constexpr int kExpiringLimit = 1000;

  /// Use cases over the given repositories; a domain validation expires
  /// `domain_validation_validity` after it was made (ADR 0025).
  RegistryService(storage::RegistryRepository& registry, storage::AuditRepository& audit_log,
                  const core::Clock& clock,
                  std::chrono::days domain_validation_validity =
                      std::chrono::days{policy::kMaxDomainValidationDays})
      : registry_(registry),
        audit_log_(audit_log),
        clock_(clock),
        validity_(domain_validation_validity) {}

  /// Registers a new organisation (not yet enabled for MijnCertificaten unless `portal_enabled`).
  core::Result<core::OrganisationId> registerOrganisation(const core::Principal& actor,
                                                          const core::Organisation& organisation);
  /// Changes an organisation's data (identified by organisation.id; portal_enabled is ignored).
  core::Result<void> updateOrganisation(const core::Principal& actor,
                                        const core::Organisation& organisation);
  /// Enables or disables MijnCertificaten for an organisation.
  core::Result<void> setPortalEnabled(const core::Principal& actor,
                                      core::OrganisationId organisation, bool enabled);
  /// Records a validated domain (field "domain"; stored lower-case), validated now by the actor
  /// with `method` (field "method", one of policy::kDomainValidationMethods; "" for the first).
  /// A domain already
  /// there is validated afresh (ADR 0025).
  core::Result<void> addDomain(const core::Principal& actor, core::OrganisationId organisation,
                               std::string_view domain,
                               std::string_view method = policy::kDomainValidationMethods[0]);
  /// Validations that expire within kExpiringWithin or have expired, the first to expire first.
  core::Result<std::vector<ExpiringValidation>> expiringValidations(const core::Principal& actor);
  /// Removes a validated domain; not_found if the organisation does not have it.
  core::Result<void> removeDomain(const core::Principal& actor, core::OrganisationId organisation,
                                  std::string_view domain);

  /// Registers a person (name and contact data only: no access, no flags), with a first role if
  /// given; not_found if that role's organisation does not exist (and then nothing is stored).
  core::Result<core::PersonId> registerPerson(const core::Principal& actor,
                                              const core::Person& person,
                                              std::optional<InitialRole> role = std::nullopt);
  /// Changes a person's name, e-mail and phone (identified by person.id); access, flags and
  /// profession stay as they are.
  core::Result<void> updatePerson(const core::Principal& actor, const core::Person& person);
  /// Gives a person a role in the organisation with this KvK number (fields "organisation_kvk",
  /// "role").
  core::Result<void> addRole(const core::Principal& actor, core::PersonId person,
                             std::string_view organisation_kvk, core::Role role);
  /// Takes a role away; not_found if the person does not have it.
  core::Result<void> removeRole(const core::Principal& actor, core::PersonId person,
                                core::OrganisationId organisation, core::Role role);
  /// Ties the identity of a certificate (PEM text or DER bytes: issuer DN + subject
  /// serialNumber) to a person (field "certificate"); returns that identity.
  core::Result<core::CertificateIdentity> registerCertificate(const core::Principal& actor,
                                                              core::PersonId person,
                                                              std::string_view certificate);
  /// Ties a typed identity to a person (fields "issuer_dn", "subject_serial").
  core::Result<void> addCertificateIdentity(const core::Principal& actor, core::PersonId person,
                                            const core::CertificateIdentity& identity);
  /// Unties an identity from a person; not_found if it is not theirs.
  core::Result<void> removeCertificateIdentity(const core::Principal& actor, core::PersonId person,
                                               const core::CertificateIdentity& identity);
  /// Grants portal access; conflict "registry.access_without_role" for a person who may not have
  /// it (e.g. only a certificate manager).
  core::Result<void> grantAccess(const core::Principal& actor, core::PersonId person);
  /// Withdraws portal access and ends the person's sessions at once; returns how many ended.
  core::Result<int> withdrawAccess(const core::Principal& actor, core::PersonId person);

  /// Organisations by part of the name, or by exact KvK number or OIN; all for "".
  core::Result<std::vector<core::Organisation>> searchOrganisations(const core::Principal& actor,
                                                                    std::string_view text);
  /// Persons by part of the name or e-mail address; all for "".
  core::Result<std::vector<core::Person>> searchPersons(const core::Principal& actor,
                                                        std::string_view text);
  /// An organisation with its members and domains; not_found for an unknown id.
  core::Result<OrganisationFile> organisation(const core::Principal& actor,
                                              core::OrganisationId organisation);
  /// A person with roles and certificate identities; not_found for an unknown id.
  core::Result<PersonFile> person(const core::Principal& actor, core::PersonId person);
  /// One page of the audit log; not_found when filtering on an unknown organisation or person.
  core::Result<AuditPage> auditLog(const core::Principal& actor, const AuditFilter& filter);

 private:
  storage::RegistryRepository& registry_;
  storage::AuditRepository& audit_log_;
  const core::Clock& clock_;
  std::chrono::days validity_;
};

}  // namespace ra
