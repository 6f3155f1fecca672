// Card orders (ADR 0007): personal and group cards, renewals in their window, a professional
// holder's own renewal and mobile certificate, production by the demo bureau with its soft card,
// the production steps and the activation codes of mobile certificates.

#include "ra/card_orders.hpp"

#include "core/encoding.hpp"
#include "ordering_test_support.hpp"
#include "pki/certificate.hpp"
#include "pki/crypto.hpp"
#include "pki/csr_builder.hpp"
#include "pki/pkcs12.hpp"
#include "pki/public_key.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

namespace {

using namespace ra_test;
using CardOrdersTest = OrderingTest;

// --- new cards -------------------------------------------------------------------------------

TEST_F(CardOrdersTest, ANewPersonalCardIsADraftWithTrimmedDetailsAndACardTermFromNow) {
  ra::CardOrderForm form = personalForm();
  form.details = {.card_type = core::CardType::group,  // ignored: the form's card_type counts
                  .based_on = 41,                      // ignored for a new card
                  .holder = contact_.person.id,        // ignored: the holder is registered later
                  .given_name = "  Anna ",
                  .surname = " de Vries\t",
                  .email = " anna@voorbeeld.nl ",
                  .phone = " +31 30 765 4321 ",
                  .title = " Jurist  "};
  const core::Order order = created(contact_, form);
  const core::CardOrderDetails expected{.card_type = core::CardType::personal,
                                        .given_name = "Anna",
                                        .surname = "de Vries",
                                        .email = "anna@voorbeeld.nl",
                                        .phone = "+31 30 765 4321",
                                        .title = "Jurist"};
  EXPECT_EQ(order.status, OrderStatus::draft);
  EXPECT_EQ(order.type, OrderType::card_new);
  EXPECT_EQ(order.organisation, organisation_);
  EXPECT_EQ(order.requested_by, contact_.person.id);
  EXPECT_EQ(order.requester_identity, form.login_identity);
  EXPECT_EQ(order.product, "personal");
  EXPECT_EQ(order.common_name, "Anna de Vries");
  EXPECT_EQ(order.card, expected);
  EXPECT_FALSE(order.manager);
  EXPECT_EQ(order.not_before, clock_.now());
  EXPECT_EQ(order.not_after, clock_.now() + kCardTerm);

  // As stored, and as shown later.
  clock_.advance(1h);
  const ra::CardOrderDetails view = orders_->detailsOf(current(order.id)).value();
  EXPECT_EQ(current(order.id).card, expected);
  EXPECT_EQ(current(order.id).not_after, order.not_after);
  ASSERT_EQ(view.steps.size(), 1u);
  EXPECT_EQ(view.steps[0].status, OrderStatus::draft);
  EXPECT_EQ(view.steps[0].at, order.created_at);
  EXPECT_FALSE(view.activation_code);
  const std::string document = service_->documentOf(current(order.id)).value();
  EXPECT_NE(document.find("Soort pas: personal\n"), std::string::npos) << document;
  EXPECT_NE(document.find("Voornamen: Anna\nAchternaam: de Vries\n"), std::string::npos)
      << document;
}

TEST_F(CardOrdersTest, ANewGroupCardIsNamedByItsGroupAndLinkedToItsManager) {
  ra::CardOrderForm form = groupForm();
  form.details.group_name = " Team Financien ";
  form.details.email = "financien@voorbeeld.nl ";
  const core::Order order = created(contact_, form);
  EXPECT_EQ(order.product, "group");
  EXPECT_EQ(order.common_name, "Team Financien");
  EXPECT_EQ(order.manager, manager_);
  ASSERT_TRUE(order.card);
  EXPECT_EQ(order.card->card_type, core::CardType::group);
  EXPECT_EQ(order.card->group_name, "Team Financien");
  EXPECT_EQ(order.card->email, "financien@voorbeeld.nl");
  EXPECT_EQ(order.not_after, clock_.now() + kCardTerm);
  EXPECT_EQ(current(order.id).card, order.card);
}

TEST_F(CardOrdersTest, RefusesMissingAndMalformedHolderDetailsFieldByField) {
  ra::CardOrderForm form = personalForm();
  form.details.given_name = " ";
  form.details.surname = "";
  form.details.email = "anna@";
  form.details.phone = "030-ABC";
  const auto error = failure(orders_->create(contact_, form));
  EXPECT_EQ(error.kind, ErrorKind::invalid);
  EXPECT_EQ(error.fields, (Fields{{"given_name", "validation.required"},
                                  {"surname", "validation.required"},
                                  {"email", "validation.email"},
                                  {"phone", "validation.phone"}}));

  form = personalForm();
  form.details.given_name = std::string(40, 'A');
  form.details.surname = std::string(24, 'B');  // "A… B…" is 65 characters: too long for a CN
  form.details.title = std::string(65, 'T');
  EXPECT_EQ(failure(orders_->create(contact_, form)).fields,
            (Fields{{"surname", "order.name_too_long"}, {"title", "order.title_too_long"}}));
  form.details.surname = std::string(23, 'B');
  form.details.title = std::string(64, 'T');
  EXPECT_TRUE(orders_->create(contact_, form)) << "64 characters fit";

  ra::CardOrderForm group = groupForm();
  group.details.group_name = std::string(65, 'G');
  group.details.email = "";
  EXPECT_EQ(failure(orders_->create(contact_, group)).fields,
            (Fields{{"group_name", "order.group_name_too_long"}, {"email", "validation.email"}}));
  group.details.group_name = "  ";
  group.details.email = "financien@voorbeeld.nl";
  EXPECT_EQ(failure(orders_->create(contact_, group)).fields,
            (Fields{{"group_name", "order.group_name_required"}}));
  EXPECT_EQ(order_store_->listForOrganisation(organisation_, 10).value().size(), 1u);
}

TEST_F(CardOrdersTest, RefusesControlCharactersThatWouldEndUpInTheCertificate) {
  // The signed document shows a control character as U+FFFD, so it must never reach a
  // certificate: what is signed is what is issued.
  ra::CardOrderForm group = groupForm();
  group.details.group_name = "Team\nFinancien";
  ra::CardOrderForm personal = personalForm();
  personal.details.title = "Jurist\x01";
  ra::CardOrderForm named = personalForm();
  named.details.surname = "de\x7fVries";
  for (const auto& [form, field] : {std::pair{group, "group_name"}, std::pair{personal, "title"},
                                    std::pair{named, "surname"}}) {
    const auto error = failure(orders_->create(contact_, form));
    EXPECT_EQ(error.kind, ErrorKind::invalid) << field;
    EXPECT_EQ(error.fields.empty() ? "" : error.fields[0].field, field);
  }
  EXPECT_TRUE(order_store_->listForOrganisation(organisation_, 10).value().empty());
}

TEST_F(CardOrdersTest, AGroupCardNeedsAnActiveManagerOfTheOrganisation) {
  const auto other =
      registry_->createOrganisation(organisation("Ander B.V.", "87654321", ""), servicedesk_)
          .value();
  ra::CardOrderForm form = groupForm();
  form.manager.reset();
  EXPECT_EQ(failure(orders_->create(contact_, form)).fields,
            (Fields{{"manager", "order.group_manager_required"}}));
  const std::vector<std::pair<std::string, core::PersonId>> refused{
      {"unknown person", manager_ + 1000},
      {"manager elsewhere", member(other, "Anna", "Bakker", core::Role::manager).person.id},
      {"inactive manager",
       member(organisation_, "Kees", "de Vries", core::Role::manager, /*active=*/false).person.id},
      {"contact person", contact_.person.id},
  };
  for (const auto& [what, person] : refused) {
    form.manager = person;
    const auto error = failure(orders_->create(contact_, form));
    EXPECT_EQ(error.kind, ErrorKind::invalid) << what;
    EXPECT_EQ(error.fields, (Fields{{"manager", "order.group_manager_unknown"}})) << what;
  }
  EXPECT_TRUE(order_store_->listForOrganisation(organisation_, 10).value().empty());
}

TEST_F(CardOrdersTest, ANewCardIsPersonalOrGroupForAnOrganisation) {
  for (const auto type : {core::CardType::professional, core::CardType::mobile}) {
    ra::CardOrderForm form = personalForm();
    form.card_type = type;
    form.details.registration_number = "KNB-1";
    const auto error = failure(orders_->create(contact_, form));
    EXPECT_EQ(error.kind, ErrorKind::invalid) << core::toString(type);
    EXPECT_EQ(error.fields, (Fields{{"card_type", "order.card_type"}})) << core::toString(type);
  }
  ra::CardOrderForm server = personalForm();
  server.type = OrderType::server_new;
  EXPECT_EQ(failure(orders_->create(contact_, server)).kind, ErrorKind::invalid);
  ra::CardOrderForm nowhere = personalForm();
  nowhere.organisation.reset();
  EXPECT_EQ(failure(orders_->create(contact_, nowhere)).kind, ErrorKind::not_found);
  EXPECT_TRUE(order_store_->listForOrganisation(organisation_, 10).value().empty());
}

// --- renewals --------------------------------------------------------------------------------

TEST_F(CardOrdersTest, ACardIsRenewedOnlyInsideItsWindowToATermAfterItsEnd) {
  const core::Card card = producedCard(contact_, personalForm());
  ASSERT_EQ(card.not_after, clock_.now() + kCardTerm);
  clock_.advance(kCardTerm - kRenewalWindow - 24h);
  const auto early = failure(orders_->create(contact_, renewalForm(contact_, card.id)));
  EXPECT_EQ(early.kind, ErrorKind::invalid);
  EXPECT_EQ(early.fields, (Fields{{"card_id", "order.card_not_due"}}));

  clock_.advance(24h);  // exactly the window before its end
  const core::Order order = created(contact_, renewalForm(contact_, card.id));
  EXPECT_EQ(order.status, OrderStatus::draft);
  EXPECT_EQ(order.type, OrderType::card_renew);
  EXPECT_EQ(order.organisation, organisation_);
  EXPECT_EQ(order.product, "personal");
  ASSERT_TRUE(order.card);
  EXPECT_EQ(order.card->based_on, card.id);
  EXPECT_EQ(order.card->holder, card.holder);
  EXPECT_EQ(order.not_before, clock_.now());
  EXPECT_EQ(order.not_after, card.not_after + kCardTerm);
}

TEST_F(CardOrdersTest, ARevokedCardIsNotRenewed) {
  const core::Card card = producedCard(contact_, personalForm());
  clock_.advance(kCardTerm - 10 * 24h);
  for (const auto certificate : card.certificates)
    ASSERT_TRUE(authority_->revoke(certificate, "keyCompromise", actor_));
  EXPECT_EQ(failure(orders_->orderable(contact_, card.id)).fields,
            (Fields{{"card_id", "order.card_revoked"}}));
  ra::CardOrderForm form = personalForm();
  form.type = OrderType::card_renew;
  form.card = card.id;
  const auto error = failure(orders_->create(contact_, form));
  EXPECT_EQ(error.kind, ErrorKind::invalid);
  EXPECT_EQ(error.fields, (Fields{{"card_id", "order.card_revoked"}}));
}

TEST_F(CardOrdersTest, OnlySomeoneActingForTheOrganisationRenewsItsCard) {
  const core::Card card = producedCard(contact_, personalForm());
  clock_.advance(kCardTerm - 10 * 24h);
  const auto other =
      registry_->createOrganisation(organisation("Ander B.V.", "87654321", ""), servicedesk_)
          .value();
  const std::vector<std::pair<std::string, core::Principal>> outsiders{
      {"contact elsewhere", member(other, "Anna", "Bakker", core::Role::contact)},
      {"manager", member(organisation_, "Kees", "de Vries", core::Role::manager)},
      {"stranger", registered(person("Karel", "Onbekend"))},
      {"the holder", registry_->findPrincipal(*card.holder).value().value()},
  };
  ra::CardOrderForm form = renewalForm(contact_, card.id);
  for (const auto& [who, outsider] : outsiders) {
    EXPECT_EQ(failure(orders_->orderable(outsider, card.id)).kind, ErrorKind::not_found) << who;
    EXPECT_EQ(failure(orders_->create(outsider, form)).kind, ErrorKind::not_found) << who;
  }
  form.card = card.id + 100;
  EXPECT_EQ(failure(orders_->create(contact_, form)).kind, ErrorKind::not_found);
  EXPECT_EQ(order_store_->listForOrganisation(organisation_, 10).value().size(), 1u);
}

TEST_F(CardOrdersTest, APersonalRenewalKeepsTheHoldersNamesButTakesTheirContactDetails) {
  const core::Card card = producedCard(contact_, personalForm());
  clock_.advance(kCardTerm - 10 * 24h);
  const core::CardOrderDetails offered = orders_->orderable(contact_, card.id).value().details;
  EXPECT_EQ(offered.card_type, core::CardType::personal);
  EXPECT_EQ(offered.based_on, card.id);
  EXPECT_EQ(offered.holder, card.holder);
  EXPECT_EQ(offered.given_name, "Anna");
  EXPECT_EQ(offered.surname, "de Vries");
  EXPECT_EQ(offered.email, "anna@voorbeeld.nl");
  EXPECT_EQ(offered.title, "Jurist");

  ra::CardOrderForm form = renewalForm(contact_, card.id);
  form.details.given_name = "Berta";
  form.details.surname = "Jansen";
  form.details.email = " a.devries@voorbeeld.nl";
  form.details.phone = "+31 6 1234 5678";
  form.details.title = "Senior jurist";
  form.details.holder = contact_.person.id;  // never taken from the form
  const core::Order order = created(contact_, form);
  ASSERT_TRUE(order.card);
  EXPECT_EQ(order.card->given_name, "Anna");
  EXPECT_EQ(order.card->surname, "de Vries");
  EXPECT_EQ(order.common_name, "Anna de Vries");
  EXPECT_EQ(order.card->holder, card.holder);
  EXPECT_EQ(order.card->email, "a.devries@voorbeeld.nl");
  EXPECT_EQ(order.card->phone, "+31 6 1234 5678");
  EXPECT_EQ(order.card->title, "Senior jurist");
}

TEST_F(CardOrdersTest, AProfessionalRenewsTheirOwnCardWithChangedNames) {
  const core::Principal holder = notary();
  const auto card = ownCard(holder, clock_.now() + 30 * 24h);
  const core::CardOrderDetails offered = orders_->orderable(holder, card).value().details;
  EXPECT_EQ(offered.card_type, core::CardType::professional);
  EXPECT_EQ(offered.title, "Notaris");
  EXPECT_EQ(offered.registration_number, "KNB-2019-0142");

  // Nobody else renews it, not even for an organisation.
  const core::Principal colleague = notary("Frank", "de Boer");
  EXPECT_EQ(failure(orders_->orderable(colleague, card)).kind, ErrorKind::not_found);
  EXPECT_EQ(failure(orders_->create(colleague, renewalForm(holder, card))).kind,
            ErrorKind::not_found);
  EXPECT_EQ(failure(orders_->create(contact_, renewalForm(holder, card))).kind,
            ErrorKind::not_found);

  ra::CardOrderForm form = renewalForm(holder, card);
  form.details.given_name = "Eva Maria";
  form.details.surname = "de Boer-Smit";
  form.details.registration_number = "";
  EXPECT_EQ(failure(orders_->create(holder, form)).fields,
            (Fields{{"registration_number", "order.registration_number_required"}}));
  form.details.registration_number = "KNB-2026-0007";
  const core::Order order = created(holder, form);
  EXPECT_FALSE(order.organisation);
  EXPECT_EQ(order.product, "professional");
  EXPECT_EQ(order.common_name, "Eva Maria de Boer-Smit");
  ASSERT_TRUE(order.card);
  EXPECT_EQ(order.card->holder, holder.person.id);
  EXPECT_EQ(order.card->registration_number, "KNB-2026-0007");
  EXPECT_EQ(order.not_after, cardOf(card).not_after + kCardTerm);
  const auto own = order_store_->listForHolder(holder.person.id, 10).value();
  ASSERT_FALSE(own.empty());
  EXPECT_EQ(own.front().id, order.id);
}

TEST_F(CardOrdersTest, AMobileCertificateExtendsOnlyTheHoldersOwnLiveProfessionalCard) {
  const core::Principal holder = notary();
  const auto card = ownCard(holder, clock_.now() + 200 * 24h);
  ra::CardOrderForm form = renewalForm(holder, card, OrderType::mobile_add);
  form.details.given_name = "Iemand";
  form.details.registration_number = "KNB-9999";
  form.details.phone = " ";
  EXPECT_EQ(failure(orders_->create(holder, form)).fields,
            (Fields{{"phone", "order.mobile_phone_required"}}));
  form.details.phone = " +31 6 9876 5432";
  const core::Order order = created(holder, form);
  EXPECT_EQ(order.type, OrderType::mobile_add);
  EXPECT_EQ(order.product, "mobile");
  EXPECT_FALSE(order.organisation);
  ASSERT_TRUE(order.card);
  EXPECT_EQ(order.card->card_type, core::CardType::mobile);
  EXPECT_EQ(order.card->based_on, card);
  EXPECT_EQ(order.card->given_name, "Eva") << "only the phone number is entered";
  EXPECT_EQ(order.card->registration_number, "KNB-2019-0142");
  EXPECT_EQ(order.card->phone, "+31 6 9876 5432");
  EXPECT_EQ(order.not_after, clock_.now() + kMobileTerm);

  // Not on someone else's card, not on an organisation's card, not on a mobile certificate.
  const core::Principal colleague = notary("Frank", "de Boer");
  EXPECT_EQ(failure(orders_->create(colleague, form)).kind, ErrorKind::not_found);
  const core::Card personal = producedCard(contact_, personalForm());
  const auto organisations =
      failure(orders_->create(contact_, renewalForm(contact_, personal.id, OrderType::mobile_add)));
  EXPECT_EQ(organisations.kind, ErrorKind::invalid);
  EXPECT_EQ(organisations.fields, (Fields{{"card_id", "order.mobile_needs_professional_card"}}));
  const auto mobile = ownCard(holder, clock_.now() + 20 * 24h, core::CardType::mobile);
  EXPECT_EQ(
      failure(orders_->create(holder, renewalForm(holder, mobile, OrderType::mobile_add))).fields,
      (Fields{{"card_id", "order.mobile_needs_professional_card"}}));
  EXPECT_EQ(failure(orders_->create(holder, renewalForm(holder, mobile))).fields,
            (Fields{{"card_id", "order.card_not_renewable"}}));

  // Not once the card has ended.
  clock_.advance(200 * 24h);
  const auto expired = failure(orders_->create(holder, form));
  EXPECT_EQ(expired.kind, ErrorKind::invalid);
  EXPECT_EQ(expired.fields, (Fields{{"card_id", "order.card_expired"}}));
}

// --- approval and production -----------------------------------------------------------------

TEST_F(CardOrdersTest, ApprovalProducesAPersonalCardForANewlyRegisteredHolder) {
  const core::Order order = submitted(contact_, personalForm());
  const auto persons_before = rows("persons");
  auto produced = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(produced) << describe(produced.error());
  EXPECT_EQ(produced->status, OrderStatus::in_production);
  ASSERT_TRUE(produced->produced_card);
  EXPECT_EQ(current(order.id).produced_card, produced->produced_card);

  const core::Card card = cardOf(*produced->produced_card);
  EXPECT_EQ(card.type, core::CardType::personal);
  EXPECT_EQ(card.organisation, organisation_);
  ASSERT_TRUE(card.holder);
  EXPECT_EQ(rows("persons"), persons_before + 1);
  const core::Person holder = registry_->findPerson(*card.holder).value().value();
  EXPECT_EQ(holder.given_name, "Anna");
  EXPECT_EQ(holder.surname, "de Vries");
  EXPECT_EQ(holder.email, "anna@voorbeeld.nl");
  EXPECT_EQ(holder.phone, "+31 30 765 4321");
  EXPECT_FALSE(holder.portal_access);

  const auto certificates = certificatesOf(card.id);
  ASSERT_EQ(certificates.size(), 3u);
  const std::vector<std::string> products{"personal-authentication", "personal-signature",
                                          "personal-encryption"};
  const std::string number = serialNumberOf(pki::Certificate::fromPem(certificates[0].pem).value());
  EXPECT_FALSE(number.empty());
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    EXPECT_EQ(certificates[i].product, products[i]);
    EXPECT_EQ(certificates[i].holder, card.holder);
    EXPECT_EQ(certificates[i].organisation, organisation_);
    EXPECT_EQ(certificates[i].requested_by, contact_.person.id);
    EXPECT_EQ(certificates[i].not_after, order.not_after);
    const auto parsed = pki::Certificate::fromPem(certificates[i].pem).value();
    EXPECT_EQ(serialNumberOf(parsed), number) << products[i];
    EXPECT_EQ(parsed.subjectAttribute("GN"), "Anna");
    EXPECT_EQ(parsed.subjectAttribute("SN"), "de Vries");
    EXPECT_EQ(parsed.subjectAttribute("title"), "Jurist");
    EXPECT_EQ(parsed.subjectAttribute("O"), "Voorbeeld B.V.");
  }
  const auto [status, output] = verify(certificates[0].pem, "sslclient");
  EXPECT_EQ(status, 0) << output;

