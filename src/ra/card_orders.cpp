#include "ra/card_orders.hpp"

#include "pki/certificate.hpp"
#include "pki/certificate_contents.hpp"
#include "pki/certificate_request.hpp"
#include "pki/crypto.hpp"
#include "policy/access_rules.hpp"
#include "policy/csr_rules.hpp"
#include "policy/registry_rules.hpp"
#include "policy/validity.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ra {

namespace {

/// Longest CN-bound value (RFC 5280 ub-common-name) and title.
constexpr std::size_t kMaxCommonName = 64;
/// Longest professional registration number.
constexpr std::size_t kMaxRegistrationNumber = 32;
/// Characters of an activation code: no 0/O, 1/I/L, so it can be typed from a screen.
constexpr std::string_view kCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Groups of four characters in an activation code (16 characters of 31: 79 bits).
constexpr int kCodeGroups = 4;
/// Tries to find a free holder number before giving up (a clash is one in 10^8 per holder).
constexpr int kNumberAttempts = 5;

/// A uniformly random character of `alphabet` (rejection sampling: no modulo bias).
char randomCharacter(core::RandomSource& random, std::string_view alphabet) {
  const std::size_t usable = 256 - 256 % alphabet.size();
  for (;;) {
    std::array<std::uint8_t, 1> byte{};
    random.fill(byte);
    if (byte[0] < usable) return alphabet[byte[0] % alphabet.size()];
  }
}

std::string randomDigits(core::RandomSource& random, int count) {
  std::string digits;
  for (int i = 0; i < count; ++i) digits += randomCharacter(random, "0123456789");
  return digits;
}

const core::Error kNotFound = core::makeError(core::ErrorKind::not_found, "error.not_found");

/// A refused request of the card bureau (docs/card-production.md §Checks).
core::Error refusedRequest(std::string message) {
  return core::makeError(core::ErrorKind::conflict, std::move(message));
}

/// A certificate of a card, with the checked key of the bureau's request for it.
struct CardRequest {
  std::string use;
  std::string product;
  pki::PublicKey key;
};

/// Checks the bureau's request for a certificate of `card`: readable, proof of possession (signed
/// by its own key), a key the key rules accept, and bound to this card order (the subject is
/// exactly the card's: holder, serialNumber, organisation). The key, if it passes.
core::Result<pki::PublicKey> checkCardRequest(const std::string& csr, const CardSpecification& card,
                                              const ca::KeyCheck& keys) {
  auto request = pki::CertificateRequest::parse(
      {reinterpret_cast<const std::uint8_t*>(csr.data()), csr.size()});
  if (!request) return refusedRequest("card.csr_unreadable");
  if (!request->hasValidSignature()) return refusedRequest("card.csr_bad_signature");
  auto key = request->publicKey();
  if (!key) return refusedRequest("card.csr_unreadable");
  // The check every certified key passes (ADR 0024): one object, no SHA-1/MD5 self-signature, a
  // key the key rules, the blocklist and the Debian weak keys accept. The specific rule goes along.
  if (auto checked = keys.checkKeyRequest(csr); !checked)
    return core::makeError(core::ErrorKind::conflict, "card.csr_key_refused",
                           checked.error().fields);
  if (!request->subjectIs(cardSubject(card))) return refusedRequest("card.csr_subject_mismatch");
  return *key;
}

core::Error invalidField(std::string field, std::string message) {
  return core::makeError(core::ErrorKind::invalid, "validation.failed",
                         {{std::move(field), std::move(message)}});
}

/// The product family of a card type; its products are "<family>-authentication" and so on.
std::string familyOf(core::CardType type) {
  return std::string(core::toString(type));
}

/// The code as typed: upper case, without spaces or dashes.
std::string canonicalCode(std::string_view code) {
  std::string canonical;
  for (const char c : code)
    if (std::isalnum(static_cast<unsigned char>(c)))
      canonical += char(std::toupper(static_cast<unsigned char>(c)));
  return canonical;
}

bool isActiveManager(const std::vector<core::OrganisationMember>& members, core::PersonId person) {
  return std::any_of(members.begin(), members.end(), [&](const core::OrganisationMember& m) {
    return m.person.id == person && m.role == core::Role::manager && m.active;
  });
}

/// Field problems of the details of a card of `type` (PRODUCT.md §5, §6).
std::vector<core::FieldError> checkDetails(const core::CardOrderDetails& details) {
  std::vector<core::FieldError> problems;
  // What goes into a certificate is printable text of bounded length (counted in characters).
  const auto checkText = [&](std::string_view field, const std::string& value, std::size_t most,
                             std::string_view too_long) {
    const auto length = policy::printableLength(value);
    if (!length)
      problems.push_back({std::string(field), "validation.characters"});
    else if (*length > most)
      problems.push_back({std::string(field), std::string(too_long)});
  };
  if (details.card_type == core::CardType::group) {
    if (details.group_name.empty())
      problems.push_back({"group_name", "order.group_name_required"});
    else
      checkText("group_name", details.group_name, kMaxCommonName, "order.group_name_too_long");
    if (!policy::isEmailAddress(details.email)) problems.push_back({"email", "validation.email"});
    return problems;
  }
  core::Person holder;
  holder.given_name = details.given_name;
  holder.surname = details.surname;
  holder.email = details.email;
  holder.phone = details.phone;
  for (auto& problem : policy::checkPerson(holder)) problems.push_back(std::move(problem));
  if (details.given_name.size() + details.surname.size() + 1 > kMaxCommonName)
    problems.push_back({"surname", "order.name_too_long"});
  const bool professional = details.card_type == core::CardType::professional ||
                            details.card_type == core::CardType::mobile;
  // The phone that will carry the mobile certificate.
  if (details.card_type == core::CardType::mobile && details.phone.empty())
    problems.push_back({"phone", "order.mobile_phone_required"});
  if (professional && details.title.empty())
    problems.push_back({"title", "order.profession_required"});
  checkText("title", details.title, kMaxCommonName, "order.title_too_long");
  if (professional && details.registration_number.empty())
    problems.push_back({"registration_number", "order.registration_number_required"});
  checkText("registration_number", details.registration_number, kMaxRegistrationNumber,
            "order.registration_number_too_long");
  return problems;
}

/// Every field trimmed, so what is signed is what is issued.
core::CardOrderDetails trimmedDetails(core::CardOrderDetails details) {
  for (std::string* field : {&details.given_name, &details.surname, &details.email, &details.phone,
                             &details.title, &details.registration_number, &details.group_name})
    *field = policy::trimmed(*field);
  return details;
}

/// What the customer may change when renewing (or extending) `base`: the rest is carried over.
core::CardOrderDetails editableOver(core::CardOrderDetails base,
                                    const core::CardOrderDetails& entered, core::OrderType type) {
  if (type == core::OrderType::mobile_add) {
    base.phone = entered.phone;  // the number of the phone that gets the certificate
    return base;
  }
  base.email = entered.email;
  switch (base.card_type) {
    case core::CardType::personal:
      base.phone = entered.phone;
      base.title = entered.title;
      break;
    case core::CardType::professional:
      base.given_name = entered.given_name;
      base.surname = entered.surname;
      base.phone = entered.phone;
      base.title = entered.title;
      base.registration_number = entered.registration_number;
      break;
    case core::CardType::group:
    case core::CardType::mobile:
      break;
  }
  return base;
}

}  // namespace

