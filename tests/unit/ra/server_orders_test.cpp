#include "ra/server_orders.hpp"

#include "../ca/ca_test_support.hpp"
#include "../pki/csr_test_support.hpp"
#include "pki/certificate.hpp"
#include "pki/certificate_request.hpp"
#include "pki/crypto.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using core::ErrorKind;
using core::OrderStatus;
using namespace std::chrono_literals;

/// The product's term and maximum (ca::builtInProfiles, server-private).
constexpr std::chrono::days kTerm{730};
constexpr std::chrono::days kMaxValidity{1095};

using Fields = std::vector<core::FieldError>;

/// The error of a result that must be a failure.
template <class T>
core::Error failure(const core::Result<T>& result) {
  EXPECT_FALSE(result) << "succeeded unexpectedly";
  return result ? core::Error{} : result.error();
}

/// A fresh EC P-256 key.
pki::test::KeyPtr ecKey() {
  return pki::test::generateKey("EC", "P-256");
}

/// A CSR with `names` as SANs and the first as CN.
std::string csrFor(EVP_PKEY* key, const std::vector<std::string>& names) {
  std::string alt_names;
  for (const auto& name : names) alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + name;
  return pki::test::makeCsr(key, {{{"CN", names.front()}}, alt_names});
}

/// SHA-256 (hex) of the SubjectPublicKeyInfo of a CSR.
std::string keyHashOf(const std::string& csr) {
  return pki::CertificateRequest::fromPem(csr).value().publicKey().value().sha256Hex();
}