  // The card's authentication certificate logs its holder in.
  const auto login =
      registry_->findPrincipalByCertificate({persons_ca_->subjectDn(), number}).value();
  ASSERT_TRUE(login);
  EXPECT_EQ(login->person.id, *card.holder);
}

TEST_F(CardOrdersTest, ApprovalProducesAGroupCardWithoutAHolder) {
  const core::Order order = approved(contact_, groupForm());
  EXPECT_EQ(order.status, OrderStatus::in_production);
  const core::Card card = cardOf(order.produced_card.value_or(0));
  EXPECT_EQ(card.type, core::CardType::group);
  EXPECT_FALSE(card.holder);
  EXPECT_EQ(card.manager, manager_);
  const auto certificates = parsedCertificatesOf(card.id);
  ASSERT_EQ(certificates.size(), 3u);
  for (const auto& certificate : certificates) {
    EXPECT_EQ(certificate.subjectAttribute("CN"), "Team Financien");
    EXPECT_EQ(certificate.subjectAttribute("organizationIdentifier"), "NTRNL-12345678");
  }
}

TEST_F(CardOrdersTest, ARenewedCardKeepsTheHoldersNumber) {
  const core::Card old = producedCard(contact_, personalForm());
  const std::string number = serialNumberOf(parsedCertificatesOf(old.id).front());
  clock_.advance(kCardTerm - 30 * 24h);
  ra::CardOrderForm form = renewalForm(contact_, old.id);
  form.details.email = "a.devries@voorbeeld.nl";
  const core::Card renewed = producedCard(contact_, form);
  EXPECT_NE(renewed.id, old.id);
  EXPECT_EQ(renewed.holder, old.holder);
  EXPECT_EQ(renewed.not_after, old.not_after + kCardTerm);
  const auto certificates = parsedCertificatesOf(renewed.id);
  ASSERT_EQ(certificates.size(), 3u);
  for (const auto& certificate : certificates) EXPECT_EQ(serialNumberOf(certificate), number);
  EXPECT_EQ(registry_->certificateIdentities(*old.holder).value(),
            (std::vector<core::CertificateIdentity>{{persons_ca_->subjectDn(), number}}));
  EXPECT_EQ(registry_->findPerson(*old.holder).value()->email, "a.devries@voorbeeld.nl");
}

