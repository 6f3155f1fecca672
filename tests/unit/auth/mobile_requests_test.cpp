// Mobile login and signing (ADR 0008, docs/mobile-protocol.md): one-time requests bound to a
// browser, answered with CMS signatures (made by `openssl cms -sign`) by certificates the test CA
// issued; and the sessions such a login starts.

#include "auth/mobile_requests.hpp"

#include "../ca/ca_test_support.hpp"
#include "auth/session_manager.hpp"
#include "pki/crl.hpp"
#include "pki/crypto.hpp"
#include "policy/certificate_identity.hpp"
#include "ra/card_production.hpp"
#include "ra/orders.hpp"
#include "ra/registry_service.hpp"
#include "storage/audit_repository.hpp"
#include "storage/card_production.hpp"
#include "storage/session_repository.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace {

using core::ErrorKind;
using core::OrderStatus;
using storage::MobileRequestKind;
using storage::MobileRequestStatus;
using namespace std::chrono_literals;

constexpr auto kOrigin = "https://mijncert.example";
/// The binding cookie of the browser that starts the requests, and where it connects from.
constexpr auto kBrowser = "browser-secret-of-the-requester";
constexpr auto kAddress = "192.0.2.44";
constexpr auto kBrowserDescription = "Firefox op Linux";

/// The error of a result that must be a failure.
template <class T>
core::Error failure(const core::Result<T>& result) {
  EXPECT_FALSE(result) << "succeeded unexpectedly";
  return result ? core::Error{} : result.error();
}

/// "kind message field:message …" of an error, to compare refusals in one line.
template <class T>
std::string refusal(const core::Result<T>& result) {
  const core::Error error = failure(result);
  std::string text = std::to_string(static_cast<int>(error.kind)) + " " + error.message;
  for (const auto& field : error.fields) text += " " + field.field + ":" + field.message;
  return text;
}

/// What refusal() says for an error of `kind` with `message` and no fields.
std::string expected(ErrorKind kind, const std::string& message) {
  return std::to_string(static_cast<int>(kind)) + " " + message;
}

/// A certificate the test CA issued to a person, with its key.
struct Credential {
  core::PersonId person = 0;
  core::CertificateId id = 0;
  pki::PrivateKey key;
  pki::Certificate certificate;
};

