#pragma once
// Card production (ADR 0007, PRODUCT.md §5 "Passen", §7): after approval a card order goes to a
// card bureau, which personalises the card (its key pairs are made on it and never leave it), has
// the CA issue the card's certificate set per product, and ships it. CardProduction is the
// interface a real bureau integration implements (docs/card-production.md); DemoCardBureau is the
// built-in stand-in for the demo, which hands the Servicedesk a PKCS#12 "soft card" instead.

#include "audit/audit_record.hpp"
#include "ca/certificate_authority.hpp"
#include "core/error.hpp"
#include "core/order.hpp"
#include "storage/card_production.hpp"
#include "storage/certificate_store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ra {

/// Everything a bureau needs to make the card of an approved order.
struct CardSpecification {
  core::OrderId order = 0;
  core::CardType type = core::CardType::personal;
  std::string product;  ///< product family: "personal", "group", "professional", "mobile"
  std::optional<core::OrganisationId> organisation;
  std::string organisation_name;  ///< O
  std::string organisation_kvk;   ///< organizationIdentifier NTRNL-<KvK>
  std::optional<core::PersonId> holder;
  std::string given_name;     ///< GN
  std::string surname;        ///< SN
  std::string serial_number;  ///< subject serialNumber: the holder's PKIoverheid number
  std::string title;          ///< title (job title or profession), if any
  std::string group_name;     ///< group cards: CN
  std::string email;          ///< rfc822Name where the product allows it
  std::optional<core::PersonId> manager;
  std::optional<core::PersonId> requested_by;
  core::TimePoint not_after;  ///< the end the customer signed
};

/// The subject of a card's certificates, per product family (ca/product_profile.cpp): C, O,
/// and for a group organizationIdentifier and CN = group name; for a person title, GN, SN,
/// serialNumber and CN = "given names surname".
std::vector<pki::SubjectAttribute> cardSubject(const CardSpecification& card);

/// The card a bureau made.
struct ProducedCard {
  core::CardId card = 0;
  std::vector<core::CertificateId> certificates;  ///< authentication, signature, encryption
};

/// A card bureau.
class CardProduction {
 public:
  virtual ~CardProduction() = default;
  /// Makes the card of an approved order: at most one card per order (a second call for the
  /// same order is a conflict, "card.order_produced").
  virtual core::Result<ProducedCard> produce(const CardSpecification& card,
                                             const audit::Actor& actor) = 0;
};

/// The demo bureau: makes the key pairs itself, has the CA issue every certificate of the
/// product family, and keeps the authentication key and certificate as a PKCS#12 soft card
/// (password kSoftCardPassword) for the Servicedesk to hand out.
class DemoCardBureau final : public CardProduction {
 public:
  /// Password of the demo soft cards, like the demo users' files (README.md).
  static constexpr char kSoftCardPassword[] = "demo";

  DemoCardBureau(ca::CertificateAuthority& authority, storage::CertificateStore& store,
                 storage::SoftCardRepository& soft_cards)
      : authority_(authority), store_(store), soft_cards_(soft_cards) {}

  core::Result<ProducedCard> produce(const CardSpecification& card,
                                     const audit::Actor& actor) override;

 private:
  ca::CertificateAuthority& authority_;
  storage::CertificateStore& store_;
  storage::SoftCardRepository& soft_cards_;
};

}  // namespace ra
