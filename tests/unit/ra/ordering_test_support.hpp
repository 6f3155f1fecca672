#pragma once
// The ordering use cases of ra wired as `serve` wires them, over real SQLite and test CAs, with
// the people of an organisation and helpers to bring orders to any step (card_orders_test,
// orders_test).

#include "../ca/ca_test_support.hpp"
#include "pki/certificate.hpp"
#include "pki/certificate_request.hpp"
#include "pki/crypto.hpp"
#include "ra/card_orders.hpp"
#include "ra/card_production.hpp"
#include "ra/order_signature.hpp"
#include "ra/orders.hpp"
#include "ra/organisation_queries.hpp"
#include "ra/registry_service.hpp"
#include "ra/server_orders.hpp"
#include "storage/audit_repository.hpp"
#include "storage/blocked_keys.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace ra_test {

using core::ErrorKind;
using core::OrderStatus;
using core::OrderType;
using namespace std::chrono_literals;

/// The cards' term (ca::builtInProfiles: 3 years) and the mobile certificate's.
inline constexpr std::chrono::days kCardTerm{1095};
inline constexpr std::chrono::days kMobileTerm{730};
/// CardOrderSettings defaults.
inline constexpr std::chrono::days kRenewalWindow{90};
inline constexpr std::chrono::hours kCodeValidity{14 * 24};

using Fields = std::vector<core::FieldError>;

/// The error of a result that must be a failure.
template <class T>
core::Error failure(const core::Result<T>& result) {
  EXPECT_FALSE(result) << "succeeded unexpectedly";
  return result ? core::Error{} : result.error();
}

/// "message field:message …" of an error, for failure output.
inline std::string describe(const core::Error& error) {
  std::string text = error.message;
  for (const auto& field : error.fields) text += " " + field.field + ":" + field.message;
  return text;
}

/// The subject serialNumber of a certificate ("" if none).
inline std::string serialNumberOf(const pki::Certificate& certificate) {
  return certificate.subjectAttribute("serialNumber").value_or("");
}