class MobileRequestsTest : public ca_test::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    registry_ = std::make_unique<storage::RegistryRepository>(*database_, clock_);
    order_store_ = std::make_unique<storage::OrderRepository>(*database_, clock_);
    inventory_ = std::make_unique<storage::CertificateInventory>(*database_);
    requests_ = std::make_unique<storage::MobileRequestRepository>(*database_, clock_);
    service_ = std::make_unique<ra::OrderService>(*order_store_, *registry_, random_, kOrigin);
    authority_ = authority(random_);
    organisation_ =
        registry_->createOrganisation(organisation("Voorbeeld B.V.", "12345678", ""), servicedesk_)
            .value();
    ASSERT_TRUE(registry_->addValidatedDomain(organisation_, "voorbeeld.nl", servicedesk_));

    // Eva holds a mobile certificate and a card (the same identity); Jan, a colleague, his own
    // mobile certificate; Piet's has no portal access; nobody is registered for the stranger's.
    holder_ = contact("Eva", "de Boer", true);
    colleague_ = contact("Jan", "Jansen", true);
    const core::PersonId outsider = contact("Piet", "Pietersen", false).person.id;
    issue("holder", holder_.person.id, "mobile-authentication", "900000001");
    issue("card", holder_.person.id, "personal-authentication", "900000001");
    issue("colleague", colleague_.person.id, "mobile-authentication", "900000002");
    issue("outsider", outsider, "mobile-authentication", "900000003");
    issue("stranger", outsider, "mobile-authentication", "900000004");
    for (const char* name : {"holder", "colleague", "outsider"}) {
      const Credential& credential = credentials_.at(name);
      ASSERT_TRUE(registry_->addCertificateIdentity(
          credential.person, policy::identityOf(credential.certificate).value(), servicedesk_));
    }

    // The login's trust: the CA chain and the CRLs of the root and the persons CA.
    const auto crl = (dir_.path() / "root.crl").string();
    ca_test::writeFile(
        crl,
        pki::issueCrl(*root_, root_key_, {}, clock_.now() - 1h, clock_.now() + 24h * 7, 1).value());
    ASSERT_TRUE(authority_->publishCrl("persons-ca"));
    auto verifier =
        ra::OrderSignatureVerifier::create({"",
                                            "",
                                            (dir_.path() / "chain.pem").string(),
                                            {crl, (dir_.path() / "persons-ca.crl").string()}},
                                           clock_);
    ASSERT_TRUE(verifier) << verifier.error().message;
    verifier_.emplace(std::move(*verifier));
    // The order use cases as `serve` wires them: signing from the phone goes through ra::Orders.
    activation_codes_ = std::make_unique<storage::ActivationCodeRepository>(*database_, clock_);
    audit_log_ = std::make_unique<storage::AuditRepository>(*database_);
    bureau_ = std::make_unique<ra::DemoCardBureau>(dir_.path() / "cards", *authority_);
    server_orders_ = std::make_unique<ra::ServerOrders>(*service_, *order_store_, *registry_,
                                                        *inventory_, *store_, *authority_, clock_);
    card_orders_ = std::make_unique<ra::CardOrders>(
        *service_, *order_store_, *registry_, *inventory_, *activation_codes_, bureau_.get(),
        *store_, *authority_, random_, clock_, ra::CardOrderSettings{});
    registry_service_ = std::make_unique<ra::RegistryService>(*registry_, *audit_log_, clock_);
    orders_ =
        std::make_unique<ra::Orders>(*service_, *server_orders_, *card_orders_, *registry_service_,
                                     *order_store_, *registry_, *verifier_);
    mobile_ = mobileRequests({});
  }
  void TearDown() override {
    mobile_.reset();
    orders_.reset();
    registry_service_.reset();
    card_orders_.reset();
    server_orders_.reset();
    bureau_.reset();
    audit_log_.reset();
    activation_codes_.reset();
    verifier_.reset();
    authority_.reset();
    service_.reset();
    requests_.reset();
    inventory_.reset();
    order_store_.reset();
    registry_.reset();
    CaTest::TearDown();
  }

  std::unique_ptr<auth::MobileRequests> mobileRequests(auth::MobileSettings settings) {
    return std::make_unique<auth::MobileRequests>(*requests_, *registry_, *inventory_, *orders_,
                                                  *verifier_, random_, clock_, kOrigin, settings);
  }

  /// A contact person of the organisation, with or without portal access.
  core::Principal contact(std::string given_name, std::string surname, bool portal_access) {
    core::Person p = person(std::move(given_name), std::move(surname));
    p.portal_access = portal_access;
    const core::PersonId id = registry_->createPerson(p, servicedesk_).value();
    EXPECT_TRUE(registry_->addRole(id, organisation_, core::Role::contact, servicedesk_));
    return registry_->findPrincipal(id).value().value();
  }

  /// Issues `product` for a person with subject serialNumber `number`, kept as `name`.
  void issue(const std::string& name, core::PersonId person, const std::string& product,
             const std::string& number) {
    const core::Person holder = registry_->findPerson(person).value().value();
    std::vector<pki::SubjectAttribute> subject{{"C", "NL"},
                                               {"GN", holder.given_name},
                                               {"SN", holder.surname},
                                               {"serialNumber", number},
                                               {"CN", holder.displayName()}};
    if (product.starts_with("personal"))
      subject.insert(subject.begin() + 1, pki::SubjectAttribute{"O", "Voorbeeld"});
    pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
    auto issued = authority_->issue({.product = product,
                                     .subject = subject,
                                     .email_addresses = {"mobiel@voorbeeld.nl"},
                                     .owner = {.holder = person}},
                                    pki::PublicKey::of(key), actor_);
    ASSERT_TRUE(issued) << name << ": " << issued.error().message;
    credentials_.emplace(name, Credential{person, issued->id, std::move(key),
                                          pki::Certificate::fromPem(issued->pem).value()});
  }

  /// `document` signed with `openssl cms -sign -binary` by a credential (detached, DER).
  std::string signature(const std::string& name, const std::string& document) {
    const Credential& signer = credentials_.at(name);
    const auto base = dir_.path() / ("answer-" + std::to_string(++signatures_));
    ca_test::writeFile(base.string() + ".txt", document);
    ca_test::writeFile(base.string() + ".crt", signer.certificate.toPem());
    ca_test::writeFile(base.string() + ".key", signer.key.toPem());
    const auto [status, output] = ca_test::run(
        "openssl cms -sign -binary -md sha256 -outform DER -in " + base.string() + ".txt -signer " +
            base.string() + ".crt -inkey " + base.string() + ".key -out " + base.string() + ".p7s",
        base.string() + ".out");
    EXPECT_EQ(status, 0) << output;
    return ca_test::readFile(base.string() + ".p7s");
  }

  /// A login request of the browser, which must be made.
  storage::MobileRequest startLogin(const std::string& address = kAddress) {
    auto request = mobile_->startLogin(kBrowser, address, kBrowserDescription);
    EXPECT_TRUE(request) << request.error().message;
    return request ? *request : storage::MobileRequest{};
  }

  /// A draft server certificate order by the holder.
  core::Order draft() {
    ra::ServerOrderRequest form;
    form.organisation = organisation_;
    form.requester_identity = policy::identityOf(credentials_.at("holder").certificate).value();
    form.product = "server-private";
    form.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
    form.common_name = "www.voorbeeld.nl";
    form.dns_names = {form.common_name};
    form.key_description = "ECDSA P-256";
    form.spki_sha256 = std::string(64, 'e');
    form.manager = colleague_.person.id;
    form.not_before = clock_.now();
    form.not_after = clock_.now() + std::chrono::days(365);
    auto order = service_->createServerOrder(holder_, form);
    EXPECT_TRUE(order) << order.error().message;
    return order.value();
  }

  /// A signing request of the holder's draft, which must be made.
  storage::MobileRequest startSigning(core::OrderId order) {
    auto request = mobile_->startSigning(holder_, order, kBrowser, kAddress);
    EXPECT_TRUE(request) << request.error().message;
    return request ? *request : storage::MobileRequest{};
  }

  /// The stored request, which must exist.
  storage::MobileRequest stored(const std::string& id) {
    return requests_->find(id).value().value_or(storage::MobileRequest{});
  }

  /// The session fingerprint of a mobile login with a credential.
  std::string mobileFingerprint(const std::string& name) {
    return auth::mobileSessionFingerprint(credentials_.at(name).certificate.sha256Fingerprint());
  }

  pki::SystemRandom random_;
  std::unique_ptr<storage::RegistryRepository> registry_;
  std::unique_ptr<storage::OrderRepository> order_store_;
  std::unique_ptr<storage::CertificateInventory> inventory_;
  std::unique_ptr<storage::MobileRequestRepository> requests_;
  std::unique_ptr<ra::OrderService> service_;
  std::unique_ptr<ca::CertificateAuthority> authority_;
  std::optional<ra::OrderSignatureVerifier> verifier_;
  std::unique_ptr<storage::ActivationCodeRepository> activation_codes_;
  std::unique_ptr<storage::AuditRepository> audit_log_;
  std::unique_ptr<ra::DemoCardBureau> bureau_;
  std::unique_ptr<ra::ServerOrders> server_orders_;
  std::unique_ptr<ra::CardOrders> card_orders_;
  std::unique_ptr<ra::RegistryService> registry_service_;
  std::unique_ptr<ra::Orders> orders_;
  std::unique_ptr<auth::MobileRequests> mobile_;
  core::OrganisationId organisation_ = 0;
  core::Principal holder_;
  core::Principal colleague_;
  std::map<std::string, Credential> credentials_;
  int signatures_ = 0;
};

