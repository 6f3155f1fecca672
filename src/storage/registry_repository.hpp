#pragma once
// Organisations, persons, roles and certificate identities (PRODUCT.md §2). Every change is
// written in one transaction together with its audit record.

#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace storage {

/// A validated domain with how, by whom and when it was validated (ADR 0025). It expires the
/// configured period after validated_at.
struct DomainValidation {
  core::OrganisationId organisation = 0;
  std::string organisation_name;
  std::string domain;
  std::string method;        ///< "servicedesk", "dns", "email"; "unknown" from before it was kept
  std::string validated_by;  ///< the person's name; "" when not known
  core::TimePoint validated_at;
};

/// Reads and changes the registry.
class RegistryRepository {
 public:
  RegistryRepository(Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  /// Write transactions this process has committed so far (Database::writeCount): what was read
  /// from the registry before may have changed when this has moved on.
  std::uint64_t localWrites() const { return database_.writeCount(); }

  /// Creates an organisation (id in the argument is ignored); returns its id.
  core::Result<core::OrganisationId> createOrganisation(const core::Organisation& organisation,
                                                        const audit::Actor& actor);
  /// Creates a person (id ignored); returns the id.
  core::Result<core::PersonId> createPerson(const core::Person& person, const audit::Actor& actor);
  /// Gives a person a role in an organisation (an existing role is a conflict). An inactive role
  /// (a proposed certificate manager) is not listed until activated.
  core::Result<void> addRole(core::PersonId person, core::OrganisationId organisation,
                             core::Role role, const audit::Actor& actor, bool active = true);
  /// Activates an inactive role ("role.activate"): a proposed certificate manager becomes
  /// listed. Nothing changes (and nothing is recorded) for a role that is already active;
  /// not_found if the person does not have the role.
  core::Result<void> activateRole(core::PersonId person, core::OrganisationId organisation,
                                  core::Role role, const audit::Actor& actor);
  /// Removes a role; not_found if the person does not have it.
  core::Result<void> removeRole(core::PersonId person, core::OrganisationId organisation,
                                core::Role role, const audit::Actor& actor);
  /// Ties a certificate identity to a person; the identity must not belong to anyone yet.
  core::Result<void> addCertificateIdentity(core::PersonId person,
                                            const core::CertificateIdentity& identity,
                                            const audit::Actor& actor);
  /// Records a validated domain (lower-case DNS name) of an organisation, validated now by
  /// `actor` with `method` ("domain.add"). A domain already there is validated afresh: its
  /// method, validator and time are replaced ("domain.revalidate").
  core::Result<void> addValidatedDomain(core::OrganisationId organisation,
                                        const std::string& domain, const audit::Actor& actor,
                                        std::string_view method = "servicedesk");

  /// Changes an organisation's data (not its id or portal_enabled); audits the changed fields
  /// with before and after values; not_found for an unknown id, conflict for a taken KvK/OIN.
  core::Result<void> updateOrganisation(const core::Organisation& organisation,
                                        const audit::Actor& actor);
  /// Registers (or unregisters) an organisation for MijnCertificaten.
  core::Result<void> setPortalEnabled(core::OrganisationId organisation, bool enabled,
                                      const audit::Actor& actor);
  /// Changes a person's name, e-mail, phone and profession (not access or flags); audits the
  /// changed fields; not_found for an unknown id.
  core::Result<void> updatePerson(const core::Person& person, const audit::Actor& actor);
  /// Grants or withdraws portal access. Withdrawing deletes the person's sessions in the same
  /// transaction, so it takes effect at once; returns the number of sessions ended.
  core::Result<int> setPortalAccess(core::PersonId person, bool granted, const audit::Actor& actor);
  /// Unties a certificate identity from a person; not_found if it is not theirs.
  core::Result<void> removeCertificateIdentity(core::PersonId person,
                                               const core::CertificateIdentity& identity,
                                               const audit::Actor& actor);
  /// Removes a validated domain; not_found if it is not there.
  core::Result<void> removeValidatedDomain(core::OrganisationId organisation,
                                           const std::string& domain, const audit::Actor& actor);
  /// Records or replaces a professional holder's application data.
  core::Result<void> saveProfessionalDetails(const core::ProfessionalDetails& details,
                                             const audit::Actor& actor);

  /// Organisations whose name contains `text` (case-insensitive), or whose KvK or OIN equals it;
  /// all organisations for an empty text. Ordered by name, at most `limit`.
  core::Result<std::vector<core::Organisation>> searchOrganisations(const std::string& text,
                                                                    int limit);
  /// Persons whose name or e-mail contains `text` (case-insensitive); ordered by surname.
  core::Result<std::vector<core::Person>> searchPersons(const std::string& text, int limit);
  /// One person without memberships; nullopt if unknown.
  core::Result<std::optional<core::Person>> findPerson(core::PersonId person);
  /// Everyone with a role in an organisation (active and inactive), by role, then surname.
  core::Result<std::vector<core::OrganisationMember>> organisationMembers(
      core::OrganisationId organisation);
  /// The certificate identities of a person, oldest first.
  core::Result<std::vector<core::CertificateIdentity>> certificateIdentities(core::PersonId person);
  /// A professional holder's application data; nullopt if none recorded.
  core::Result<std::optional<core::ProfessionalDetails>> professionalDetails(core::PersonId person);

  /// The person a certificate identity belongs to, with memberships; nullopt if unknown.
  core::Result<std::optional<core::Principal>> findPrincipalByCertificate(
      const core::CertificateIdentity& identity);
  /// A person with memberships by id; nullopt if unknown.
  core::Result<std::optional<core::Principal>> findPrincipal(core::PersonId person);
  /// One organisation; nullopt if unknown.
  core::Result<std::optional<core::Organisation>> findOrganisation(core::OrganisationId id);
  /// Validated domains of an organisation, sorted.
  core::Result<std::vector<std::string>> validatedDomains(core::OrganisationId organisation);
  /// Validated domains of an organisation validated less than `validity` ago, sorted.
  core::Result<std::vector<std::string>> currentValidatedDomains(core::OrganisationId organisation,
                                                                 std::chrono::days validity);
  /// Validations that expire (validated_at + `validity`) within `within` from now or have
  /// expired, the first to expire first, at most `limit`.
  core::Result<std::vector<DomainValidation>> expiringValidations(std::chrono::days validity,
                                                                  std::chrono::days within,
                                                                  int limit);

 private:
  Database& database_;
  const core::Clock& clock_;
};

}  // namespace storage
