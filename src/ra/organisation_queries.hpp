#pragma once
// Read-side use cases of the customer pages (PRODUCT.md §5 "Inzage", §6): what an organisation's
// representatives and contacts, the Servicedesk, and a professional holder see of registered
// data, certificates and cards. These only read.

#include "core/error.hpp"
#include "core/registry.hpp"
#include "ra/card_orders.hpp"
#include "storage/certificate_inventory.hpp"
#include "storage/registry_repository.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ra {

/// An organisation as its customer pages show it.
struct OrganisationProfile {
  core::Organisation organisation;
  std::vector<core::Person> representatives;   ///< Bevoegd Vertegenwoordigers
  std::vector<core::Person> contacts;          ///< Contactpersonen
  std::vector<core::Person> managers;          ///< Certificaatbeheerders, identified ones only
  std::vector<std::string> validated_domains;  ///< sorted
  bool may_order = false;                      ///< the reader may order for it
};

/// What a professional holder sees of their own registration.
struct ProfessionalProfile {
  core::Person person;
  std::optional<core::ProfessionalDetails> details;  ///< nullopt: nothing recorded yet
};

/// An organisation as the overview pages head it, with whether the reader may order for it.
struct OrganisationAccess {
  core::Organisation organisation;
  bool may_order = false;  ///< policy order_for_organisation
};

/// A page of an organisation's server certificates.
struct CertificateOverview {
  OrganisationAccess owner;
  storage::CertificatePage page;
};

/// One server certificate, with whether the reader may renew it.
struct CertificateView {
  core::IssuedCertificate certificate;
  bool may_renew = false;
};

/// A card with what the reader may order for it.
struct CardEntry {
  core::Card card;
  CardPermissions may;
};

/// The cards of an organisation.
struct CardOverview {
  OrganisationAccess owner;
  std::vector<CardEntry> cards;
};

/// One card with its certificates.
struct CardView {
  CardEntry entry;
  std::vector<core::IssuedCertificate> certificates;
};

/// What the customer pages and their JSON twins read. Each query takes the reader and decides
/// with policy::permit what they may see (not_found for anything else, before it is shown).
class OrganisationQueries {
 public:
  OrganisationQueries(storage::RegistryRepository& registry,
                      storage::CertificateInventory& inventory, const core::Clock& clock,
                      CardOrderSettings card_settings)
      : registry_(registry), inventory_(inventory), clock_(clock), card_settings_(card_settings) {}

  /// An organisation with its listed members by role (surname order) and its validated domains.
  core::Result<OrganisationProfile> organisation(const core::Principal& reader,
                                                 core::OrganisationId organisation);
  /// An organisation the reader may see, for the head of its pages.
  core::Result<OrganisationAccess> owner(const core::Principal& reader,
                                         core::OrganisationId organisation);
  /// An organisation the reader may order for (policy order_for_organisation), with its members
  /// (the order forms offer its certificate managers).
  core::Result<OrganisationProfile> orderingFor(const core::Principal& reader,
                                                core::OrganisationId organisation);
  /// A page of the server certificates of query.organisation.
  core::Result<CertificateOverview> certificates(const core::Principal& reader,
                                                 const storage::CertificateQuery& query);
  /// One server certificate.
  core::Result<CertificateView> certificate(const core::Principal& reader,
                                            core::CertificateId certificate);
  /// The cards of an organisation.
  core::Result<CardOverview> cards(const core::Principal& reader,
                                   core::OrganisationId organisation);
  /// A card of an organisation the reader may see, or their own.
  core::Result<CardView> card(const core::Principal& reader, core::CardId card);
  /// A professional holder's own cards (policy view_own_certificates).
  core::Result<std::vector<CardEntry>> ownCards(const core::Principal& reader);
  /// A professional holder's person data and application data.
  core::Result<ProfessionalProfile> professional(const core::Principal& reader);

 private:
  CardEntry entryOf(const core::Principal& reader, core::Card card) const;

  storage::RegistryRepository& registry_;
  storage::CertificateInventory& inventory_;
  const core::Clock& clock_;
  CardOrderSettings card_settings_;
};

}  // namespace ra