TEST_F(MobileRequestsTest, ALoginRequestAsksToSignItsOwnDocument) {
  const storage::MobileRequest request = startLogin();
  EXPECT_EQ(request.kind, MobileRequestKind::login);
  EXPECT_EQ(request.status, MobileRequestStatus::pending);
  EXPECT_EQ(request.id.size(), 22u) << "128 bits, base64url";
  EXPECT_FALSE(request.nonce.empty());
  EXPECT_NE(request.id, startLogin().id);
  EXPECT_EQ(request.expires_at, clock_.now() + 120s);
  EXPECT_EQ(request.document,
            "Document: mijncert-inloggen-2\nPortaal: https://mijncert.example\n"
            "Verzoek: " +
                request.id + "\nNonce: " + request.nonce +
                "\nGeldig tot: 2026-01-01T00:02:00Z\nBrowser: Firefox op Linux\n"
                "IP-adres: 192.0.2.44\nGestart: 2026-01-01T00:00:00Z");
  EXPECT_EQ(request.browser_hash.find(kBrowser), std::string::npos)
      << "only a hash of the binding cookie is stored";

  auto fetched = mobile_->forApp(request.id);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->document, request.document);
  EXPECT_EQ(fetched->nonce, request.nonce);
  EXPECT_EQ(fetched->person, std::nullopt);
}