class OrderingTest : public ca_test::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    order_store_ = std::make_unique<storage::OrderRepository>(*database_, clock_);
    inventory_ = std::make_unique<storage::CertificateInventory>(*database_);
    activation_codes_ = std::make_unique<storage::ActivationCodeRepository>(*database_, clock_);
    service_ = std::make_unique<ra::OrderService>(*order_store_, *registry_, random_,
                                                  "https://mijncert.example");
    authority_ = authority(random_);
    bureau_ = std::make_unique<ra::DemoCardBureau>(dir_.path() / "cards", *authority_);
    blocked_keys_ = std::make_unique<storage::BlockedKeyRepository>(*database_, clock_);
    orders_ = cardOrders(bureau_.get());
    server_orders_ = std::make_unique<ra::ServerOrders>(*service_, *order_store_, *registry_,
                                                        *inventory_, *store_, *authority_, clock_);
    audit_log_ = std::make_unique<storage::AuditRepository>(*database_);
    registry_service_ = std::make_unique<ra::RegistryService>(*registry_, *audit_log_, clock_);
    // Signatures are checked against the test CAs, as the portal checks them against its bundle.
    signatures_ = std::make_unique<ra::OrderSignatureVerifier>(
        ra::OrderSignatureVerifier::create({"", "", dir_.path() / "chain.pem", {}}, clock_)
            .value());
    entry_ = std::make_unique<ra::Orders>(*service_, *server_orders_, *orders_, *registry_service_,
                                          *order_store_, *registry_, *signatures_);
    queries_ = std::make_unique<ra::OrganisationQueries>(*registry_, *inventory_, clock_,
                                                         ra::CardOrderSettings{});
    organisation_ =
        registry_->createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_)
            .value();
    contact_ = member(organisation_, "Jan", "Jansen", core::Role::contact);
    officer_ = registered(person("Johan", "Smit"));
    manager_ = member(organisation_, "Piet", "Pietersen", core::Role::manager).person.id;
  }
  void TearDown() override {
    queries_.reset();
    entry_.reset();
    signatures_.reset();
    registry_service_.reset();
    audit_log_.reset();
    server_orders_.reset();
    orders_.reset();
    blocked_keys_.reset();
    bureau_.reset();
    authority_.reset();
    service_.reset();
    activation_codes_.reset();
    inventory_.reset();
    order_store_.reset();
    registry_.reset();
    CaTest::TearDown();
  }

  /// Card orders with `production` as the card bureau (none: nullptr).
  std::unique_ptr<ra::CardOrders> cardOrders(ra::CardProduction* production) {
    return std::make_unique<ra::CardOrders>(*service_, *order_store_, *registry_, *inventory_,
                                            *activation_codes_, production, *store_, *authority_,
                                            random_, clock_, ra::CardOrderSettings{});
  }

  /// `p` registered, as the principal it logs in as (with its memberships).
  core::Principal registered(const core::Person& p) {
    const auto id = registry_->createPerson(p, servicedesk_).value();
    return registry_->findPrincipal(id).value().value();
  }

  /// A person with `role` in `organisation` (inactive: a proposed manager not yet listed).
  core::Principal member(core::OrganisationId organisation, std::string given_name,
                         std::string surname, core::Role role, bool active = true) {
    const auto id = registered(person(std::move(given_name), std::move(surname))).person.id;
    EXPECT_TRUE(registry_->addRole(id, organisation, role, servicedesk_, active));
    return registry_->findPrincipal(id).value().value();
  }

  /// A professional holder (a notary) with the registration number on record.
  core::Principal notary(std::string given_name = "Eva", std::string surname = "de Boer") {
    core::Person p = person(std::move(given_name), std::move(surname));
    p.email = "eva@deboer-notarissen.nl";
    p.professional = true;
    p.profession = "Notaris";
    const core::Principal holder = registered(p);
    EXPECT_TRUE(registry_->saveProfessionalDetails(
        {.person = holder.person.id,
         .registration_number = "KNB-2019-0142",
         .address = {"Herengracht 420", "1017 BZ", "Amsterdam", "NL"}},
        servicedesk_));
    return holder;
  }

  /// A new personal card for Anna de Vries, ordered for the organisation.
  ra::CardOrderForm personalForm() const {
    ra::CardOrderForm f;
    f.type = OrderType::card_new;
    f.organisation = organisation_;
    f.card_type = core::CardType::personal;
    f.details.given_name = "Anna";
    f.details.surname = "de Vries";
    f.details.email = "anna@voorbeeld.nl";
    f.details.phone = "+31 30 765 4321";
    f.details.title = "Jurist";
    f.login_identity = {"CN=Test Persons CA,O=Test TSP,C=NL", "900001234"};
    return f;
  }

  /// A new group card linked to the certificate manager.
  ra::CardOrderForm groupForm() const {
    ra::CardOrderForm f = personalForm();
    f.card_type = core::CardType::group;
    f.details = {};
    f.details.group_name = "Team Financien";
    f.details.email = "financien@voorbeeld.nl";
    f.manager = manager_;
    return f;
  }

  /// A renewal (or mobile certificate) of `card` by `actor`, the form filled in as offered.
  ra::CardOrderForm renewalForm(const core::Principal& actor, core::CardId card,
                                OrderType type = OrderType::card_renew) {
    ra::CardOrderForm f = personalForm();
    f.type = type;
    f.organisation.reset();
    f.card = card;
    auto details = orders_->orderable(actor, card);
    EXPECT_TRUE(details) << describe(details.error());
    if (details) f.details = details->details;
    return f;
  }

  /// A draft, which must be created.
  core::Order created(const core::Principal& actor, const ra::CardOrderForm& form) {
    auto order = orders_->create(actor, form);
    EXPECT_TRUE(order) << describe(order.error());
    return order.value();
  }

  /// A draft signed by `actor` (the signature itself is verified by auth).
  core::Order submitted(const core::Principal& actor, const ra::CardOrderForm& form) {
    const core::Order order = created(actor, form);
    const core::OrderEvidence evidence{service_->documentOf(current(order.id)).value(), "DER",
                                       "-----BEGIN CERTIFICATE-----\n"};
    auto signed_order = service_->submit(actor, current(order.id), evidence);
    EXPECT_TRUE(signed_order) << signed_order.error().message;
    return signed_order.value();
  }

  /// A submitted order approved by the officer, which must succeed.
  core::Order approved(const core::Principal& actor, const ra::CardOrderForm& form) {
    const core::Order order = submitted(actor, form);
    auto result = orders_->approve(officer_, current(order.id));
    EXPECT_TRUE(result) << describe(result.error());
    return result.value();
  }

  /// The card an approved card order produced.
  core::Card producedCard(const core::Principal& actor, const ra::CardOrderForm& form) {
    const core::Order order = approved(actor, form);
    EXPECT_TRUE(order.produced_card);
    return cardOf(order.produced_card.value_or(0));
  }

  core::Card cardOf(core::CardId id) {
    auto card = inventory_->findCard(id).value();
    EXPECT_TRUE(card) << "card " << id;
    return card.value_or(core::Card{});
  }

  /// The certificates of a card with their PEM, in the order they were issued.
  std::vector<core::IssuedCertificate> certificatesOf(core::CardId card) {
    std::vector<core::IssuedCertificate> result;
    for (const auto& listed : inventory_->certificatesOfCard(card).value())
      result.push_back(inventory_->find(listed.id).value().value());
    return result;
  }

  /// The certificates of a card, parsed.
  std::vector<pki::Certificate> parsedCertificatesOf(core::CardId card) {
    std::vector<pki::Certificate> result;
    for (const auto& issued : certificatesOf(card))
      result.push_back(pki::Certificate::fromPem(issued.pem).value());
    return result;
  }

  /// A card of `holder`'s own (no organisation) made by the bureau, ending at `not_after`, with
  /// `serial` as the holder's number at the persons CA.
  core::CardId ownCard(const core::Principal& holder, core::TimePoint not_after,
                       core::CardType type = core::CardType::professional,
                       const std::string& serial = "900000555") {
    // The bureau makes a card for an order only: the order the holder once placed.
    core::Order placed;
    placed.type = OrderType::card_new;
    placed.requested_by = holder.person.id;
    placed.product = std::string(core::toString(type));
    placed.card = core::CardOrderDetails{.card_type = type, .holder = holder.person.id};
    placed.nonce = "placed-" + std::to_string(++cards_placed_);
    const core::Order order = order_store_->createDraft(placed, servicedesk_).value();
    const ra::CardSpecification specification{.order = order.id,
                                              .type = type,
                                              .product = placed.product,
                                              .holder = holder.person.id,
                                              .given_name = holder.person.given_name,
                                              .surname = holder.person.surname,
                                              .serial_number = serial,
                                              .title = holder.person.profession,
                                              .email = holder.person.email,
                                              .requested_by = holder.person.id,
                                              .not_after = not_after};
    // Made as production makes it: the card, then a certificate per request of the bureau.
    core::Card record;
    record.type = type;
    record.holder = holder.person.id;
    record.requested_by = holder.person.id;
    auto created = store_->createCard(record, actor_, order.id);
    EXPECT_TRUE(created) << describe(created.error());
    const core::CardId produced = created ? *created : 0;
    for (const std::string& use : ra::usesOf(type)) {
      const auto request =
          pki::CertificateRequest::fromPem(bureau_->certificateRequest(specification, use).value())
              .value();
      auto issued =
          authority_->issue({.product = placed.product + "-" + use,
                             .subject = ra::cardSubject(specification),
                             .email_addresses = holder.person.email.empty()
                                                    ? std::vector<std::string>{}
                                                    : std::vector<std::string>{holder.person.email},
                             .owner = {.holder = holder.person.id,
                                       .card = produced,
                                       .requested_by = holder.person.id},
                             .not_after = not_after},
                            request.publicKey().value(), actor_);
      EXPECT_TRUE(issued) << describe(issued.error());
    }
    const core::CertificateIdentity identity{persons_ca_->subjectDn(), serial};
    const auto known = registry_->certificateIdentities(holder.person.id).value();
    if (std::find(known.begin(), known.end(), identity) == known.end()) {
      EXPECT_TRUE(registry_->addCertificateIdentity(holder.person.id, identity, servicedesk_));
    }
    return produced;
  }

  /// A mobile certificate order of the notary's own card, approved by the officer.
  core::Order approvedMobileOrder(const core::Principal& holder) {
    const auto card = ownCard(holder, clock_.now() + kCardTerm);
    return approved(holder, renewalForm(holder, card, OrderType::mobile_add));
  }

  core::Order current(core::OrderId order) { return service_->order(order).value(); }

  pki::SystemRandom random_;
  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::OrderRepository> order_store_;
  std::unique_ptr<storage::CertificateInventory> inventory_;
  std::unique_ptr<storage::ActivationCodeRepository> activation_codes_;
  std::unique_ptr<ra::OrderService> service_;
  std::unique_ptr<ca::CertificateAuthority> authority_;
  std::unique_ptr<ra::DemoCardBureau> bureau_;
  std::unique_ptr<ra::CardOrders> orders_;
  std::unique_ptr<storage::BlockedKeyRepository> blocked_keys_;
  std::unique_ptr<ra::ServerOrders> server_orders_;
  std::unique_ptr<storage::AuditRepository> audit_log_;
  std::unique_ptr<ra::RegistryService> registry_service_;
  std::unique_ptr<ra::OrderSignatureVerifier> signatures_;
  std::unique_ptr<ra::Orders> entry_;  ///< the entry points that decide access
  std::unique_ptr<ra::OrganisationQueries> queries_;
  core::OrganisationId organisation_ = 0;
  core::Principal contact_;
  core::Principal officer_;
  core::PersonId manager_ = 0;
  int cards_placed_ = 0;
};

}  // namespace ra_test