class ServerOrdersTest : public ca_test::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    order_store_ = std::make_unique<storage::OrderRepository>(*database_, clock_);
    inventory_ = std::make_unique<storage::CertificateInventory>(*database_);
    blocked_keys_ = std::make_unique<storage::BlockedKeyRepository>(*database_, clock_);
    service_ = std::make_unique<ra::OrderService>(*order_store_, *registry_, random_,
                                                  "https://mijncert.example");
    authority_ = authority(random_);
    orders_ = std::make_unique<ra::ServerOrders>(*service_, *order_store_, *registry_, *inventory_,
                                                 *store_, *authority_, clock_);
    organisation_ =
        registry_->createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_)
            .value();
    ASSERT_TRUE(registry_->addValidatedDomain(organisation_, "voorbeeld.nl", servicedesk_));
    requester_ = principal("Jan", "Jansen");
    ASSERT_TRUE(
        registry_->addRole(requester_.person.id, organisation_, core::Role::contact, servicedesk_));
    // As the login finds them: a contact with portal access of this organisation.
    requester_ = registry_->findPrincipal(requester_.person.id).value().value();
    officer_ = principal("Johan", "Smit");
    manager_ = member(organisation_, "Piet", "Pietersen", core::Role::manager);
  }
  void TearDown() override {
    orders_.reset();
    authority_.reset();
    service_.reset();
    blocked_keys_.reset();
    inventory_.reset();
    order_store_.reset();
    registry_.reset();
    CaTest::TearDown();
  }

  core::Principal principal(std::string given_name, std::string surname) {
    core::Principal result;
    result.person = person(std::move(given_name), std::move(surname));
    result.person.id = registry_->createPerson(result.person, servicedesk_).value();
    return result;
  }

  /// A person with `role` in `organisation` (inactive: a proposed manager not yet listed).
  core::PersonId member(core::OrganisationId organisation, std::string given_name,
                        std::string surname, core::Role role, bool active = true) {
    const auto id = principal(std::move(given_name), std::move(surname)).person.id;
    EXPECT_TRUE(registry_->addRole(id, organisation, role, servicedesk_, active));
    return id;
  }

  /// A new order of `csr` by the requester naming the certificate manager.
  ra::ServerOrderForm form(const std::string& csr) const {
    ra::ServerOrderForm f;
    f.organisation = organisation_;
    f.csr = csr;
    f.manager = manager_;
    f.login_identity = {"CN=Test Persons CA,O=Test TSP,C=NL", "900001234"};
    f.login_key_sha256 = std::string(64, 'f');
    return f;
  }

  /// A renewal of `certificate` with `csr`, its manager carried over.
  ra::ServerOrderForm renewal(core::CertificateId certificate, const std::string& csr) const {
    ra::ServerOrderForm f = form(csr);
    f.type = core::OrderType::server_renew;
    f.renewal_of = certificate;
    f.manager.reset();
    return f;
  }

  /// A draft, which must be created.
  core::Order created(const ra::ServerOrderForm& input) {
    auto order = orders_->create(requester_, input);
    EXPECT_TRUE(order) << order.error().message
                       << (order.error().fields.empty() ? ""
                                                        : " " + order.error().fields[0].message);
    return order.value();
  }

  /// A draft for `names` (fresh key) signed by the requester.
  core::Order submitted(const std::vector<std::string>& names = {"www.voorbeeld.nl",
                                                                 "voorbeeld.nl"},
                        std::optional<core::ProposedManager> proposal = std::nullopt) {
    auto input = form(csrFor(ecKey().get(), names));
    if (proposal) {
      input.manager.reset();
      input.proposed_manager = std::move(proposal);
    }
    const core::Order order = created(input);
    const core::OrderEvidence evidence{service_->documentOf(order).value(), "DER",
                                       "-----BEGIN CERTIFICATE-----\n"};
    auto signed_order = service_->submit(requester_, order, evidence);
    EXPECT_TRUE(signed_order) << signed_order.error().message;
    return signed_order.value();
  }

  /// An approved order whose certificate is not issued yet (approved through OrderService).
  core::Order approvedOnly() {
    const core::Order order = submitted();
    auto taken = service_->startProcessing(officer_, order);
    EXPECT_TRUE(taken);
    auto approved = service_->approve(officer_, taken.value());
    EXPECT_TRUE(approved) << approved.error().message;
    return approved.value();
  }

  /// A server certificate of `organisation` for `key`, issued now with the product's term.
  core::IssuedCertificate issuedFor(EVP_PKEY* key, core::OrganisationId organisation,
                                    std::optional<core::OrderId> order = std::nullopt) {
    const std::string csr = csrFor(key, {"www.voorbeeld.nl"});
    auto request = serverRequest();
    request.owner = {.organisation = organisation,
                     .manager = manager_,
                     .requested_by = requester_.person.id,
                     .order = order};
    auto issued = authority_->issue(
        request, pki::CertificateRequest::fromPem(csr).value().publicKey().value(), actor_);
    EXPECT_TRUE(issued) << issued.error().message;
    return issued.value();
  }

  core::Order current(core::OrderId order) { return service_->order(order).value(); }

  /// The member with `person` in the organisation's list, as listed.
  std::optional<core::OrganisationMember> listed(core::PersonId person) {
    const auto members = registry_->organisationMembers(organisation_).value();
    const auto found = std::find_if(members.begin(), members.end(),
                                    [&](const auto& m) { return m.person.id == person; });
    return found == members.end() ? std::nullopt : std::optional(*found);
  }

  pki::SystemRandom random_;
  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::OrderRepository> order_store_;
  std::unique_ptr<storage::CertificateInventory> inventory_;
  std::unique_ptr<storage::BlockedKeyRepository> blocked_keys_;
  std::unique_ptr<ra::OrderService> service_;
  std::unique_ptr<ca::CertificateAuthority> authority_;
  std::unique_ptr<ra::ServerOrders> orders_;
  core::OrganisationId organisation_ = 0;
  core::Principal requester_;
  core::Principal officer_;
  core::PersonId manager_ = 0;
};

// --- create ----------------------------------------------------------------------------------