TEST_F(CardOrdersTest, AProfessionalRenewalRecordsTheNewRegistrationNumberAndNames) {
  const core::Principal holder = notary();
  const auto card = ownCard(holder, clock_.now() + 30 * 24h);
  ra::CardOrderForm form = renewalForm(holder, card);
  form.details.surname = "de Boer-Smit";
  form.details.registration_number = "KNB-2026-0007";
  const core::Card renewed = producedCard(holder, form);
  EXPECT_EQ(renewed.type, core::CardType::professional);
  EXPECT_FALSE(renewed.organisation);
  EXPECT_EQ(registry_->professionalDetails(holder.person.id).value()->registration_number,
            "KNB-2026-0007");
  EXPECT_EQ(registry_->professionalDetails(holder.person.id).value()->address.city, "Amsterdam")
      << "the rest of the application stays";
  EXPECT_EQ(registry_->findPerson(holder.person.id).value()->surname, "de Boer-Smit");
  for (const auto& certificate : parsedCertificatesOf(renewed.id)) {
    EXPECT_EQ(serialNumberOf(certificate), "900000555");
    EXPECT_EQ(certificate.subjectAttribute("SN"), "de Boer-Smit");
    EXPECT_EQ(certificate.subjectAttribute("title"), "Notaris");
  }
}

