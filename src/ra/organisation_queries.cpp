#include "ra/organisation_queries.hpp"

namespace ra {

namespace {

const core::Error kOrganisationNotFound =
    core::makeError(core::ErrorKind::not_found, "organisation.not_found");
const core::Error kPersonNotFound = core::makeError(core::ErrorKind::not_found, "person.not_found");

// The list a member appears in, by role.
std::vector<core::Person>& listFor(OrganisationProfile& profile, core::Role role) {
  switch (role) {
    case core::Role::representative:
      return profile.representatives;
    case core::Role::contact:
      return profile.contacts;
    case core::Role::manager:
      return profile.managers;
  }
  return profile.contacts;
}

}  // namespace

core::Result<OrganisationProfile> OrganisationQueries::organisation(
    core::OrganisationId organisation) {
  auto found = registry_.findOrganisation(organisation);
  if (!found) return found.error();
  if (!*found) return kOrganisationNotFound;
  auto members = registry_.organisationMembers(organisation);
  if (!members) return members.error();
  auto domains = registry_.validatedDomains(organisation);
  if (!domains) return domains.error();

  OrganisationProfile profile{.organisation = std::move(**found),
                              .validated_domains = std::move(*domains)};
  // A certificate manager proposed in an order is not listed until the Servicedesk has
  // identified them and their first certificate is issued (PRODUCT.md §5); that is `active`.
  for (auto& member : *members)
    if (member.active) listFor(profile, member.role).push_back(std::move(member.person));
  return profile;
}

core::Result<ProfessionalProfile> OrganisationQueries::professional(core::PersonId person) {
  auto found = registry_.findPerson(person);
  if (!found) return found.error();
  if (!*found || !(*found)->professional) return kPersonNotFound;
  auto details = registry_.professionalDetails(person);
  if (!details) return details.error();
  return ProfessionalProfile{.person = std::move(**found), .details = std::move(*details)};
}

}  // namespace ra