TEST_F(ServerOrdersTest, AnEcCsrGivesADraftWithItsNamesKeyAndATermFromNow) {
  const auto key = ecKey();
  const std::string csr = csrFor(key.get(), {"www.voorbeeld.nl", "voorbeeld.nl"});
  const core::Order order = created(form(csr));
  EXPECT_EQ(order.status, OrderStatus::draft);
  EXPECT_EQ(order.type, core::OrderType::server_new);
  EXPECT_EQ(order.organisation, organisation_);
  EXPECT_EQ(order.requested_by, requester_.person.id);
  EXPECT_EQ(order.product, ra::kDefaultServerProduct);
  EXPECT_EQ(order.common_name, "www.voorbeeld.nl");
  EXPECT_EQ(order.dns_names, (std::vector<std::string>{"www.voorbeeld.nl", "voorbeeld.nl"}));
  EXPECT_EQ(order.key_description, "ECDSA P-256");
  EXPECT_EQ(order.spki_sha256, keyHashOf(csr));
  EXPECT_EQ(keyHashOf(order.csr_pem), keyHashOf(csr));
  EXPECT_EQ(order.manager, manager_);
  EXPECT_FALSE(order.proposed_manager);
  EXPECT_FALSE(order.renewal_of);
  EXPECT_EQ(order.not_before, clock_.now());
  EXPECT_EQ(order.not_after, clock_.now() + kTerm);

  // The review page, later: the plan is the one the order was created with.
  const core::TimePoint ordered_at = clock_.now();
  clock_.advance(72h);
  const ra::ServerOrderDetails view = orders_->detailsOf(current(order.id)).value();
  EXPECT_EQ(view.plan.validity.start, ordered_at);
  EXPECT_EQ(view.plan.validity.end, ordered_at + kTerm);
  EXPECT_EQ(view.plan.validity.overlap, 0s);
  EXPECT_EQ(view.plan.validity.cap, policy::ValidityCap::none);
  EXPECT_FALSE(view.plan.replaced_end);
  EXPECT_TRUE(view.unvalidated_names.empty());
}

TEST_F(ServerOrdersTest, AnRsaCsrWithoutCommonNameIsNamedByItsFirstSan) {
  const auto key = pki::test::rsaKey(2048, 65537);
  const std::string csr = pki::test::makeCsr(
      key.get(), {{{"O", "Voorbeeld"}}, "DNS:API.Voorbeeld.NL,DNS:shop.elders.nl"});
  const core::Order order = created(form(csr));
  EXPECT_EQ(order.common_name, "api.voorbeeld.nl");
  EXPECT_EQ(order.dns_names, (std::vector<std::string>{"api.voorbeeld.nl", "shop.elders.nl"}));
  EXPECT_EQ(order.key_description, "RSA 2048");
  EXPECT_EQ(order.spki_sha256, keyHashOf(csr));
  EXPECT_EQ(order.not_after - order.not_before, kTerm);
  EXPECT_EQ(orders_->detailsOf(current(order.id)).value().unvalidated_names,
            std::vector<std::string>{"shop.elders.nl"});
}

TEST_F(ServerOrdersTest, RefusesAnUnreadableCsrTheLoginKeyAndABlockedKey) {
  const auto garbage = failure(orders_->create(requester_, form("geen CSR")));
  EXPECT_EQ(garbage.kind, ErrorKind::invalid);
  EXPECT_EQ(garbage.fields, (Fields{{"csr", "csr.unreadable"}}));

  const auto key = ecKey();
  const std::string csr = csrFor(key.get(), {"www.voorbeeld.nl"});
  auto own = form(csr);
  own.login_key_sha256 = keyHashOf(csr);
  const auto login = failure(orders_->create(requester_, own));
  EXPECT_EQ(login.kind, ErrorKind::invalid);
  EXPECT_EQ(login.fields, (Fields{{"csr", "csr.key.same_as_login"}}));

  ASSERT_TRUE(blocked_keys_->add(keyHashOf(csr), "Gelekt", officer_.person.id, servicedesk_));
  const auto blocked = failure(orders_->create(requester_, form(csr)));
  EXPECT_EQ(blocked.kind, ErrorKind::invalid);
  EXPECT_EQ(blocked.fields, (Fields{{"csr", "csr.weak_key.blocklisted"}}));
  EXPECT_TRUE(order_store_->listForOrganisation(organisation_, 10).value().empty());

  ASSERT_TRUE(blocked_keys_->remove(keyHashOf(csr), servicedesk_));
  EXPECT_TRUE(orders_->create(requester_, form(csr)));
}