core::Result<core::Card> CardOrders::orderableCard(const core::Principal& actor, core::CardId id) {
  auto found = inventory_.findCard(id);
  if (!found) return found.error();
  if (!*found) return kNotFound;
  const core::Card& card = **found;
  // An organisation's card is ordered by its BV/CP; a professional's own card by its holder.
  const auto allowed =
      card.organisation
          ? policy::permit(actor, policy::Action::order_for_organisation,
                           {.organisation = card.organisation})
          : policy::permit(actor, policy::Action::order_own_card, {.owner = card.holder});
  if (!allowed) return allowed.error();
  if (card.revoked_at) return invalidField("card_id", "order.card_revoked");
  return card;
}

bool renewalDue(const core::Card& card, core::TimePoint now, const CardOrderSettings& settings) {
  // PRODUCT.md §5: cards "about to expire"; the window is configurable.
  return !card.revoked_at && card.type != core::CardType::mobile &&
         card.not_after - now <= settings.renewal_window;
}

CardPermissions cardPermissions(const core::Principal& actor, const core::Card& card,
                                core::TimePoint now, const CardOrderSettings& settings) {
  if (card.revoked_at || card.type == core::CardType::mobile) return {};
  const bool own = card.type == core::CardType::professional && !card.organisation &&
                   policy::permits(actor, policy::Action::order_own_card, {.owner = card.holder});
  const bool organisation =
      card.organisation && policy::permits(actor, policy::Action::order_for_organisation,
                                           {.organisation = card.organisation});
  if (!own && !organisation) return {};
  return {.renew = renewalDue(card, now, settings), .add_mobile = own && card.not_after > now};
}