TEST_F(CardOrdersTest, ANewHoldersNumberIsNeverOneSomeoneElseLogsInWith) {
  // A new holder's number follows from their registration: learn how from a first card.
  const core::Card first = producedCard(contact_, personalForm());
  const long long base =
      std::stoll(serialNumberOf(parsedCertificatesOf(first.id).front())) - *first.holder;
  const core::Order order = submitted(contact_, personalForm());
  // Someone already logs in with the number the next registered person would get.
  const core::Principal other = registered(person("Karel", "Bestaand"));
  const std::string taken = std::to_string(base + other.person.id + 1);
  ASSERT_TRUE(registry_->addCertificateIdentity(other.person.id, {persons_ca_->subjectDn(), taken},
                                                servicedesk_));

  (void)orders_->approve(officer_, current(order.id));
  auto sql = rawSession();
  std::vector<std::string> pems(100);
  *sql << "SELECT pem FROM certificates", soci::into(pems);
  ASSERT_EQ(pems.size(), 3u + (current(order.id).produced_card ? 3u : 0u));
  for (const auto& pem : pems)
    EXPECT_NE(serialNumberOf(pki::Certificate::fromPem(pem).value()), taken)
        << "a card of Anna de Vries would log in as Karel Bestaand";
  EXPECT_EQ(registry_->findPrincipalByCertificate({persons_ca_->subjectDn(), taken})
                .value()
                .value()
                .person.id,
            other.person.id);
}

