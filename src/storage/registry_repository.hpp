#pragma once
// Organisations, persons, roles and certificate identities (PRODUCT.md §2). Every change is
// written in one transaction together with its audit record.

#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace storage {

/// Reads and changes the registry.
class RegistryRepository {
 public:
  RegistryRepository(Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  /// Creates an organisation (id in the argument is ignored); returns its id.
  core::Result<core::OrganisationId> createOrganisation(const core::Organisation& organisation,
                                                        const audit::Actor& actor);
  /// Creates a person (id ignored); returns the id.
  core::Result<core::PersonId> createPerson(const core::Person& person, const audit::Actor& actor);
  /// Gives a person a role in an organisation (idempotent: an existing role is a conflict).
  core::Result<void> addRole(core::PersonId person, core::OrganisationId organisation,
                             core::Role role, const audit::Actor& actor);
  /// Ties a certificate identity to a person; the identity must not belong to anyone yet.
  core::Result<void> addCertificateIdentity(core::PersonId person,
                                            const core::CertificateIdentity& identity,
                                            const audit::Actor& actor);
  /// Records a validated domain (lower-case DNS name) of an organisation.
  core::Result<void> addValidatedDomain(core::OrganisationId organisation,
                                        const std::string& domain, const audit::Actor& actor);

  /// The person a certificate identity belongs to, with memberships; nullopt if unknown.
  core::Result<std::optional<core::Principal>> findPrincipalByCertificate(
      const core::CertificateIdentity& identity);
  /// A person with memberships by id; nullopt if unknown.
  core::Result<std::optional<core::Principal>> findPrincipal(core::PersonId person);
  /// One organisation; nullopt if unknown.
  core::Result<std::optional<core::Organisation>> findOrganisation(core::OrganisationId id);
  /// Validated domains of an organisation, sorted.
  core::Result<std::vector<std::string>> validatedDomains(core::OrganisationId organisation);

 private:
  Database& database_;
  const core::Clock& clock_;
};

}  // namespace storage