core::Result<OrderableCard> CardOrders::orderable(const core::Principal& actor, core::CardId id) {
  auto card = orderableCard(actor, id);
  if (!card) return card.error();
  auto details = carriedDetails(*card);
  if (!details) return details.error();
  return OrderableCard{std::move(*card), std::move(*details)};
}

core::Result<core::CardOrderDetails> CardOrders::carriedDetails(const core::Card& card) {
  core::CardOrderDetails details;
  details.card_type = card.type;
  details.based_on = card.id;
  details.holder = card.holder;
  details.group_name = card.group_name;
  if (card.holder) {
    auto person = registry_.findPerson(*card.holder);
    if (!person) return person.error();
    if (*person) {
      details.given_name = (*person)->given_name;
      details.surname = (*person)->surname;
      details.email = (*person)->email;
      details.phone = (*person)->phone;
      details.title = (*person)->profession;
    }
    auto professional = registry_.professionalDetails(*card.holder);
    if (!professional) return professional.error();
    if (*professional) details.registration_number = (*professional)->registration_number;
  }
  // What the card's certificates say wins: title and e-mail as issued.
  auto certificates = inventory_.certificatesOfCard(card.id);
  if (!certificates) return certificates.error();
  if (!certificates->empty()) {
    auto first = inventory_.find(certificates->front().id);  // with its PEM
    if (!first) return first.error();
    if (!*first) return kNotFound;
    auto issued = pki::Certificate::fromPem((*first)->pem);
    if (!issued) return issued.error();
    if (auto title = issued->subjectAttribute("title")) details.title = *title;
    const auto contents = pki::readContents(*issued);
    if (!contents.email_addresses.empty()) details.email = contents.email_addresses.front();
  }
  return details;
}