TEST_F(MobileRequestsTest, AMobileCertificateCompletesTheLoginForItsBrowserOnce) {
  const storage::MobileRequest request = startLogin();
  EXPECT_EQ(refusal(mobile_->finishLogin(request.id, kBrowser)),
            expected(ErrorKind::conflict, "mobile.not_completed"))
      << "not answered yet";

  auto answered =
      mobile_->answer(request.id, signature("holder", request.document), request.match_number);
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_EQ(answered->request.status, MobileRequestStatus::completed);
  EXPECT_EQ(answered->request.person, holder_.person.id);
  EXPECT_EQ(answered->request.signer_fingerprint, mobileFingerprint("holder"));
  auto state = mobile_->forBrowser(request.id, kBrowser);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->request.status, MobileRequestStatus::completed);
  EXPECT_FALSE(state->expired);

  // Knowing the id is not enough: only the browser holding the binding cookie logs in.
  EXPECT_EQ(refusal(mobile_->finishLogin(request.id, "another-browser")),
            expected(ErrorKind::not_found, "mobile.unknown"));
  auto finished = mobile_->finishLogin(request.id, kBrowser);
  ASSERT_TRUE(finished) << finished.error().message;
  EXPECT_EQ(finished->first.person.id, holder_.person.id);
  EXPECT_TRUE(finished->first.hasPortalAccess());
  EXPECT_TRUE(finished->second.starts_with("mobile:")) << finished->second;
  EXPECT_EQ(finished->second, mobileFingerprint("holder"));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::consumed);

  const auto again = failure(mobile_->finishLogin(request.id, kBrowser));
  EXPECT_EQ(again.kind, ErrorKind::conflict) << again.message;
}

TEST_F(MobileRequestsTest, AnUnknownRequestIsNotFound) {
  startLogin();
  EXPECT_EQ(refusal(mobile_->forApp("AAAAAAAAAAAAAAAAAAAAAA")),
            expected(ErrorKind::not_found, "mobile.unknown"));
  EXPECT_EQ(refusal(mobile_->answer("AAAAAAAAAAAAAAAAAAAAAA", signature("holder", "anything"))),
            expected(ErrorKind::not_found, "mobile.unknown"));
  EXPECT_EQ(refusal(mobile_->forBrowser("AAAAAAAAAAAAAAAAAAAAAA", kBrowser)),
            expected(ErrorKind::not_found, "mobile.unknown"));
}

TEST_F(MobileRequestsTest, AnExpiredRequestIsGone) {
  const storage::MobileRequest request = startLogin();
  const std::string answer = signature("holder", request.document);
  clock_.advance(119s);
  EXPECT_TRUE(mobile_->forApp(request.id)) << "still valid a second before it expires";
  EXPECT_FALSE(mobile_->forBrowser(request.id, kBrowser).value().expired);

  clock_.advance(1s);
  EXPECT_EQ(refusal(mobile_->forApp(request.id)), expected(ErrorKind::gone, "mobile.expired"));
  EXPECT_EQ(refusal(mobile_->answer(request.id, answer, request.match_number)),
            expected(ErrorKind::gone, "mobile.expired"));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);
  EXPECT_EQ(stored(request.id).person, std::nullopt);
  EXPECT_TRUE(mobile_->forBrowser(request.id, kBrowser).value().expired);
  EXPECT_FALSE(mobile_->finishLogin(request.id, kBrowser));
}

TEST_F(MobileRequestsTest, AnAnsweredRequestIsUsed) {
  const storage::MobileRequest request = startLogin();
  const std::string answer = signature("holder", request.document);
  ASSERT_TRUE(mobile_->answer(request.id, answer, request.match_number));

  EXPECT_EQ(refusal(mobile_->forApp(request.id)), expected(ErrorKind::conflict, "mobile.used"));
  EXPECT_EQ(refusal(mobile_->answer(request.id, answer, request.match_number)),
            expected(ErrorKind::conflict, "mobile.used"));
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("colleague", request.document),
                                    request.match_number)),
            expected(ErrorKind::conflict, "mobile.used"));
  EXPECT_EQ(stored(request.id).person, holder_.person.id) << "the first answer stands";
  ASSERT_TRUE(mobile_->finishLogin(request.id, kBrowser));
  EXPECT_EQ(refusal(mobile_->forApp(request.id)), expected(ErrorKind::conflict, "mobile.used"))
      << "consumed";
}

TEST_F(MobileRequestsTest, ACancelledRequestCannotBeAnswered) {
  const storage::MobileRequest request = startLogin();
  EXPECT_EQ(refusal(mobile_->cancel(request.id, "another-browser")),
            expected(ErrorKind::not_found, "mobile.unknown"));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);

  ASSERT_TRUE(mobile_->cancel(request.id, kBrowser));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::cancelled);
  EXPECT_EQ(refusal(mobile_->forApp(request.id)),
            expected(ErrorKind::conflict, "mobile.cancelled"));
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("holder", request.document),
                                    request.match_number)),
            expected(ErrorKind::conflict, "mobile.cancelled"));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::cancelled);
  EXPECT_FALSE(mobile_->finishLogin(request.id, kBrowser));
  EXPECT_FALSE(mobile_->cancel(request.id, kBrowser)) << "cancelled once";
}