TEST_F(ServerOrdersTest, TheManagerMustBeAnActiveManagerOfTheOrganisation) {
  const auto other =
      registry_->createOrganisation(organisation("Ander B.V.", "87654321", ""), servicedesk_)
          .value();
  const std::vector<std::pair<std::string, core::PersonId>> refused{
      {"unknown person", manager_ + 1000},
      {"manager elsewhere", member(other, "Anna", "Bakker", core::Role::manager)},
      {"inactive manager",
       member(organisation_, "Kees", "de Vries", core::Role::manager, /*active=*/false)},
      {"contact person", requester_.person.id},
  };
  const std::string csr = csrFor(ecKey().get(), {"www.voorbeeld.nl"});
  for (const auto& [what, person] : refused) {
    auto input = form(csr);
    input.manager = person;
    const auto error = failure(orders_->create(requester_, input));
    EXPECT_EQ(error.kind, ErrorKind::invalid) << what;
    EXPECT_EQ(error.fields, (Fields{{"manager", "order.manager_unknown"}})) << what;
  }
  EXPECT_TRUE(order_store_->listForOrganisation(organisation_, 10).value().empty());
}

TEST_F(ServerOrdersTest, AProposedManagerIsCheckedFieldByFieldAndStoredTrimmed) {
  const std::string csr = csrFor(ecKey().get(), {"www.voorbeeld.nl"});
  auto input = form(csr);
  input.manager.reset();
  input.proposed_manager = core::ProposedManager{"  ", "kees@", "12"};
  const auto error = failure(orders_->create(requester_, input));
  EXPECT_EQ(error.kind, ErrorKind::invalid);
  EXPECT_EQ(error.fields, (Fields{{"manager_name", "order.manager_name_required"},
                                  {"manager_email", "validation.email"},
                                  {"manager_phone", "validation.phone"}}));

  input.proposed_manager =
      core::ProposedManager{" Kees de Vries ", " kees@voorbeeld.nl", "030 123 4567 "};
  const core::Order order = created(input);
  EXPECT_FALSE(order.manager);
  EXPECT_EQ(order.proposed_manager,
            (core::ProposedManager{"Kees de Vries", "kees@voorbeeld.nl", "030 123 4567"}));
}

TEST_F(ServerOrdersTest, ANewOrderNamesExactlyOneManager) {
  const std::string csr = csrFor(ecKey().get(), {"www.voorbeeld.nl"});
  auto both = form(csr);
  both.proposed_manager = core::ProposedManager{"Kees", "kees@voorbeeld.nl", "0301234567"};
  const auto two = failure(orders_->create(requester_, both));
  EXPECT_EQ(two.kind, ErrorKind::invalid);
  EXPECT_EQ(two.fields, (Fields{{"manager", "order.manager_required"}}));
  auto none = form(csr);
  none.manager.reset();
  EXPECT_EQ(failure(orders_->create(requester_, none)).fields,
            (Fields{{"manager", "order.manager_required"}}));
  auto product = form(csr);
  product.product = "personal-authentication";
  EXPECT_EQ(failure(orders_->create(requester_, product)).fields,
            (Fields{{"product", "order.unknown_product"}}));
}

// --- renewal ---------------------------------------------------------------------------------

TEST_F(ServerOrdersTest, ARenewalEndsATermAfterTheOldEndWithItsManager) {
  const auto old = issuedFor(ecKey().get(), organisation_);
  clock_.advance(std::chrono::days{700});
  const core::Order order = created(renewal(old.id, csrFor(ecKey().get(), {"www.voorbeeld.nl"})));
  EXPECT_EQ(order.type, core::OrderType::server_renew);
  EXPECT_EQ(order.renewal_of, old.id);
  EXPECT_EQ(order.manager, manager_) << "carried over from the certificate renewed";
  EXPECT_EQ(order.product, old.product);
  EXPECT_EQ(order.not_before, clock_.now());
  EXPECT_EQ(order.not_after, old.not_after + kTerm);

  const ra::ServerOrderDetails view = orders_->detailsOf(current(order.id)).value();
  EXPECT_EQ(view.plan.replaced_end, old.not_after);
  EXPECT_EQ(view.plan.validity.end, old.not_after + kTerm);
  EXPECT_EQ(view.plan.validity.overlap, old.not_after - clock_.now());
  EXPECT_EQ(view.plan.validity.overlap, std::chrono::days{30});
  EXPECT_EQ(view.plan.validity.cap, policy::ValidityCap::none);
}