TEST_F(CardOrdersTest, AnOrderApprovedBeforeProductionIsProducedOnce) {
  const core::Order order = submitted(contact_, personalForm());
  ASSERT_TRUE(service_->startProcessing(officer_, current(order.id)));
  ASSERT_TRUE(service_->approve(officer_, current(order.id)));
  auto produced = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(produced) << describe(produced.error());
  EXPECT_EQ(produced->status, OrderStatus::in_production);
  EXPECT_EQ(certificateCount(), 3);

  const auto again = failure(orders_->approve(officer_, current(order.id)));
  EXPECT_EQ(again.kind, ErrorKind::conflict);
  EXPECT_EQ(rows("cards"), 1);
  EXPECT_EQ(certificateCount(), 3);
  EXPECT_EQ(current(order.id).status, OrderStatus::in_production);
}

TEST_F(CardOrdersTest, AProductionThatFailedIsRetriedOnApproval) {
  const core::Order order = submitted(contact_, personalForm());
  // The persons CA's signer is down during the first attempt.
  auto down = issuers();
  down[1].signer = nullptr;
  ca::CertificateAuthority unavailable(down, ca::builtInProfiles(), *store_, *key_check_, clock_,
                                       random_);
  ra::CardOrders failing(*service_, *order_store_, *registry_, *inventory_, *activation_codes_,
                         bureau_.get(), *store_, unavailable, random_, clock_,
                         ra::CardOrderSettings{});
  const auto persons_before = rows("persons");
  const auto first = failure(failing.approve(officer_, current(order.id)));
  EXPECT_EQ(first.kind, ErrorKind::unavailable);
  EXPECT_EQ(current(order.id).status, OrderStatus::approved);
  // The new holder is registered once, with the order's record of them.
  EXPECT_EQ(rows("persons"), persons_before + 1);
  ASSERT_TRUE(current(order.id).card->holder);

  auto retried = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(retried) << describe(retried.error());
  EXPECT_EQ(retried->status, OrderStatus::in_production);
  ASSERT_TRUE(retried->produced_card);
  EXPECT_EQ(certificatesOf(*retried->produced_card).size(), 3u);
  EXPECT_EQ(rows("persons"), persons_before + 1) << "a retried production registers nobody again";
}

TEST_F(CardOrdersTest, AnApprovedMobileCertificateWaitsForEnrolment) {
  const core::Principal holder = notary();
  const auto card = ownCard(holder, clock_.now() + kCardTerm);
  const auto certificates_before = certificateCount();
  const core::Order order = approved(holder, renewalForm(holder, card, OrderType::mobile_add));
  EXPECT_EQ(order.status, OrderStatus::approved);
  EXPECT_FALSE(order.produced_card);
  EXPECT_EQ(certificateCount(), certificates_before);
  const auto again = failure(orders_->approve(officer_, current(order.id)));
  EXPECT_EQ(again.kind, ErrorKind::conflict);
  EXPECT_EQ(failure(orders_->ship(officer_, current(order.id))).kind, ErrorKind::conflict);
  EXPECT_EQ(current(order.id).status, OrderStatus::approved);
}