core::Result<core::Order> CardOrders::create(const core::Principal& actor,
                                             const CardOrderForm& form) {
  if (!core::isCardOrder(form.type)) return invalidField("type", "order.not_card_order");
  core::Order order;
  order.type = form.type;
  core::CardOrderDetails details;
  std::optional<core::Card> base;
  if (form.type == core::OrderType::card_new) {
    if (!form.organisation) return kNotFound;
    if (auto allowed = policy::permit(actor, policy::Action::order_for_organisation,
                                      {.organisation = form.organisation});
        !allowed)
      return allowed.error();
    if (form.card_type != core::CardType::personal && form.card_type != core::CardType::group)
      return invalidField("card_type", "order.card_type");
    order.organisation = form.organisation;
    details = form.details;
    details.card_type = form.card_type;
    details.based_on.reset();
    details.holder.reset();
  } else {
    if (!form.card) return invalidField("card_id", "order.card_required");
    auto card = orderableCard(actor, *form.card);
    if (!card) return card.error();
    base = std::move(*card);
    auto carried = carriedDetails(*base);
    if (!carried) return carried.error();
    if (form.type == core::OrderType::card_renew) {
      if (base->type == core::CardType::mobile)
        return invalidField("card_id", "order.card_not_renewable");
      if (!renewalDue(*base, clock_.now(), settings_))
        return invalidField("card_id", "order.card_not_due");
    } else {
      if (base->type != core::CardType::professional || base->organisation)
        return invalidField("card_id", "order.mobile_needs_professional_card");
      if (base->not_after <= clock_.now()) return invalidField("card_id", "order.card_expired");
      carried->card_type = core::CardType::mobile;
    }
    details = editableOver(std::move(*carried), form.details, form.type);
    order.organisation = base->organisation;
  }
  details = trimmedDetails(std::move(details));

  auto problems = checkDetails(details);
  // A group card is linked to one of the organisation's certificate managers (PRODUCT.md §5).
  if (details.card_type == core::CardType::group) {
    order.manager = form.manager ? form.manager : (base ? base->manager : std::nullopt);
    auto members = registry_.organisationMembers(order.organisation.value_or(0));
    if (!members) return members.error();
    if (!order.manager)
      problems.push_back({"manager", "order.group_manager_required"});
    else if (!isActiveManager(*members, *order.manager))
      problems.push_back({"manager", "order.group_manager_unknown"});
  }
  if (!problems.empty())
    return core::makeError(core::ErrorKind::invalid, "validation.failed", std::move(problems));

  const std::string family = familyOf(details.card_type);
  const ca::ProductProfile* profile =
      ca::findProfile(authority_.profiles(), family + "-authentication");
  if (profile == nullptr) return invalidField("card_type", "order.card_type");
  const auto issuer =
      std::find_if(authority_.issuers().begin(), authority_.issuers().end(),
                   [&](const ca::IssuingCa& ca) { return ca.name == profile->issuing_ca; });
  if (issuer == authority_.issuers().end())
    return core::makeError(core::ErrorKind::unavailable, "certificate.issuer_unavailable");
  const policy::ValidityLimits limits{std::chrono::days{profile->term_days},
                                      std::chrono::days{profile->max_validity_days},
                                      issuer->certificate.notAfter()};
  const core::TimePoint now = clock_.now();
  auto validity = form.type == core::OrderType::card_renew
                      ? policy::renewalValidity(now, base->not_after, limits)
                      : policy::newValidity(now, limits);
  if (!validity) return validity.error();

  order.requester_identity = form.login_identity;
  order.product = family;
  order.common_name = details.card_type == core::CardType::group
                          ? details.group_name
                          : details.given_name + " " + details.surname;
  order.not_before = validity->start;
  order.not_after = validity->end;
  order.card = std::move(details);
  return orders_.createDraft(actor, std::move(order));
}

core::Result<CardOrderDetails> CardOrders::detailsOf(const core::Order& order) {
  if (!core::isCardOrder(order.type) || !order.card) return kNotFound;
  auto steps = order_store_.steps(order.id);
  if (!steps) return steps.error();
  auto code = activation_codes_.find(order.id);
  if (!code) return code.error();
  return CardOrderDetails{std::move(*steps), std::move(*code)};
}