TEST_F(ServerOrdersTest, AnEarlyRenewalIsCappedByTheProductsMaximum) {
  const auto old = issuedFor(ecKey().get(), organisation_);
  clock_.advance(std::chrono::days{10});
  const core::Order order = created(renewal(old.id, csrFor(ecKey().get(), {"www.voorbeeld.nl"})));
  EXPECT_EQ(order.not_after, clock_.now() + kMaxValidity);
  EXPECT_LT(order.not_after, old.not_after + kTerm);
  const ra::ServerOrderDetails view = orders_->detailsOf(current(order.id)).value();
  EXPECT_EQ(view.plan.validity.cap, policy::ValidityCap::product);
  EXPECT_EQ(view.plan.validity.overlap, old.not_after - clock_.now());
}

TEST_F(ServerOrdersTest, ARenewalNamingAnotherManagerKeepsThatOne) {
  const auto old = issuedFor(ecKey().get(), organisation_);
  const auto other = member(organisation_, "Anna", "Bakker", core::Role::manager);
  auto input = renewal(old.id, csrFor(ecKey().get(), {"www.voorbeeld.nl"}));
  input.manager = other;
  EXPECT_EQ(created(input).manager, other);
}

TEST_F(ServerOrdersTest, ARenewalNeedsANewKeyAndThisOrganisationsLiveCertificate) {
  const auto key = ecKey();
  const auto old = issuedFor(key.get(), organisation_);
  const auto same = failure(
      orders_->create(requester_, renewal(old.id, csrFor(key.get(), {"www.voorbeeld.nl"}))));
  EXPECT_EQ(same.kind, ErrorKind::invalid);
  EXPECT_EQ(same.fields, (Fields{{"csr", "csr.key.same_as_old"}}));

  const std::string csr = csrFor(ecKey().get(), {"www.voorbeeld.nl"});
  const auto other_organisation =
      registry_->createOrganisation(organisation("Ander B.V.", "87654321", ""), servicedesk_)
          .value();
  const auto foreign = issuedFor(ecKey().get(), other_organisation);
  EXPECT_EQ(failure(orders_->create(requester_, renewal(foreign.id, csr))).kind,
            ErrorKind::not_found);
  EXPECT_EQ(failure(orders_->create(requester_, renewal(foreign.id + 100, csr))).kind,
            ErrorKind::not_found);

  ASSERT_TRUE(authority_->revoke(old.id, "superseded", actor_));
  const auto revoked = failure(orders_->create(requester_, renewal(old.id, csr)));
  EXPECT_EQ(revoked.kind, ErrorKind::invalid);
  EXPECT_EQ(revoked.fields, (Fields{{"certificate_id", "order.renewal_of_revoked"}}));
  EXPECT_TRUE(order_store_->listForOrganisation(organisation_, 10).value().empty());
}

// --- approve and issue -----------------------------------------------------------------------