TEST_F(CardOrdersTest, ACardIsShippedThenActivatedAndEveryStepIsRecordedWithItsTime) {
  const core::TimePoint start = clock_.now();
  const core::Order draft = created(contact_, personalForm());
  clock_.advance(1h);
  const core::OrderEvidence evidence{service_->documentOf(current(draft.id)).value(), "DER", "PEM"};
  ASSERT_TRUE(service_->submit(contact_, current(draft.id), evidence));
  clock_.advance(1h);
  ASSERT_TRUE(orders_->approve(officer_, current(draft.id)));

  // Not activated before it was shipped; not shipped twice.
  EXPECT_EQ(failure(orders_->activate(officer_, current(draft.id))).kind, ErrorKind::conflict);
  clock_.advance(24h);
  auto shipped = orders_->ship(officer_, current(draft.id));
  ASSERT_TRUE(shipped) << describe(shipped.error());
  EXPECT_EQ(shipped->status, OrderStatus::shipped);
  EXPECT_EQ(failure(orders_->ship(officer_, current(draft.id))).kind, ErrorKind::conflict);
  clock_.advance(48h);
  auto activated = orders_->activate(officer_, current(draft.id));
  ASSERT_TRUE(activated) << describe(activated.error());
  EXPECT_EQ(activated->status, OrderStatus::issued);
  EXPECT_EQ(failure(orders_->activate(officer_, current(draft.id))).kind, ErrorKind::conflict);

  const std::vector<std::pair<OrderStatus, core::TimePoint>> expected{
      {OrderStatus::draft, start},
      {OrderStatus::submitted, start + 1h},
      {OrderStatus::in_processing, start + 2h},
      {OrderStatus::approved, start + 2h},
      {OrderStatus::in_production, start + 2h},
      {OrderStatus::shipped, start + 26h},
      {OrderStatus::activated, start + 74h},
      {OrderStatus::issued, start + 74h},
  };
  std::vector<std::pair<OrderStatus, core::TimePoint>> steps;
  for (const auto& step : orders_->detailsOf(current(draft.id)).value().steps)
    steps.emplace_back(step.status, step.at);
  EXPECT_EQ(steps, expected);
}

TEST_F(CardOrdersTest, AServerOrderIsNoCardOrder) {
  core::Order server;
  server.type = OrderType::server_new;
  server.organisation = organisation_;
  server.product = "server-private";
  const core::Order order = service_->createDraft(contact_, server).value();
  EXPECT_EQ(failure(orders_->detailsOf(current(order.id))).kind, ErrorKind::not_found);
  EXPECT_EQ(failure(orders_->approve(officer_, current(order.id))).kind, ErrorKind::not_found);
  EXPECT_EQ(failure(orders_->newActivationCode(contact_, current(order.id))).kind,
            ErrorKind::not_found);
}

// --- the bureau's certificate requests ------------------------------------------------------

namespace {

/// A card bureau outside the portal: its keys stay with it (here: in memory), the portal gets
/// certificate requests only. `fault` makes its requests wrong in one way.
class ExternalBureau final : public ra::CardProduction {
 public:
  enum class Fault { none, other_holder, bad_signature, one_key_for_all };
  Fault fault = Fault::none;
  pki::PrivateKey shared_key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
  std::vector<pki::PrivateKey> keys;   ///< every key it made
  std::vector<std::string> delivered;  ///< the uses whose certificate it got