core::Result<CardSpecification> CardOrders::specificationOf(const core::Order& order,
                                                            const audit::Actor& actor) {
  const core::CardOrderDetails& details = *order.card;
  CardSpecification card{.order = order.id,
                         .type = details.card_type,
                         .product = order.product,
                         .organisation = order.organisation,
                         .holder = details.holder,
                         .given_name = details.given_name,
                         .surname = details.surname,
                         .title = details.title,
                         .group_name = details.group_name,
                         .email = details.email,
                         .manager = order.manager,
                         .requested_by = order.requested_by,
                         .not_after = order.not_after};
  if (order.organisation) {
    auto organisation = registry_.findOrganisation(*order.organisation);
    if (!organisation) return organisation.error();
    if (!*organisation) return kNotFound;
    card.organisation_name = (*organisation)->name;
    card.organisation_kvk = (*organisation)->kvk;
  }
  if (details.card_type == core::CardType::group) return card;

  // The holder: a known person (data updated to what was signed), or registered now.
  core::Person holder;
  if (details.holder) {
    auto found = registry_.findPerson(*details.holder);
    if (!found) return found.error();
    if (!*found) return kNotFound;
    holder = **found;
  }
  const bool changed = holder.given_name != details.given_name ||
                       holder.surname != details.surname || holder.email != details.email ||
                       holder.phone != details.phone;
  holder.given_name = details.given_name;
  holder.surname = details.surname;
  holder.email = details.email;
  holder.phone = details.phone;
  const std::string issuer_dn = issuerDnOf(order.product);
  if (!details.holder) {
    // A new holder gets a free number first, so a refusal registers nobody.
    auto number = freeHolderNumber(issuer_dn);
    if (!number) return number.error();
    card.serial_number = *number;
    // Registered together with the order's record of them: a retried production finds them.
    auto registered = order_store_.registerCardHolder(order.id, holder, actor);
    if (!registered) return registered.error();
    holder.id = *registered;
  } else if (changed) {
    if (auto updated = registry_.updatePerson(holder, actor); !updated) return updated.error();
  }
  card.holder = holder.id;
  if (details.card_type == core::CardType::professional) {
    // The registration number the holder signed for is the one on record from now on.
    auto recorded = registry_.professionalDetails(holder.id);
    if (!recorded) return recorded.error();
    core::ProfessionalDetails professional =
        recorded->value_or(core::ProfessionalDetails{.person = holder.id});
    if (professional.registration_number != details.registration_number) {
      professional.registration_number = details.registration_number;
      if (auto saved = registry_.saveProfessionalDetails(professional, actor); !saved)
        return saved.error();
    }
  }

  if (!card.serial_number.empty()) return card;
  // A known holder keeps their PKIoverheid number at this CA, or gets a free one.
  auto identities = registry_.certificateIdentities(holder.id);
  if (!identities) return identities.error();
  const auto known =
      std::find_if(identities->begin(), identities->end(),
                   [&](const core::CertificateIdentity& i) { return i.issuer_dn == issuer_dn; });
  if (known != identities->end()) {
    card.serial_number = known->subject_serial;
    return card;
  }
  auto number = freeHolderNumber(issuer_dn);
  if (!number) return number.error();
  card.serial_number = *number;
  return card;
}

core::Result<std::string> CardOrders::freeHolderNumber(const std::string& issuer_dn) {
  // Nine digits starting with 7 (the demo users' own numbers start with 9): random, and checked
  // against every registered identity, so a card never logs in as someone else.
  for (int attempt = 0; attempt < kNumberAttempts; ++attempt) {
    const std::string number = "7" + randomDigits(random_, 8);
    auto owner = registry_.findPrincipalByCertificate({issuer_dn, number});
    if (!owner) return owner.error();
    if (!*owner) return number;
  }
  return core::makeError(core::ErrorKind::conflict, "card.holder_number_taken");
}

std::string CardOrders::issuerDnOf(const std::string& family) const {
  const ca::ProductProfile* profile =
      ca::findProfile(authority_.profiles(), family + "-authentication");
  for (const auto& issuer : authority_.issuers())
    if (profile && issuer.name == profile->issuing_ca) return issuer.certificate.subjectDn();
  return {};
}

