#pragma once
// Read-side use cases of the customer pages (PRODUCT.md §5 "Inzage", §6): what an organisation's
// representatives and contacts, and a professional holder, see of their registered data. The
// caller has asked auth::authorize first; these only read.

#include "core/error.hpp"
#include "core/registry.hpp"
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
};

/// What a professional holder sees of their own registration.
struct ProfessionalProfile {
  core::Person person;
  std::optional<core::ProfessionalDetails> details;  ///< nullopt: nothing recorded yet
};

/// Reads the registry for the customer pages.
class OrganisationQueries {
 public:
  /// Queries over the given registry.
  explicit OrganisationQueries(storage::RegistryRepository& registry) : registry_(registry) {}

  /// An organisation with its listed members by role (surname order) and its validated domains;
  /// not_found for an unknown id.
  core::Result<OrganisationProfile> organisation(core::OrganisationId organisation);
  /// A professional holder's person data and application data; not_found if the person is
  /// unknown or not a professional holder.
  core::Result<ProfessionalProfile> professional(core::PersonId person);

 private:
  storage::RegistryRepository& registry_;
};

}  // namespace ra
