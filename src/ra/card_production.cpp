#include "ra/card_production.hpp"

#include "pki/certificate.hpp"
#include "pki/key.hpp"
#include "pki/pkcs12.hpp"
#include "pki/public_key.hpp"

#include <algorithm>

namespace ra {

namespace {

/// The uses of a card, each its own certificate (PKIoverheid G4 person profiles); a mobile
/// certificate has authentication only.
std::vector<std::string> usesOf(core::CardType type) {
  if (type == core::CardType::mobile) return {"authentication"};
  return {"authentication", "signature", "encryption"};
}

}  // namespace

std::vector<pki::SubjectAttribute> cardSubject(const CardSpecification& card) {
  std::vector<pki::SubjectAttribute> subject{{"C", "NL"}};
  if (!card.organisation_name.empty()) subject.push_back({"O", card.organisation_name});
  if (card.type == core::CardType::group) {
    subject.push_back({"organizationIdentifier", "NTRNL-" + card.organisation_kvk});
    subject.push_back({"CN", card.group_name});
    return subject;
  }
  if (!card.title.empty()) subject.push_back({"title", card.title});
  subject.push_back({"GN", card.given_name});
  subject.push_back({"SN", card.surname});
  subject.push_back({"serialNumber", card.serial_number});
  subject.push_back({"CN", card.given_name + " " + card.surname});
  return subject;
}

core::Result<ProducedCard> DemoCardBureau::produce(const CardSpecification& card,
                                                   const audit::Actor& actor) {
  core::Card record;
  record.type = card.type;
  record.organisation = card.organisation;
  record.holder = card.holder;
  record.group_name = card.group_name;
  record.manager = card.manager;
  record.requested_by = card.requested_by;
  // The card row is made first and once per order. A production that was interrupted (the CA
  // was unavailable) resumes on the same card and issues only what it lacks.
  auto created = store_.createCard(record, actor, card.order);
  if (!created && created.error().message != "card.order_produced") return created.error();
  std::vector<std::string> present;
  if (!created) {
    auto existing = store_.cardOfOrder(card.order);
    if (!existing) return existing.error();
    if (!*existing) return created.error();
    created = **existing;
    auto products = store_.productsOfCard(*created);
    if (!products) return products.error();
    present = std::move(*products);
  }

  ProducedCard produced{*created, {}};
  std::optional<pki::PrivateKey> login_key;
  std::optional<pki::Certificate> login_certificate;
  for (const std::string& use : usesOf(card.type)) {
    if (std::find(present.begin(), present.end(), card.product + "-" + use) != present.end())
      continue;
    // The bureau makes the key pair on the card; the demo keeps only the login key.
    auto key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
    ca::IssuanceRequest request{.product = card.product + "-" + use,
                                .subject = cardSubject(card),
                                .email_addresses = card.email.empty()
                                                       ? std::vector<std::string>{}
                                                       : std::vector<std::string>{card.email},
                                .owner = {.organisation = card.organisation,
                                          .holder = card.holder,
                                          .card = produced.card,
                                          .manager = card.manager,
                                          .requested_by = card.requested_by},
                                .not_after = card.not_after};
    auto issued = authority_.issue(request, pki::PublicKey::of(key), actor);
    if (!issued) return issued.error();
    produced.certificates.push_back(issued->id);
    if (use == "authentication") {
      auto certificate = pki::Certificate::fromPem(issued->pem);
      if (!certificate) return certificate.error();
      login_key = key;
      login_certificate = std::move(*certificate);
    }
  }

  // The soft card: the authentication key and certificate with the issuing CA (made with the
  // authentication certificate; a resumed production that already had it has its soft card).
  if (!login_certificate) return produced;
  const ca::ProductProfile* profile =
      ca::findProfile(authority_.profiles(), card.product + "-authentication");
  std::vector<pki::Certificate> chain;
  for (const auto& issuer : authority_.issuers())
    if (profile && issuer.name == profile->issuing_ca) chain.push_back(issuer.certificate);
  auto pkcs12 = pki::makePkcs12(
      *login_certificate, *login_key, chain, kSoftCardPassword,
      card.given_name.empty() ? card.group_name : card.given_name + " " + card.surname);
  if (!pkcs12) return pkcs12.error();
  if (auto stored = soft_cards_.store(produced.card, *pkcs12, actor); !stored)
    return stored.error();
  return produced;
}

}  // namespace ra