TEST_F(MobileRequestsTest, ASignatureOverAnotherDocumentIsRefusedAndMayBeRetried) {
  const storage::MobileRequest request = startLogin();
  const storage::MobileRequest other = startLogin();
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("holder", other.document),
                                    request.match_number)),
            expected(ErrorKind::invalid, "signature.document_mismatch") +
                " signature:signature.document_mismatch");

  const storage::MobileRequest refused = stored(request.id);
  EXPECT_EQ(refused.status, MobileRequestStatus::pending);
  EXPECT_EQ(refused.refusal, "signature.document_mismatch");
  EXPECT_EQ(refused.person, std::nullopt);
  EXPECT_EQ(mobile_->forBrowser(request.id, kBrowser).value().request.refusal,
            "signature.document_mismatch");
  EXPECT_EQ(stored(other.id).status, MobileRequestStatus::pending)
      << "nor does it answer the other";
  EXPECT_EQ(stored(other.id).refusal, "");

  // A refusal is final for the answer, not for the request.
  auto retried =
      mobile_->answer(request.id, signature("holder", request.document), request.match_number);
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(retried->request.status, MobileRequestStatus::completed);
}

TEST_F(MobileRequestsTest, ACardCertificateDoesNotAnswer) {
  const storage::MobileRequest request = startLogin();
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("card", request.document),
                                    request.match_number)),
            expected(ErrorKind::forbidden, "mobile.not_mobile"));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);
  EXPECT_EQ(stored(request.id).refusal, "mobile.not_mobile");
  EXPECT_EQ(stored(request.id).person, std::nullopt);
}

TEST_F(MobileRequestsTest, ARevokedMobileCertificateDoesNotAnswer) {
  // Revoked in the CA's records; the CRL the signature was verified with does not list it yet.
  ASSERT_TRUE(authority_->revoke(credentials_.at("holder").id, "keyCompromise", actor_));
  const storage::MobileRequest request = startLogin();
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("holder", request.document),
                                    request.match_number)),
            expected(ErrorKind::forbidden, "mobile.not_mobile"));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);
  EXPECT_EQ(stored(request.id).refusal, "mobile.not_mobile");
}

TEST_F(MobileRequestsTest, AMobileCertificateOfNobodyWithPortalAccessDoesNotLogIn) {
  const storage::MobileRequest request = startLogin();
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("outsider", request.document),
                                    request.match_number)),
            expected(ErrorKind::forbidden, "mobile.wrong_person"));
  EXPECT_EQ(stored(request.id).refusal, "mobile.wrong_person");
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("stranger", request.document),
                                    request.match_number)),
            expected(ErrorKind::forbidden, "mobile.wrong_person"))
      << "an identity registered to nobody";
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);
  EXPECT_EQ(stored(request.id).person, std::nullopt);
  EXPECT_FALSE(mobile_->finishLogin(request.id, kBrowser));
}

TEST_F(MobileRequestsTest, OnlyTheBrowserThatStartedARequestSeesIt) {
  const storage::MobileRequest request = startLogin();
  auto seen = mobile_->forBrowser(request.id, kBrowser);
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(seen->request.id, request.id);
  EXPECT_EQ(seen->request.status, MobileRequestStatus::pending);
  EXPECT_FALSE(seen->expired);
  EXPECT_EQ(refusal(mobile_->forBrowser(request.id, "another-browser")),
            expected(ErrorKind::not_found, "mobile.unknown"));
  EXPECT_EQ(refusal(mobile_->forBrowser(request.id, "")),
            expected(ErrorKind::not_found, "mobile.unknown"));
}

TEST_F(MobileRequestsTest, NewRequestsAreLimitedPerAddressAndMinute) {
  constexpr int kLimit = auth::MobileSettings{}.requests_per_minute;
  for (int i = 0; i < kLimit; ++i) startLogin();
  EXPECT_EQ(refusal(mobile_->startLogin(kBrowser, kAddress, kBrowserDescription)),
            expected(ErrorKind::rate_limited, "mobile.rate_limited"));
  EXPECT_EQ(refusal(mobile_->startSigning(holder_, draft().id, kBrowser, kAddress)),
            expected(ErrorKind::rate_limited, "mobile.rate_limited"))
      << "signing requests count alike";
  EXPECT_TRUE(mobile_->startLogin(kBrowser, "192.0.2.45", kBrowserDescription))
      << "another address";

  clock_.advance(61s);
  EXPECT_TRUE(mobile_->startLogin(kBrowser, kAddress, kBrowserDescription));
}

TEST_F(MobileRequestsTest, StatusPollsAreLimitedToTheInterval) {
  const storage::MobileRequest request = startLogin();
  EXPECT_TRUE(mobile_->poll(request.id));
  EXPECT_EQ(refusal(mobile_->poll(request.id)),
            expected(ErrorKind::rate_limited, "mobile.rate_limited"));
  clock_.advance(1s);
  EXPECT_TRUE(mobile_->poll(request.id));
}

