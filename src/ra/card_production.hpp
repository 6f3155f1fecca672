#pragma once
// Card production (ADR 0007, ADR 0020, PRODUCT.md §5 "Passen", §7): after approval a card order
// goes to a card bureau, which personalises the card: it generates each key pair on the card (the
// private keys never leave it) and hands the CA a PKCS#10 request per certificate; the CA checks
// and signs each, and the bureau writes the certificates to the card and ships it. The portal
// never holds a holder's private key. CardProduction is the interface a real bureau integration
// implements (docs/card-production.md); DemoCardBureau is the built-in stand-in for the demo
// (portal.demo only), which keeps its keys as files in the demo directory and hands the
// Servicedesk a PKCS#12 "soft card" made from them.

#include "ca/certificate_authority.hpp"
#include "core/error.hpp"
#include "core/order.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
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

/// The uses of a card, each its own certificate and key pair (PKIoverheid G4 person profiles);
/// a mobile certificate has authentication only. The CA product of a use is "<family>-<use>".
std::vector<std::string> usesOf(core::CardType type);

/// A card bureau (card management system). For every certificate of a card the use case asks the
/// bureau for a certificate request, checks it (docs/card-production.md §Checks), has the CA sign
/// it and hands the certificate back. The bureau never sends a private key.
class CardProduction {
 public:
  virtual ~CardProduction() = default;
  /// The bureau generates the key pair of `use` ("authentication", "signature", "encryption") on
  /// the card of `card.order` and returns its PKCS#10 request (PEM or DER): subject exactly
  /// cardSubject(card), signed with the new key. Asked again for the same order and use (a
  /// production that was interrupted or refused), it may return the request of the key it made
  /// before.
  virtual core::Result<std::string> certificateRequest(const CardSpecification& card,
                                                       std::string_view use) = 0;
  /// The CA issued the certificate of `use` (PEM): the bureau writes it to the card.
  virtual core::Result<void> certificateIssued(const CardSpecification& card, std::string_view use,
                                               const std::string& certificate_pem) = 0;
};

/// The demo bureau (portal.demo only; `serve` refuses it otherwise): makes the key pairs itself
/// as files in its directory, one folder per order (`order-<id>/<use>.key`, mode 0600, and
/// `<use>.crt`), never in the database, and submits requests like a real bureau. Its soft card is
/// the authentication key and certificate as PKCS#12 (password kSoftCardPassword).
class DemoCardBureau final : public CardProduction {
 public:
  /// Password of the demo soft cards, like the demo users' files (README.md).
  static constexpr char kSoftCardPassword[] = "demo";

  /// A bureau keeping its files under `dir` (created when needed); `authority` gives the issuing
  /// CA certificate that goes into a soft card.
  DemoCardBureau(std::filesystem::path dir, const ca::CertificateAuthority& authority)
      : dir_(std::move(dir)), authority_(authority) {}

  core::Result<std::string> certificateRequest(const CardSpecification& card,
                                               std::string_view use) override;
  core::Result<void> certificateIssued(const CardSpecification& card, std::string_view use,
                                       const std::string& certificate_pem) override;

  /// The soft card of `order`'s card, made from the key and certificate files; nullopt if the
  /// bureau has no issued authentication certificate of that order.
  core::Result<std::optional<std::vector<std::uint8_t>>> softCard(core::OrderId order) const;

 private:
  std::filesystem::path fileOf(core::OrderId order, std::string_view use,
                               std::string_view extension) const;

  std::filesystem::path dir_;
  const ca::CertificateAuthority& authority_;
};

}  // namespace ra
