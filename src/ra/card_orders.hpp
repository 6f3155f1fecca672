#pragma once
// Ordering cards (ADR 0007, PRODUCT.md §5 "Passen", §6): new Personal and Group certificates for
// an organisation, renewals of cards about to expire, a professional holder's own renewal and
// mobile certificate; and after approval the card's production (in production → shipped →
// activated → issued) or, for a mobile certificate, its activation code. Signing, the state
// machine, the queue and the audit are those of every order (OrderService).

#include "ca/certificate_authority.hpp"
#include "core/error.hpp"
#include "core/order.hpp"
#include "core/random.hpp"
#include "core/registry.hpp"
#include "ra/card_production.hpp"
#include "ra/order_service.hpp"
#include "storage/card_production.hpp"
#include "storage/certificate_inventory.hpp"
#include "storage/order_repository.hpp"
#include "storage/registry_repository.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ra {

/// The stored form of an activation code: SHA-256 (hex) of the code as typed, upper case
/// without dashes or spaces.
std::string activationCodeHash(std::string_view code);

/// Settings of card ordering (config `[orders]`).
struct CardOrderSettings {
  /// A Personal or Group card may be renewed this long before it ends (or after).
  std::chrono::days renewal_window{90};
  /// How long a mobile certificate's activation code can be used.
  std::chrono::hours activation_code_validity{14 * 24};
};

/// What a customer filled in to order a card. For card-new: organisation and card_type
/// (personal or group) and the details; for card-renew and mobile-add: the card, and the details
/// as edited (see renewalDetails for what is carried over).
struct CardOrderForm {
  core::OrderType type = core::OrderType::card_new;
  std::optional<core::OrganisationId> organisation;  ///< card-new
  core::CardType card_type = core::CardType::personal;
  std::optional<core::CardId> card;  ///< card-renew, mobile-add
  core::CardOrderDetails details;    ///< fields of the form (card_type/based_on/holder ignored)
  std::optional<core::PersonId> manager;     ///< group cards: linked certificate manager
  core::CertificateIdentity login_identity;  ///< the certificate the actor logged in with
};

/// A mobile certificate made at enrolment.
struct EnrolledMobileCertificate {
  core::OrderId order = 0;
  core::CardId card = 0;
  std::string certificate_pem;
  std::string chain_pem;  ///< the issuing CA
};

/// What a card order's page shows beyond the order itself.
struct CardOrderDetails {
  std::vector<core::OrderStep> steps;                      ///< when each status was reached
  std::optional<storage::ActivationCode> activation_code;  ///< mobile orders, once made
};

/// A card someone may order for, with the details an order of it starts from.
struct OrderableCard {
  core::Card card;
  core::CardOrderDetails details;  ///< everything of the card and its holder, carried over
};

/// What a person may order for a card now (its page's and rows' links).
struct CardPermissions {
  bool renew = false;       ///< renewal due, and theirs to order
  bool add_mobile = false;  ///< their own valid professional card
};

/// True if `card` may be renewed at `now`: not revoked, not a mobile certificate, and ending
/// within the renewal window (or ended).
bool renewalDue(const core::Card& card, core::TimePoint now, const CardOrderSettings& settings);
/// What `actor` may order for `card` at `now`: a renewal of a card due that they order for; a
/// mobile certificate on their own valid professional card.
CardPermissions cardPermissions(const core::Principal& actor, const core::Card& card,
                                core::TimePoint now, const CardOrderSettings& settings);

/// A new activation code, shown once.
struct NewActivationCode {
  std::string code;
  core::TimePoint expires_at;
};

/// Card orders.
class CardOrders {
 public:
  /// `production` is the card bureau; without one (nullptr) a card order cannot be approved
  /// (conflict "card.no_bureau", nothing changed); mobile certificates need no bureau.
  CardOrders(OrderService& orders, storage::OrderRepository& order_store,
             storage::RegistryRepository& registry, storage::CertificateInventory& inventory,
             storage::ActivationCodeRepository& activation_codes, CardProduction* production,
             storage::CertificateStore& certificates, ca::CertificateAuthority& authority,
             core::RandomSource& random, const core::Clock& clock, CardOrderSettings settings)
      : orders_(orders),
        order_store_(order_store),
        registry_(registry),
        inventory_(inventory),
        activation_codes_(activation_codes),
        production_(production),
        certificates_(certificates),
        authority_(authority),
        random_(random),
        clock_(clock),
        settings_(settings) {}

