#pragma once
// Domain types of the registry: organisations (subscribers), persons, their roles and the
// certificate identities they log in with (PRODUCT.md §2, §3).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

using OrganisationId = std::int64_t;
using PersonId = std::int64_t;

/// A person's role within one subscriber organisation.
enum class Role {
  representative,  ///< Bevoegd Vertegenwoordiger (BV)
  contact,         ///< Contactpersoon (CP)
  manager,         ///< Certificaatbeheerder (CB): no portal access
};

/// API name of a role: "representative", "contact", "manager".
std::string_view toString(Role role);
/// Inverse of toString(Role); nullopt for an unknown name.
std::optional<Role> parseRole(std::string_view name);

/// A postal or visiting address.
struct Address {
  std::string street;       ///< street and house number
  std::string postal_code;  ///< e.g. "1234 AB"
  std::string city;
  std::string country = "NL";
};

/// Where and how invoices are sent (Facturatiegegevens).
struct BillingDetails {
  Address address;
  std::string attention_of;
  std::string email;
  std::string purchase_order_reference;
  std::string vat_number;
};

/// A subscriber organisation (Abonnee).
struct Organisation {
  OrganisationId id = 0;
  std::string name;
  std::string kvk;  ///< Kamer van Koophandel number, 8 digits
  std::string oin;  ///< Organisatie-identificatienummer, 20 digits
  Address visiting_address;
  Address postal_address;
  BillingDetails billing;
  bool portal_enabled = false;  ///< registered for MijnCertificaten
};

/// A natural person known to the TSP.
struct Person {
  PersonId id = 0;
  std::string given_name;
  std::string surname;
  std::string email;
  std::string phone;
  bool portal_access = false;  ///< granted by the Servicedesk (BV/CP only)
  bool servicedesk = false;    ///< TSP staff (Servicedesk medewerker)
  bool professional = false;   ///< profession-bound certificate holder
  std::string profession;      ///< e.g. "Notaris" for professional holders

  /// "Given Surname", as shown in the UI.
  std::string displayName() const;
};

/// How a certificate is tied to a person: issuer DN + subject serialNumber, which stays the same
/// when a card is renewed (PRODUCT.md §3); never the certificate serial.
struct CertificateIdentity {
  std::string issuer_dn;       ///< RFC 2253 form of the issuing CA's subject
  std::string subject_serial;  ///< the subject's serialNumber attribute
  bool operator==(const CertificateIdentity&) const = default;
};

/// One role of a person in one organisation.
struct Membership {
  OrganisationId organisation_id = 0;
  std::string organisation_name;
  bool organisation_portal_enabled = false;
  Role role = Role::contact;
};

/// A person's role in one organisation, for the lists of BV, CP and CB.
struct OrganisationMember {
  Person person;
  Role role = Role::contact;
  /// False for a certificate manager proposed in an order: listed only once the Servicedesk has
  /// identified them and their first certificate is issued (PRODUCT.md §5).
  bool active = true;
};

/// What was recorded at a professional holder's card application (PRODUCT.md §6).
struct ProfessionalDetails {
  PersonId person = 0;
  std::string registration_number;  ///< e.g. the KNB number of a notary
  Address address;                  ///< contact address
  BillingDetails billing;
};

/// The logged-in person with everything authorisation decisions need.
struct Principal {
  Person person;
  std::vector<Membership> memberships;

  /// True if the person may use the customer portal for this organisation (BV/CP with access,
  /// organisation registered for MijnCertificaten).
  bool mayActFor(OrganisationId organisation) const;
  /// Organisations this person may use the customer portal for, in name order, without repeats.
  std::vector<Membership> portalOrganisations() const;
  /// True if this person may use any part of the portal (customer, professional or Servicedesk).
  bool hasPortalAccess() const;
};

}  // namespace core