core::Result<core::Order> CardOrders::approve(const core::Principal& actor, core::Order order) {
  if (!core::isCardOrder(order.type) || !order.card) return kNotFound;
  // Without a bureau a card cannot be made: refused before anything changes.
  if (order.type != core::OrderType::mobile_add && !production_)
    return core::makeError(core::ErrorKind::conflict, "card.no_bureau");
  if (order.status != core::OrderStatus::approved) {
    auto approved = orders_.takeUpAndApprove(actor, std::move(order));
    if (!approved) return approved.error();
    // A mobile certificate is made at enrolment, with the holder's activation code.
    if (approved->type == core::OrderType::mobile_add) return approved;
    order = std::move(*approved);
  } else if (order.type == core::OrderType::mobile_add) {
    return core::makeError(core::ErrorKind::conflict, "order.transition_not_allowed");
  }
  return produce(actor, order);
}

core::Result<core::Order> CardOrders::produce(const core::Principal& actor,
                                              const core::Order& order) {
  const audit::Actor officer = audit::Actor::person(actor.person.id);
  auto specification = specificationOf(order, officer);
  if (!specification) return specification.error();

  // A production that was interrupted (the CA was unavailable) resumes on the card it made and
  // issues only what the card lacks.
  std::optional<core::CardId> card;
  std::vector<std::string> present;
  auto existing = certificates_.cardOfOrder(order.id);
  if (!existing) return existing.error();
  if (*existing) {
    card = **existing;
    auto products = certificates_.productsOfCard(*card);
    if (!products) return products.error();
    present = std::move(*products);
  }

  // The bureau's request per certificate still to issue, every one checked before any is.
  std::vector<CardRequest> requests;
  for (const std::string& use : usesOf(specification->type)) {
    const std::string product = order.product + "-" + use;
    if (std::find(present.begin(), present.end(), product) != present.end()) continue;
    auto csr = production_->certificateRequest(*specification, use);
    if (!csr) return csr.error();
    auto key = checkCardRequest(*csr, *specification, authority_.keys());
    if (!key) return key.error();
    // Every certificate of a card has its own key pair.
    for (const CardRequest& other : requests)
      if (other.key.sha256Hex() == key->sha256Hex()) return refusedRequest("card.csr_key_reused");
    requests.push_back({use, product, std::move(*key)});
  }

  if (!card) {
    core::Card record;
    record.type = specification->type;
    record.organisation = specification->organisation;
    record.holder = specification->holder;
    record.group_name = specification->group_name;
    record.manager = specification->manager;
    record.requested_by = specification->requested_by;
    // Made once per order: of two productions at once, the second stops here.
    auto created = certificates_.createCard(record, officer, order.id);
    if (!created) return created.error();
    card = *created;
  }
  for (const CardRequest& request : requests) {
    auto issued =
        authority_.issue({.product = request.product,
                          .subject = cardSubject(*specification),
                          .email_addresses = specification->email.empty()
                                                 ? std::vector<std::string>{}
                                                 : std::vector<std::string>{specification->email},
                          .owner = {.organisation = specification->organisation,
                                    .holder = specification->holder,
                                    .card = *card,
                                    .manager = specification->manager,
                                    .requested_by = specification->requested_by},
                          .not_after = specification->not_after},
                         request.key, officer);
    if (!issued) return issued.error();
    if (auto written = production_->certificateIssued(*specification, request.use, issued->pem);
        !written)
      return written.error();
  }

  // The card's authentication certificate logs its holder in (identity: issuer + serialNumber).
  if (specification->holder) {
    const core::CertificateIdentity identity{issuerDnOf(order.product),
                                             specification->serial_number};
    auto identities = registry_.certificateIdentities(*specification->holder);
    if (!identities) return identities.error();
    if (std::find(identities->begin(), identities->end(), identity) == identities->end())
      if (auto added = registry_.addCertificateIdentity(*specification->holder, identity, officer);
          !added)
        return added.error();
  }
  return order_store_.transition(order.id, core::OrderStatus::approved,
                                 core::OrderStatus::in_production, {.produced_card = *card},
                                 officer);
}