  /// A card `actor` may order a renewal or mobile certificate of, with the details such an
  /// order starts from: everything of the card and its holder, carried over. An organisation's card
  /// is ordered by its BV/CP (policy order_for_organisation), a professional's own card by its
  /// holder (order_own_card): not_found for anyone else; a revoked card is invalid on "card_id".
  core::Result<OrderableCard> orderable(const core::Principal& actor, core::CardId card);
  /// Checks who may order (as orderable(); card-new: order_for_organisation) and the form,
  /// and creates the draft. Field problems are invalid on "given_name", "surname", "email",
  /// "phone", "title", "registration_number", "group_name", "manager", "card_type"; a card
  /// outside the renewal window or not renewable is invalid on "card_id".
  core::Result<core::Order> create(const core::Principal& actor, const CardOrderForm& form);
  /// The steps and activation code state of a card order; not_found for a server order.
  core::Result<CardOrderDetails> detailsOf(const core::Order& order);

  // Steps of ra::Orders, on an order it loaded and authorised.

  /// Approves: takes the order into processing if needed, approves it and sends a card to
  /// production (status in_production); a mobile certificate order stays approved until
  /// enrolment with its activation code. Production asks the bureau for a certificate request
  /// per certificate of the card and checks them all before anything is issued: unreadable
  /// ("card.csr_unreadable"), not signed by its own key ("card.csr_bad_signature"), a key the
  /// key rules refuse ("card.csr_key_refused"), a key of another certificate of the card
  /// ("card.csr_key_reused"), or a subject other than the card's ("card.csr_subject_mismatch")
  /// is a conflict and the order stays approved with nothing issued.
  core::Result<core::Order> approve(const core::Principal& actor, core::Order order);
  /// The bureau shipped the card (in_production → shipped).
  core::Result<core::Order> ship(const core::Principal& actor, const core::Order& order);
  /// The holder activated the card (shipped → activated → issued).
  core::Result<core::Order> activate(const core::Principal& actor, const core::Order& order);
  /// A new activation code for an approved mobile certificate order. Returned once and stored
  /// as a hash; a new code replaces an unused earlier one.
  core::Result<NewActivationCode> newActivationCode(const core::Principal& actor,
                                                    const core::Order& order);
  /// Enrols a mobile certificate (docs/mobile-protocol.md): the CSR from the phone (its key is
  /// checked like a server key; its subject is ignored) and an activation code, which is the
  /// holder's authorisation. A wrong, used or expired code is not_found
  /// "activation_code.invalid"; the CSR is checked first, so a bad CSR does not use up the
  /// code. The CA issues the mobile-authentication certificate with the holder's data and the
  /// order becomes issued.
  core::Result<EnrolledMobileCertificate> enroll(std::string_view code, std::string_view csr);

 private:
  core::Result<core::Card> orderableCard(const core::Principal& actor, core::CardId card);
  core::Result<core::CardOrderDetails> carriedDetails(const core::Card& card);
  core::Result<CardSpecification> specificationOf(const core::Order& order,
                                                  const audit::Actor& actor);
  core::Result<core::Order> produce(const core::Principal& actor, const core::Order& order);
  std::string issuerDnOf(const std::string& family) const;
  core::Result<std::string> freeHolderNumber(const std::string& issuer_dn);

  OrderService& orders_;
  storage::OrderRepository& order_store_;
  storage::RegistryRepository& registry_;
  storage::CertificateInventory& inventory_;
  storage::ActivationCodeRepository& activation_codes_;
  CardProduction* production_;
  storage::CertificateStore& certificates_;
  ca::CertificateAuthority& authority_;
  core::RandomSource& random_;
  const core::Clock& clock_;
  CardOrderSettings settings_;
};

}  // namespace ra