TEST_F(MobileRequestsTest, OnlyTheRequesterStartsSigningTheirDraft) {
  const core::Order order = draft();
  EXPECT_EQ(failure(mobile_->startSigning(colleague_, order.id, kBrowser, kAddress)).kind,
            ErrorKind::forbidden);
  EXPECT_EQ(failure(mobile_->startSigning(holder_, order.id + 100, kBrowser, kAddress)).kind,
            ErrorKind::not_found);

  const core::Order withdrawn = draft();
  ASSERT_TRUE(service_->cancel(holder_, withdrawn));
  EXPECT_EQ(failure(mobile_->startSigning(holder_, withdrawn.id, kBrowser, kAddress)).kind,
            ErrorKind::conflict);
  EXPECT_EQ(requests_->countSince(kAddress, clock_.now() - 1h).value(), 0) << "no request was made";
}

TEST_F(MobileRequestsTest, TheRequestersMobileCertificateSubmitsTheOrder) {
  const core::Order order = draft();
  const storage::MobileRequest request = startSigning(order.id);
  EXPECT_EQ(request.kind, MobileRequestKind::sign);
  EXPECT_EQ(request.order, order.id);
  EXPECT_EQ(request.person, holder_.person.id);
  EXPECT_EQ(request.document, service_->documentOf(order).value());
  EXPECT_EQ(mobile_->forApp(request.id).value().document, request.document);

  const std::string answer = signature("holder", request.document);
  auto answered = mobile_->answer(request.id, answer, request.match_number);
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_EQ(answered->request.status, MobileRequestStatus::completed);

  const core::Order submitted = service_->order(order.id).value();
  EXPECT_EQ(submitted.status, OrderStatus::submitted);
  EXPECT_EQ(submitted.evidence.document, request.document);
  EXPECT_EQ(submitted.evidence.signature, answer);
  EXPECT_EQ(submitted.evidence.signer_certificate_pem,
            credentials_.at("holder").certificate.toPem());
  EXPECT_EQ(refusal(mobile_->finishLogin(request.id, kBrowser)),
            expected(ErrorKind::conflict, "mobile.not_completed"))
      << "a signing request never logs in";
}

TEST_F(MobileRequestsTest, AnotherPersonsMobileCertificateDoesNotSubmitTheOrder) {
  const core::Order order = draft();
  const storage::MobileRequest request = startSigning(order.id);
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("colleague", request.document),
                                    request.match_number)),
            expected(ErrorKind::forbidden, "mobile.wrong_person"));
  EXPECT_EQ(service_->order(order.id).value().status, OrderStatus::draft);
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);
  EXPECT_EQ(stored(request.id).refusal, "mobile.wrong_person");
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("card", request.document),
                                    request.match_number)),
            expected(ErrorKind::forbidden, "mobile.not_mobile"))
      << "nor does the requester's card";
  EXPECT_EQ(service_->order(order.id).value().status, OrderStatus::draft);
}

// ----- Number matching (ADR 0021) -----

TEST_F(MobileRequestsTest, ALoginHasANumberForTheBrowserAndThreeChoicesForTheApp) {
  for (int i = 0; i < 5; ++i) {
    const storage::MobileRequest request = startLogin("192.0.2." + std::to_string(50 + i));
    ASSERT_TRUE(request.match_number);
    EXPECT_GE(*request.match_number, 10);
    EXPECT_LE(*request.match_number, 99);
    ASSERT_EQ(request.match_choices.size(), 3u);
    EXPECT_TRUE(std::is_sorted(request.match_choices.begin(), request.match_choices.end()));
    EXPECT_EQ(std::adjacent_find(request.match_choices.begin(), request.match_choices.end()),
              request.match_choices.end())
        << "two decoys distinct from each other and from the number";
    EXPECT_EQ(std::count(request.match_choices.begin(), request.match_choices.end(),
                         *request.match_number),
              1);
    EXPECT_EQ(request.browser, kBrowserDescription);
    const storage::MobileRequest kept = stored(request.id);
    EXPECT_EQ(kept.match_number, request.match_number);
    EXPECT_EQ(kept.match_choices, request.match_choices);
    EXPECT_EQ(kept.browser, kBrowserDescription);
  }
  // A signing request is the requester's own: no number.
  const storage::MobileRequest signing = startSigning(draft().id);
  EXPECT_FALSE(signing.match_number);
  EXPECT_TRUE(signing.match_choices.empty());
}

TEST_F(MobileRequestsTest, ALoginAnswerWithoutANumberIsRefusedAndMayBeRetried) {
  const storage::MobileRequest request = startLogin();
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("holder", request.document))),
            expected(ErrorKind::invalid, "mobile.number_missing"));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);
  EXPECT_EQ(stored(request.id).refusal, "mobile.number_missing");
  ASSERT_TRUE(
      mobile_->answer(request.id, signature("holder", request.document), request.match_number));
  EXPECT_TRUE(mobile_->finishLogin(request.id, kBrowser));
}

