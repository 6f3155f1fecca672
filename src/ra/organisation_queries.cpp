#include "ra/organisation_queries.hpp"

#include "policy/access_rules.hpp"

namespace ra {

namespace {

const core::Error kOrganisationNotFound =
    core::makeError(core::ErrorKind::not_found, "organisation.not_found");
const core::Error kPersonNotFound = core::makeError(core::ErrorKind::not_found, "person.not_found");
const core::Error kNotFound = core::makeError(core::ErrorKind::not_found, "error.not_found");

core::Result<void> mayView(const core::Principal& reader,
                           std::optional<core::OrganisationId> organisation) {
  if (!organisation) return kNotFound;
  return policy::permit(reader, policy::Action::view_organisation, {.organisation = organisation});
}

bool mayOrder(const core::Principal& reader, core::OrganisationId organisation) {
  return policy::permits(reader, policy::Action::order_for_organisation,
                         {.organisation = organisation});
}

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
    const core::Principal& reader, core::OrganisationId organisation) {
  auto owner = this->owner(reader, organisation);
  if (!owner) return owner.error();
  auto members = registry_.organisationMembers(organisation);
  if (!members) return members.error();
  auto domains = registry_.validatedDomains(organisation);
  if (!domains) return domains.error();

  OrganisationProfile profile{.organisation = std::move(owner->organisation),
                              .validated_domains = std::move(*domains),
                              .may_order = owner->may_order};
  // A certificate manager proposed in an order is not listed until the Servicedesk has
  // identified them and their first certificate is issued (PRODUCT.md §5); that is `active`.
  for (auto& member : *members)
    if (member.active) listFor(profile, member.role).push_back(std::move(member.person));
  return profile;
}

core::Result<OrganisationAccess> OrganisationQueries::owner(const core::Principal& reader,
                                                            core::OrganisationId organisation) {
  // Refused before anything is read, so another organisation's id reveals nothing.
  if (auto allowed = mayView(reader, organisation); !allowed) return allowed.error();
  auto found = registry_.findOrganisation(organisation);
  if (!found) return found.error();
  if (!*found) return kNotFound;
  return OrganisationAccess{std::move(**found), mayOrder(reader, organisation)};
}

core::Result<OrganisationProfile> OrganisationQueries::orderingFor(
    const core::Principal& reader, core::OrganisationId organisation) {
  if (auto allowed = policy::permit(reader, policy::Action::order_for_organisation,
                                    {.organisation = organisation});
      !allowed)
    return allowed.error();
  return this->organisation(reader, organisation);
}

core::Result<CertificateOverview> OrganisationQueries::certificates(
    const core::Principal& reader, const storage::CertificateQuery& query) {
  auto owner = this->owner(reader, query.organisation);
  if (!owner) return owner.error();
  auto page = inventory_.search(query);
  if (!page) return page.error();
  return CertificateOverview{std::move(*owner), std::move(*page)};
}

core::Result<CertificateView> OrganisationQueries::certificate(const core::Principal& reader,
                                                               core::CertificateId id) {
  auto found = inventory_.find(id);
  if (!found) return found.error();
  if (!*found || (*found)->kind != core::CertificateKind::server) return kNotFound;
  if (auto allowed = mayView(reader, (*found)->organisation); !allowed) return allowed.error();
  const bool may_renew = !(*found)->revoked_at && mayOrder(reader, *(*found)->organisation);
  return CertificateView{std::move(**found), may_renew};
}

CardEntry OrganisationQueries::entryOf(const core::Principal& reader, core::Card card) const {
  const CardPermissions may = cardPermissions(reader, card, clock_.now(), card_settings_);
  return CardEntry{std::move(card), may};
}

core::Result<CardOverview> OrganisationQueries::cards(const core::Principal& reader,
                                                      core::OrganisationId organisation) {
  auto owner = this->owner(reader, organisation);
  if (!owner) return owner.error();
  auto cards = inventory_.cardsOfOrganisation(organisation);
  if (!cards) return cards.error();
  CardOverview overview{std::move(*owner), {}};
  for (auto& card : *cards) overview.cards.push_back(entryOf(reader, std::move(card)));
  return overview;
}

core::Result<CardView> OrganisationQueries::card(const core::Principal& reader, core::CardId id) {
  auto found = inventory_.findCard(id);
  if (!found) return found.error();
  if (!*found) return kNotFound;
  const policy::Subject subject{.organisation = (*found)->organisation, .owner = (*found)->holder};
  // A holder sees their own card, also one of an organisation they do not act for.
  if (!policy::sees(reader, subject) && !policy::sees(reader, {.owner = (*found)->holder}))
    return kNotFound;
  auto certificates = inventory_.certificatesOfCard(id);
  if (!certificates) return certificates.error();
  return CardView{entryOf(reader, std::move(**found)), std::move(*certificates)};
}

core::Result<std::vector<CardEntry>> OrganisationQueries::ownCards(const core::Principal& reader) {
  if (auto allowed = policy::permit(reader, policy::Action::view_own_certificates); !allowed)
    return allowed.error();
  auto cards = inventory_.cardsOfHolder(reader.person.id);
  if (!cards) return cards.error();
  std::vector<CardEntry> entries;
  for (auto& card : *cards) entries.push_back(entryOf(reader, std::move(card)));
  return entries;
}

core::Result<ProfessionalProfile> OrganisationQueries::professional(const core::Principal& reader) {
  if (auto allowed = policy::permit(reader, policy::Action::view_own_certificates); !allowed)
    return allowed.error();
  const core::PersonId person = reader.person.id;
  auto found = registry_.findPerson(person);
  if (!found) return found.error();
  if (!*found || !(*found)->professional) return kPersonNotFound;
  auto details = registry_.professionalDetails(person);
  if (!details) return details.error();
  return ProfessionalProfile{.person = std::move(**found), .details = std::move(*details)};
}

}  // namespace ra