TEST_F(ServerOrdersTest, ApprovalIssuesTheCertificateTheCustomerSigned) {
  const core::Order order = submitted();
  ASSERT_EQ(order.status, OrderStatus::submitted);
  clock_.advance(2h);
  auto issued = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->status, OrderStatus::issued);
  ASSERT_TRUE(issued->certificate);
  EXPECT_EQ(current(order.id).certificate, issued->certificate);
  EXPECT_EQ(store_->certificateForOrder(order.id).value(), issued->certificate);

  const auto certificate = inventory_->find(*issued->certificate).value();
  ASSERT_TRUE(certificate);
  EXPECT_EQ(certificate->kind, core::CertificateKind::server);
  EXPECT_EQ(certificate->product, "server-private");
  EXPECT_EQ(certificate->organisation, organisation_);
  EXPECT_EQ(certificate->manager, manager_);
  EXPECT_EQ(certificate->requested_by, requester_.person.id);
  EXPECT_EQ(certificate->common_name, order.common_name);
  EXPECT_EQ(certificate->dns_names, order.dns_names);
  EXPECT_EQ(certificate->not_before, clock_.now());
  EXPECT_EQ(certificate->not_after, order.not_after);
  EXPECT_NE(certificate->subject_dn.find("NTRNL-12345678"), std::string::npos)
      << certificate->subject_dn;
  EXPECT_EQ(pki::PublicKey::ofCertificate(pki::Certificate::fromPem(certificate->pem).value())
                .sha256Hex(),
            order.spki_sha256);
  const auto [status, output] = verify(certificate->pem, "sslserver");
  EXPECT_EQ(status, 0) << output;
}

TEST_F(ServerOrdersTest, AnOrderOnHoldIsIssuedOnlyOnceItsNamesAreValidated) {
  const core::Order order = submitted({"www.voorbeeld.nl", "shop.elders.nl"});
  ASSERT_EQ(order.status, OrderStatus::on_hold);
  const auto early = failure(orders_->approve(officer_, current(order.id)));
  EXPECT_EQ(early.kind, ErrorKind::conflict);
  EXPECT_EQ(early.message, "order.domains_not_validated");
  EXPECT_EQ(current(order.id).status, OrderStatus::on_hold);
  EXPECT_EQ(current(order.id).version, order.version);

  ASSERT_TRUE(registry_->addValidatedDomain(organisation_, "elders.nl", servicedesk_));
  EXPECT_TRUE(orders_->detailsOf(current(order.id)).value().unvalidated_names.empty());
  auto issued = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->status, OrderStatus::issued);
  EXPECT_EQ(certificateCount(), 1);
}

TEST_F(ServerOrdersTest, ApprovalWithAnExpiredValidationPutsTheOrderOnHoldAndIssuesNothing) {
  const core::Order order = submitted({"www.voorbeeld.nl", "api.voorbeeld.nl"});
  ASSERT_EQ(order.status, OrderStatus::submitted);
  // voorbeeld.nl was validated when the fixture started; 398 days on, that has expired.
  clock_.advance(std::chrono::days(398));
  const auto refused = failure(orders_->approve(officer_, current(order.id)));
  EXPECT_EQ(refused.kind, ErrorKind::conflict);
  EXPECT_EQ(refused.message, "order.domains_not_validated");
  EXPECT_EQ(refused.fields,
            (std::vector<core::FieldError>{{"names", "www.voorbeeld.nl, api.voorbeeld.nl"}}));
  EXPECT_EQ(current(order.id).status, OrderStatus::on_hold);
  EXPECT_FALSE(current(order.id).certificate);
  EXPECT_EQ(certificateCount(), 0);

  ASSERT_TRUE(registry_->addValidatedDomain(organisation_, "voorbeeld.nl", servicedesk_, "dns"));
  auto issued = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->status, OrderStatus::issued);
  EXPECT_EQ(certificateCount(), 1);
}

TEST_F(ServerOrdersTest, AProposedManagerIsIdentifiedBeforeApprovalAndListedOnIssuance) {
  const core::ProposedManager proposal{"Kees de Vries", "kees@voorbeeld.nl", "0301234567"};
  const core::Order order = submitted({"www.voorbeeld.nl"}, proposal);
  const auto unidentified = failure(orders_->approve(officer_, current(order.id)));
  EXPECT_EQ(unidentified.kind, ErrorKind::conflict);
  EXPECT_EQ(unidentified.message, "order.manager_not_identified");
  EXPECT_EQ(current(order.id).status, OrderStatus::submitted);

  core::Person kees;
  kees.given_name = " Kees ";
  kees.surname = "";
  kees.email = "kees@voorbeeld.nl";
  const auto incomplete = failure(orders_->identifyManager(officer_, current(order.id), kees));
  EXPECT_EQ(incomplete.kind, ErrorKind::invalid);
  EXPECT_EQ(incomplete.fields.at(0).field, "surname");

  kees.surname = "de Vries";
  auto identified = orders_->identifyManager(officer_, current(order.id), kees);
  ASSERT_TRUE(identified) << identified.error().message;
  ASSERT_TRUE(identified->manager);
  const core::PersonId manager = *identified->manager;
  EXPECT_EQ(registry_->findPerson(manager).value()->given_name, "Kees");
  ASSERT_TRUE(listed(manager));
  EXPECT_EQ(listed(manager)->role, core::Role::manager);
  EXPECT_FALSE(listed(manager)->active) << "listed only once the certificate is issued";
  EXPECT_EQ(failure(orders_->identifyManager(officer_, current(order.id), kees)).message,
            "order.no_proposed_manager");

  auto issued = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->status, OrderStatus::issued);
  EXPECT_EQ(inventory_->find(*issued->certificate).value()->manager, manager);
  EXPECT_TRUE(listed(manager)->active);
}