TEST_F(MobileRequestsTest, AWrongNumberCancelsTheLogin) {
  // The phishing case: another browser started the request, the person picks a number they do
  // not see anywhere. One of the decoys is as wrong as any other number.
  const storage::MobileRequest request = startLogin();
  const int decoy = request.match_choices.front() == *request.match_number
                        ? request.match_choices.back()
                        : request.match_choices.front();
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("holder", request.document), decoy)),
            expected(ErrorKind::conflict, "mobile.wrong_number"));
  const storage::MobileRequest cancelled = stored(request.id);
  EXPECT_EQ(cancelled.status, MobileRequestStatus::cancelled);
  EXPECT_EQ(cancelled.refusal, "mobile.wrong_number") << "the browser shows why";
  EXPECT_EQ(cancelled.person, std::nullopt);
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("holder", request.document),
                                    request.match_number)),
            expected(ErrorKind::conflict, "mobile.cancelled"))
      << "a new request is needed";
  EXPECT_FALSE(mobile_->finishLogin(request.id, kBrowser));
  EXPECT_FALSE(mobile_->forBrowser(request.id, kBrowser).value().expired);
}

TEST_F(MobileRequestsTest, OnlyAVerifiedMobileAnswerCancelsWithAWrongNumber) {
  // Knowing the id (shoulder surfing the QR code) must not let anyone cancel someone's login.
  const storage::MobileRequest request = startLogin();
  const int wrong = *request.match_number == 99 ? 98 : *request.match_number + 1;
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("card", request.document), wrong)),
            expected(ErrorKind::forbidden, "mobile.not_mobile"));
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("holder", "another document"), wrong)),
            expected(ErrorKind::invalid, "signature.document_mismatch") +
                " signature:signature.document_mismatch");
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);
  ASSERT_TRUE(
      mobile_->answer(request.id, signature("holder", request.document), request.match_number));
}

TEST_F(MobileRequestsTest, ACompletedLoginIsNotRedeemedAfterTheRequestExpired) {
  const storage::MobileRequest request = startLogin();
  clock_.advance(60s);
  ASSERT_TRUE(
      mobile_->answer(request.id, signature("holder", request.document), request.match_number));
  clock_.advance(60s);  // the request's two minutes are up
  EXPECT_TRUE(mobile_->forBrowser(request.id, kBrowser).value().expired);
  EXPECT_EQ(refusal(mobile_->finishLogin(request.id, kBrowser)),
            expected(ErrorKind::gone, "mobile.expired"));
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::completed) << "nothing was consumed";

  // Within the window it is redeemed, a second before the end too.
  const storage::MobileRequest timely = startLogin();
  ASSERT_TRUE(
      mobile_->answer(timely.id, signature("holder", timely.document), timely.match_number));
  clock_.advance(119s);
  EXPECT_TRUE(mobile_->finishLogin(timely.id, kBrowser));
}

// ----- Who may still sign (policy sign_order) -----

TEST_F(MobileRequestsTest, ARequesterWhoLostTheirRoleDoesNotSubmitFromThePhone) {
  const core::Order order = draft();
  const storage::MobileRequest request = startSigning(order.id);
  // Eva's role at the organisation is removed after she started the request; she keeps her
  // portal access elsewhere (a second organisation), so she can still log in.
  const core::OrganisationId other =
      registry_->createOrganisation(organisation("Andere B.V.", "87654321", ""), servicedesk_)
          .value();
  ASSERT_TRUE(registry_->addRole(holder_.person.id, other, core::Role::contact, servicedesk_));
  ASSERT_TRUE(
      registry_->removeRole(holder_.person.id, organisation_, core::Role::contact, servicedesk_));
  EXPECT_EQ(refusal(mobile_->answer(request.id, signature("holder", request.document))),
            expected(ErrorKind::forbidden, "mobile.not_allowed"));
  EXPECT_EQ(service_->order(order.id).value().status, OrderStatus::draft);
  EXPECT_EQ(stored(request.id).status, MobileRequestStatus::pending);
  EXPECT_EQ(stored(request.id).refusal, "mobile.not_allowed");
}

// ----- Mobile sessions end with their certificate or identity -----

class MobileSessionEndTest : public MobileRequestsTest {
 protected:
  void SetUp() override {
    MobileRequestsTest::SetUp();
    session_store_ = std::make_unique<storage::SessionRepository>(*database_);
    sessions_ = std::make_unique<auth::SessionManager>(*session_store_, clock_, random_,
                                                       auth::SessionPolicy{}, "test-signing-key");
  }
  void TearDown() override {
    sessions_.reset();
    session_store_.reset();
    MobileRequestsTest::TearDown();
  }