  core::Result<std::string> certificateRequest(const ra::CardSpecification& card,
                                               std::string_view) override {
    const pki::PrivateKey key = fault == Fault::one_key_for_all
                                    ? shared_key
                                    : pki::PrivateKey::generate(pki::KeyType::ec_p256);
    keys.push_back(key);
    auto subject = ra::cardSubject(card);
    // Another holder's request: the number of someone else.
    if (fault == Fault::other_holder)
      for (auto& attribute : subject)
        if (attribute.type == "serialNumber") attribute.value = "900000999";
    auto request = pki::buildCertificateRequest(key, subject);
    if (!request) return request.error();
    if (fault != Fault::bad_signature) return request->toPem();
    std::vector<std::uint8_t> der = request->toDer();
    der.back() ^= 0x01;  // the last byte of the signature
    return std::string(der.begin(), der.end());
  }
  core::Result<void> certificateIssued(const ra::CardSpecification&, std::string_view use,
                                       const std::string&) override {
    delivered.emplace_back(use);
    return {};
  }
};

/// The bytes of `file` ("" if there is none).
std::string fileBytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_F(CardOrdersTest, ABureauCardGetsACertificatePerRequestAndThePortalKeepsNoPrivateKey) {
  ExternalBureau bureau;
  const auto external = cardOrders(&bureau);
  const core::Order order = submitted(contact_, personalForm());
  auto produced = external->approve(officer_, current(order.id));
  ASSERT_TRUE(produced) << describe(produced.error());
  EXPECT_EQ(produced->status, OrderStatus::in_production);
  EXPECT_EQ(bureau.delivered,
            (std::vector<std::string>{"authentication", "signature", "encryption"}));

  // Each certificate certifies the key of the bureau's request for it.
  const auto certificates = parsedCertificatesOf(*produced->produced_card);
  ASSERT_EQ(certificates.size(), 3u);
  ASSERT_EQ(bureau.keys.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(pki::PublicKey::ofCertificate(certificates[i]).sha256Hex(),
              pki::PublicKey::of(bureau.keys[i]).sha256Hex());

  // The database holds no soft card and none of the card's private keys, in any form.
  EXPECT_EQ(rows("soft_cards"), 0);
  const std::string stored = fileBytes(file()) + fileBytes(file().string() + "-wal");
  ASSERT_FALSE(stored.empty());
  for (const pki::PrivateKey& key : bureau.keys) {
    const std::string pem = key.toPem();
    const auto body_start = pem.find('\n') + 1;
    const std::string body = pem.substr(body_start, pem.find("-----END") - body_start);
    std::string base64;
    for (const char c : body)
      if (c != '\n') base64 += c;
    const auto der = core::fromBase64(base64).value();
    EXPECT_EQ(stored.find(base64.substr(0, 40)), std::string::npos)
        << "a key's PEM in the database";
    EXPECT_EQ(stored.find(std::string(der.begin(), der.end())), std::string::npos)
        << "a key's DER in the database";
  }
}

TEST_F(CardOrdersTest, ARequestThatDoesNotBelongToTheCardIsRefusedAndNothingIsIssued) {
  struct Case {
    ExternalBureau::Fault fault;
    std::string message;
  };
  for (const Case& refused :
       {Case{ExternalBureau::Fault::other_holder, "card.csr_subject_mismatch"},
        Case{ExternalBureau::Fault::bad_signature, "card.csr_bad_signature"},
        Case{ExternalBureau::Fault::one_key_for_all, "card.csr_key_reused"}}) {
    ExternalBureau bureau;
    bureau.fault = refused.fault;
    const auto external = cardOrders(&bureau);
    const core::Order order = submitted(contact_, personalForm());
    const auto certificates_before = certificateCount();
    const auto cards_before = rows("cards");
    const auto error = failure(external->approve(officer_, current(order.id)));
    EXPECT_EQ(error.kind, ErrorKind::conflict) << refused.message;
    EXPECT_EQ(error.message, refused.message);
    EXPECT_EQ(certificateCount(), certificates_before) << refused.message;
    EXPECT_EQ(rows("cards"), cards_before) << refused.message;
    EXPECT_TRUE(bureau.delivered.empty()) << refused.message;
    EXPECT_EQ(current(order.id).status, OrderStatus::approved) << refused.message;
    EXPECT_FALSE(current(order.id).produced_card) << refused.message;
  }
}

TEST_F(CardOrdersTest, ARequestWithABlockedKeyIsRefusedByTheKeyRules) {
  ExternalBureau bureau;
  bureau.fault = ExternalBureau::Fault::one_key_for_all;
  ASSERT_TRUE(blocked_keys_->add(pki::PublicKey::of(bureau.shared_key).sha256Hex(), "compromised",
                                 std::nullopt, servicedesk_));
  const auto external = cardOrders(&bureau);
  const core::Order order = submitted(contact_, personalForm());
  const auto certificates_before = certificateCount();
  const auto error = failure(external->approve(officer_, current(order.id)));
  EXPECT_EQ(error.message, "card.csr_key_refused");
  EXPECT_EQ(certificateCount(), certificates_before);
  EXPECT_EQ(current(order.id).status, OrderStatus::approved);
}

TEST_F(CardOrdersTest, WithoutABureauACardOrderIsNotApprovedAndNothingChanges) {
  const auto no_bureau = cardOrders(nullptr);
  const core::Order order = submitted(contact_, personalForm());
  const auto error = failure(no_bureau->approve(officer_, current(order.id)));
  EXPECT_EQ(error.kind, ErrorKind::conflict);
  EXPECT_EQ(error.message, "card.no_bureau");
  EXPECT_EQ(current(order.id).status, OrderStatus::submitted);
}

TEST_F(CardOrdersTest, TheDemoBureauKeepsItsKeysInFilesAndMakesTheSoftCardFromThem) {
  const core::Order order = approved(contact_, personalForm());
  ASSERT_TRUE(order.produced_card);
  const core::Card card = cardOf(*order.produced_card);
  const auto folder = dir_.path() / "cards" / ("order-" + std::to_string(order.id));
  for (const std::string use : {"authentication", "signature", "encryption"}) {
    EXPECT_TRUE(std::filesystem::exists(folder / (use + ".crt"))) << use;
    EXPECT_EQ(std::filesystem::status(folder / (use + ".key")).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << use;
  }
  const auto soft_card = bureau_->softCard(order.id).value();
  ASSERT_TRUE(soft_card);
  auto contents = pki::readPkcs12(*soft_card, ra::DemoCardBureau::kSoftCardPassword);
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(std::string(ra::DemoCardBureau::kSoftCardPassword), "demo");
  EXPECT_EQ(contents->certificate.toPem(), certificatesOf(card.id).front().pem);
  EXPECT_EQ(contents->key.toPem(), fileBytes(folder / "authentication.key"));
  ASSERT_EQ(contents->chain.size(), 1u);
  EXPECT_EQ(contents->chain[0].toPem(), persons_ca_->toPem());
  EXPECT_FALSE(pki::readPkcs12(*soft_card, "wrong"));
  EXPECT_FALSE(bureau_->softCard(order.id + 1).value());
}

// --- activation codes ------------------------------------------------------------------------

TEST_F(CardOrdersTest, AnActivationCodeIsFourGroupsOfUnambiguousCharacters) {
  const core::Principal holder = notary();
  const core::Order order = approvedMobileOrder(holder);
  const std::string alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  std::set<std::string> codes;
  for (int i = 0; i < 20; ++i) {
    auto made = orders_->newActivationCode(holder, current(order.id));
    ASSERT_TRUE(made) << describe(made.error());
    const std::string* code = &made->code;
    ASSERT_EQ(code->size(), 19u) << *code;
    for (std::size_t at = 0; at < code->size(); ++at) {
      if (at % 5 == 4)
        EXPECT_EQ((*code)[at], '-') << *code;
      else
        EXPECT_NE(alphabet.find((*code)[at]), std::string::npos) << *code;
    }
    codes.insert(*code);
  }
  EXPECT_EQ(codes.size(), 20u) << "random codes";
}

TEST_F(CardOrdersTest, OnlyTheHashOfAnActivationCodeIsStored) {
  const core::Principal holder = notary();
  const core::Order order = approvedMobileOrder(holder);
  const std::string code = orders_->newActivationCode(holder, current(order.id)).value().code;
  std::string plain = code;
  std::erase(plain, '-');
  EXPECT_EQ(ra::activationCodeHash(code), pki::sha256Hex(plain));
  std::string typed = plain.substr(0, 8) + " " + plain.substr(8);
  std::transform(typed.begin(), typed.end(), typed.begin(), ::tolower);
  EXPECT_EQ(ra::activationCodeHash(typed), ra::activationCodeHash(code)) << "as typed";

  auto sql = rawSession();
  std::string stored;
  *sql << "SELECT code_sha256 FROM activation_codes WHERE order_id = :o", soci::use(order.id),
      soci::into(stored);
  EXPECT_EQ(stored, ra::activationCodeHash(code));
  sql.reset();
  // Nowhere in the database (file and write-ahead log), with or without dashes.
  std::string bytes;
  for (const auto& path : {file(), std::filesystem::path(file().string() + "-wal")}) {
    std::ifstream in(path, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(code), std::string::npos);
  EXPECT_EQ(bytes.find(plain), std::string::npos);
  EXPECT_NE(bytes.find(stored), std::string::npos) << "the search itself works";

  const ra::CardOrderDetails view = orders_->detailsOf(current(order.id)).value();
  ASSERT_TRUE(view.activation_code);
  EXPECT_EQ(view.activation_code->created_at, clock_.now());
  EXPECT_EQ(view.activation_code->expires_at, clock_.now() + kCodeValidity);
  EXPECT_FALSE(view.activation_code->used_at);
}

TEST_F(CardOrdersTest, ANewActivationCodeReplacesTheFirstAndACodeIsUsedOnce) {
  const core::Principal holder = notary();
  const core::Order order = approvedMobileOrder(holder);
  const std::string first = orders_->newActivationCode(holder, current(order.id)).value().code;
  const std::string second = orders_->newActivationCode(holder, current(order.id)).value().code;
  const auto replaced = failure(activation_codes_->use(ra::activationCodeHash(first), actor_));
  EXPECT_EQ(replaced.kind, ErrorKind::not_found);
  EXPECT_EQ(replaced.message, "activation_code.invalid");

  clock_.advance(1h);
  EXPECT_EQ(activation_codes_->use(ra::activationCodeHash(second), actor_).value(), order.id);
  EXPECT_EQ(orders_->detailsOf(current(order.id)).value().activation_code->used_at, clock_.now());
  EXPECT_EQ(failure(activation_codes_->use(ra::activationCodeHash(second), actor_)).message,
            "activation_code.invalid");
  const auto after_use = failure(orders_->newActivationCode(holder, current(order.id)));
  EXPECT_EQ(after_use.kind, ErrorKind::conflict);
  EXPECT_EQ(after_use.message, "activation_code.used");
}

TEST_F(CardOrdersTest, AnExpiredActivationCodeIsRefused) {
  const core::Principal holder = notary();
  const core::Order order = approvedMobileOrder(holder);
  const std::string expired = orders_->newActivationCode(holder, current(order.id)).value().code;
  clock_.advance(kCodeValidity);
  EXPECT_EQ(failure(activation_codes_->use(ra::activationCodeHash(expired), actor_)).message,
            "activation_code.invalid");

  const std::string fresh = orders_->newActivationCode(holder, current(order.id)).value().code;
  clock_.advance(kCodeValidity - 1s);
  EXPECT_EQ(activation_codes_->use(ra::activationCodeHash(fresh), actor_).value(), order.id);
}

TEST_F(CardOrdersTest, AnActivationCodeIsMadeOnlyOnceApprovedAndOnlyForMobileOrders) {
  const core::Principal holder = notary();
  const auto card = ownCard(holder, clock_.now() + kCardTerm);
  const core::Order order = submitted(holder, renewalForm(holder, card, OrderType::mobile_add));
  const auto early = failure(orders_->newActivationCode(holder, current(order.id)));
  EXPECT_EQ(early.kind, ErrorKind::conflict);
  EXPECT_EQ(early.message, "order.activation_not_ready");

  ASSERT_TRUE(orders_->approve(officer_, current(order.id)));
  EXPECT_FALSE(activation_codes_->find(order.id).value());
  EXPECT_TRUE(orders_->newActivationCode(holder, current(order.id)));

  const core::Order card_order = submitted(contact_, personalForm());
  EXPECT_EQ(failure(orders_->newActivationCode(contact_, current(card_order.id))).kind,
            ErrorKind::not_found);
}

}  // namespace

// ADR 0024: mobile enrolment runs the CA's one key check, blocklist included (it used to pass an
// empty blocklist), and a refused CSR leaves the code unused and the order approved.
TEST_F(CardOrdersTest, EnrolmentRefusesABlocklistedKeyAndTwoCsrsInOne) {
  const core::Principal holder = notary();
  const core::Order order = approvedMobileOrder(holder);
  const std::string code = orders_->newActivationCode(holder, current(order.id)).value().code;
  const pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
  const std::string csr = pki::buildCertificateRequest(key, "telefoon").value().toPem();
  ASSERT_TRUE(blocked_keys_->add(pki::PublicKey::of(key).sha256Hex(), "Gelekt", officer_.person.id,
                                 actor_));
  const auto blocked = failure(orders_->enroll(code, csr));
  EXPECT_EQ(blocked.kind, ErrorKind::invalid);
  EXPECT_EQ(blocked.fields, (std::vector<core::FieldError>{{"csr", "csr.weak_key.blocklisted"}}));

  const auto two = failure(orders_->enroll(code, csr + csr));
  EXPECT_EQ(two.fields, (std::vector<core::FieldError>{{"csr", "csr.multiple_objects"}}));
  EXPECT_EQ(current(order.id).status, OrderStatus::approved);

  ASSERT_TRUE(blocked_keys_->remove(pki::PublicKey::of(key).sha256Hex(), actor_));
  const auto enrolled = orders_->enroll(code, csr);
  ASSERT_TRUE(enrolled) << enrolled.error().message;
  EXPECT_EQ(current(order.id).status, OrderStatus::issued);
}