core::Result<core::Order> CardOrders::ship(const core::Principal& actor, const core::Order& order) {
  return order_store_.transition(order.id, core::OrderStatus::in_production,
                                 core::OrderStatus::shipped, {},
                                 audit::Actor::person(actor.person.id));
}

core::Result<core::Order> CardOrders::activate(const core::Principal& actor,
                                               const core::Order& order) {
  const audit::Actor officer = audit::Actor::person(actor.person.id);
  // Two steps; an order left "activated" by an interruption is completed by the next call.
  if (order.status != core::OrderStatus::activated) {
    auto activated = order_store_.transition(order.id, core::OrderStatus::shipped,
                                             core::OrderStatus::activated, {}, officer);
    if (!activated) return activated.error();
  }
  // An activated card completes the order.
  return order_store_.transition(order.id, core::OrderStatus::activated, core::OrderStatus::issued,
                                 {}, officer);
}

core::Result<NewActivationCode> CardOrders::newActivationCode(const core::Principal& actor,
                                                              const core::Order& order) {
  if (order.type != core::OrderType::mobile_add) return kNotFound;
  if (order.status != core::OrderStatus::approved)
    return core::makeError(core::ErrorKind::conflict, "order.activation_not_ready");
  std::string code;
  for (int i = 0; i < kCodeGroups * 4; ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += randomCharacter(random_, kCodeAlphabet);
  }
  const core::TimePoint expires_at = clock_.now() + settings_.activation_code_validity;
  if (auto stored = activation_codes_.replace(order.id, activationCodeHash(code), expires_at,
                                              audit::Actor::person(actor.person.id));
      !stored)
    return stored.error();
  return NewActivationCode{std::move(code), expires_at};
}

core::Result<EnrolledMobileCertificate> CardOrders::enroll(std::string_view code,
                                                           std::string_view csr) {
  // The CA's key check (ADR 0024): one object, a signature without SHA-1/MD5, the key rules,
  // the blocklist and the Debian weak keys, as for every other key the CA certifies.
  auto checked = authority_.keys().checkKeyRequest(csr);
  if (!checked) return checked.error();
  const pki::PublicKey& key = checked->public_key;

  auto used = activation_codes_.use(activationCodeHash(code), audit::Actor::system("enrolment"));
  if (!used) return used.error();
  auto order = orders_.order(*used);
  if (!order) return order.error();
  if (order->type != core::OrderType::mobile_add || order->status != core::OrderStatus::approved ||
      !order->card)
    return core::makeError(core::ErrorKind::conflict, "order.activation_not_ready");
  const audit::Actor holder_actor = audit::Actor::person(order->requested_by);
  auto specification = specificationOf(*order, holder_actor);
  if (!specification) return specification.error();

  core::Card record;
  record.type = core::CardType::mobile;
  record.holder = specification->holder;
  record.requested_by = order->requested_by;
  auto card = certificates_.createCard(record, holder_actor, order->id);
  if (!card) return card.error();
  auto issued =
      authority_.issue({.product = order->product + "-authentication",
                        .subject = cardSubject(*specification),
                        .email_addresses = specification->email.empty()
                                               ? std::vector<std::string>{}
                                               : std::vector<std::string>{specification->email},
                        .owner = {.holder = specification->holder,
                                  .card = *card,
                                  .requested_by = order->requested_by},
                        .not_after = order->not_after},
                       key, holder_actor);
  if (!issued) return issued.error();
  auto done =
      order_store_.transition(order->id, core::OrderStatus::approved, core::OrderStatus::issued,
                              {.certificate = issued->id, .produced_card = *card}, holder_actor);
  if (!done) return done.error();
  std::string chain;
  for (const auto& issuer : authority_.issuers())
    if (issuer.certificate.subjectDn() == issued->issuer_dn) chain = issuer.certificate.toPem();
  return EnrolledMobileCertificate{order->id, *card, issued->pem, chain};
}

std::string activationCodeHash(std::string_view code) {
  return pki::sha256Hex(canonicalCode(code));
}

}  // namespace ra