  /// A whole mobile login with a credential: the session's cookie value.
  std::string login(const std::string& name) {
    auto request = mobile_->startLogin(kBrowser, "192.0.2." + std::to_string(60 + ++logins_),
                                       kBrowserDescription);
    EXPECT_TRUE(request);
    EXPECT_TRUE(
        mobile_->answer(request->id, signature(name, request->document), request->match_number));
    auto finished = mobile_->finishLogin(request->id, kBrowser);
    EXPECT_TRUE(finished) << finished.error().message;
    return sessions_->start(finished->first.person.id, finished->second).value().token;
  }

  bool live(const std::string& token) { return sessions_->resumeMobile(token).value().has_value(); }

  std::unique_ptr<storage::SessionRepository> session_store_;
  std::unique_ptr<auth::SessionManager> sessions_;
  int logins_ = 0;
};

TEST_F(MobileSessionEndTest, RevokingTheMobileCertificateEndsItsSessions) {
  const std::string first = login("holder");
  const std::string second = login("holder");
  const std::string colleague = login("colleague");
  const std::string card = sessions_->start(holder_.person.id, std::string(64, 'c')).value().token;
  ASSERT_TRUE(live(first) && live(second) && live(colleague));

  ASSERT_TRUE(authority_->revoke(credentials_.at("holder").id, "keyCompromise", actor_));
  EXPECT_FALSE(live(first));
  EXPECT_FALSE(live(second));
  EXPECT_TRUE(live(colleague)) << "another certificate's session";
  EXPECT_TRUE(sessions_->resume(card, holder_.person.id, std::string(64, 'c')).value())
      << "a card session checks its certificate on every request itself";
  // Revoking a card certificate ends no mobile session.
  ASSERT_TRUE(authority_->revoke(credentials_.at("card").id, "superseded", actor_));
  EXPECT_TRUE(live(colleague));
}

TEST_F(MobileSessionEndTest, RemovingTheIdentityEndsTheMobileSessions) {
  const std::string holder = login("holder");
  const std::string colleague = login("colleague");
  ASSERT_TRUE(registry_->removeCertificateIdentity(
      holder_.person.id, policy::identityOf(credentials_.at("holder").certificate).value(),
      servicedesk_));
  EXPECT_FALSE(live(holder));
  EXPECT_TRUE(live(colleague));
}

/// Sessions of a mobile login stand on their cookie; those bound to a card do not.
class MobileSessionTest : public storage_test::SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    person_ = storage::RegistryRepository(*database_, clock_)
                  .createPerson(person("Eva", "de Boer"), servicedesk_)
                  .value();
    repository_ = std::make_unique<storage::SessionRepository>(*database_);
    sessions_ = std::make_unique<auth::SessionManager>(*repository_, clock_, random_,
                                                       auth::SessionPolicy{}, "test-signing-key");
  }
  void TearDown() override {
    sessions_.reset();
    repository_.reset();
    SqliteTest::TearDown();
  }

  pki::SystemRandom random_;
  std::unique_ptr<storage::SessionRepository> repository_;
  std::unique_ptr<auth::SessionManager> sessions_;
  core::PersonId person_ = 0;
};

TEST_F(MobileSessionTest, OnlyAMobileSessionResumesWithoutACertificate) {
  const std::string card = std::string(64, 'c');
  const std::string mobile = auth::mobileSessionFingerprint(std::string(64, 'm'));
  const auth::Session card_session = sessions_->start(person_, card).value();
  const auth::Session mobile_session = sessions_->start(person_, mobile).value();

  auto resumed = sessions_->resumeMobile(mobile_session.token);
  ASSERT_TRUE(resumed);
  ASSERT_TRUE(resumed->has_value());
  EXPECT_EQ((*resumed)->record.person, person_);
  EXPECT_EQ((*resumed)->record.certificate_fingerprint, mobile);

  EXPECT_FALSE(sessions_->resumeMobile(card_session.token).value().has_value());
  EXPECT_TRUE(sessions_->resume(card_session.token, person_, card).value().has_value())
      << "the card session itself lives on";
  EXPECT_FALSE(sessions_->resumeMobile("unknown-token").value().has_value());
  EXPECT_FALSE(sessions_->resumeMobile("").value().has_value());
}

TEST_F(MobileSessionTest, AMobileSessionTimesOutLikeAnyOther) {
  const auth::Session session =
      sessions_->start(person_, auth::mobileSessionFingerprint("abc")).value();
  clock_.advance(auth::SessionPolicy{}.idle_timeout + 1s);
  EXPECT_FALSE(sessions_->resumeMobile(session.token).value().has_value());
}

}  // namespace