TEST_F(ServerOrdersTest, AnOrderIsIssuedOnceAndASecondApprovalIsAConflict) {
  const core::Order order = submitted();
  auto issued = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(issued) << issued.error().message;
  const auto reapproved = failure(orders_->approve(officer_, current(order.id)));
  EXPECT_EQ(reapproved.kind, ErrorKind::conflict);
  EXPECT_EQ(store_->certificateForOrder(order.id).value(), issued->certificate);
  EXPECT_EQ(current(order.id).certificate, issued->certificate);
  EXPECT_EQ(certificateCount(), 1);
}

TEST_F(ServerOrdersTest, ARetryAfterTheCertificateWasStoredOnlyRecordsIt) {
  const core::Order order = approvedOnly();
  // A crash after the CA stored the certificate and before the order was marked issued.
  const auto stored = issuedFor(ecKey().get(), organisation_, order.id);
  auto issued = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->status, OrderStatus::issued);
  EXPECT_EQ(issued->certificate, stored.id);
  EXPECT_EQ(certificateCount(), 1);
}

TEST_F(ServerOrdersTest, AnIssuanceUnderWayBlocksAnotherUntilItFailed) {
  const core::Order order = approvedOnly();
  auto running = store_->reserveSerial("tls-ca", "7a01", "server-private", "{}", order.id);
  ASSERT_TRUE(running) << running.error().message;
  const auto busy = failure(orders_->approve(officer_, current(order.id)));
  EXPECT_EQ(busy.kind, ErrorKind::conflict);
  EXPECT_EQ(busy.message, "certificate.order_in_issuance");
  EXPECT_EQ(current(order.id).status, OrderStatus::approved);

  ASSERT_TRUE(store_->markFailed(*running, "signer unavailable"));
  auto issued = orders_->approve(officer_, current(order.id));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->status, OrderStatus::issued);
  EXPECT_EQ(certificateCount(), 1);
}

TEST_F(ServerOrdersTest, OfEightConcurrentApprovalsOneIssuesOneCertificate) {
  const core::Order order = submitted();
  constexpr int kOfficers = 8;
  std::vector<core::Principal> officers;
  for (int i = 0; i < kOfficers; ++i) officers.push_back(principal("Officer", std::to_string(i)));
  std::atomic<int> issued = 0;
  std::atomic<bool> go = false;
  std::mutex mutex;
  std::vector<std::string> refusals;
  std::vector<std::thread> threads;
  for (int i = 0; i < kOfficers; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      auto result = orders_->approve(officers[i], current(order.id));
      if (result) {
        ++issued;
      } else {
        std::lock_guard lock(mutex);
        refusals.push_back(std::string(core::toString(result.error().kind)) + " " +
                           result.error().message);
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(issued, 1);
  EXPECT_EQ(certificateCount(), 1);
  const core::Order after = current(order.id);
  EXPECT_EQ(after.status, OrderStatus::issued);
  EXPECT_EQ(store_->certificateForOrder(order.id).value(), after.certificate);
  for (const auto& refusal : refusals) EXPECT_EQ(refusal.rfind("conflict ", 0), 0u) << refusal;
}

}  // namespace
