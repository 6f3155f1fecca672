#include "auth/mobile_requests.hpp"

#include "auth/session_manager.hpp"
#include "core/time_format.hpp"
#include "pki/certificate.hpp"
#include "pki/crypto.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace auth {

namespace {

/// Random bytes of a request id (128 bits, base64url: 22 characters).
constexpr std::size_t kIdBytes = 16;
/// Random bytes of a nonce.
constexpr std::size_t kNonceBytes = 16;

core::Error refusal(core::ErrorKind kind, std::string key) {
  return core::makeError(kind, std::move(key));
}

std::string browserHash(const std::string& secret) {
  return pki::sha256Hex(secret);
}

/// The numbers of number matching: two digits, 10 to 99 (ADR 0021).
constexpr int kLowestNumber = 10;
constexpr int kNumbers = 90;
/// How many numbers the app offers: the browser's and two decoys.
constexpr std::size_t kChoices = 3;

/// A uniformly random number of number matching (rejection sampling: no modulo bias).
int randomNumber(core::RandomSource& random) {
  constexpr int usable = 256 - 256 % kNumbers;
  for (;;) {
    std::array<std::uint8_t, 1> byte{};
    random.fill(byte);
    if (byte[0] < usable) return kLowestNumber + byte[0] % kNumbers;
  }
}

/// `number` and two distinct decoys, in ascending order: where the right one stands says nothing.
std::vector<int> choicesWith(int number, core::RandomSource& random) {
  std::vector<int> choices{number};
  while (choices.size() < kChoices) {
    const int decoy = randomNumber(random);
    if (std::find(choices.begin(), choices.end(), decoy) == choices.end()) choices.push_back(decoy);
  }
  std::sort(choices.begin(), choices.end());
  return choices;
}

}  // namespace

std::string mobileSessionFingerprint(std::string_view certificate_sha256) {
  return std::string(kMobileSessionPrefix) + std::string(certificate_sha256);
}

std::string MobileRequests::loginDocument(const storage::MobileRequest& request) const {
  return "Document: mijncert-inloggen-2\nPortaal: " + origin_ + "\nVerzoek: " + request.id +
         "\nNonce: " + request.nonce + "\nGeldig tot: " + core::toIso8601(request.expires_at) +
         "\nBrowser: " + request.browser + "\nIP-adres: " + request.client_address +
         "\nGestart: " + core::toIso8601(request.created_at);
}

core::Result<storage::MobileRequest> MobileRequests::start(storage::MobileRequest request,
                                                           const std::string& browser_secret,
                                                           const std::string& client_address,
                                                           const audit::Actor& actor) {
  const core::TimePoint now = clock_.now();
  auto recent = requests_.countSince(client_address, now - std::chrono::minutes{1});
  if (!recent) return recent.error();
  if (*recent >= settings_.requests_per_minute)
    return refusal(core::ErrorKind::rate_limited, "mobile.rate_limited");
  request.id = core::randomToken(random_, kIdBytes);
  request.nonce = core::randomToken(random_, kNonceBytes);
  request.browser_hash = browserHash(browser_secret);
  request.client_address = client_address;
  request.created_at = now;
  request.expires_at = now + settings_.request_validity;
  if (request.kind == storage::MobileRequestKind::login) {
    const int number = randomNumber(random_);
    request.match_number = number;
    request.match_choices = choicesWith(number, random_);
    request.document = loginDocument(request);
  }
  if (auto created = requests_.create(request, actor); !created) return created.error();
  return request;
}

core::Result<storage::MobileRequest> MobileRequests::startLogin(const std::string& browser_secret,
                                                                const std::string& client_address,
                                                                const std::string& browser) {
  storage::MobileRequest request;
  request.kind = storage::MobileRequestKind::login;
  request.browser = browser;
  return start(std::move(request), browser_secret, client_address,
               audit::Actor::system("mobile-login"));
}

core::Result<storage::MobileRequest> MobileRequests::startSigning(
    const core::Principal& actor, core::OrderId order, const std::string& browser_secret,
    const std::string& client_address) {
  auto document = orders_.documentToSign(actor, order);
  if (!document) return document.error();
  storage::MobileRequest request;
  request.kind = storage::MobileRequestKind::sign;
  request.order = order;
  request.person = actor.person.id;
  request.document = std::move(*document);
  return start(std::move(request), browser_secret, client_address,
               audit::Actor::person(actor.person.id));
}

core::Result<storage::MobileRequest> MobileRequests::forApp(const std::string& id) {
  auto found = requests_.find(id);
  if (!found) return found.error();
  if (!*found) return refusal(core::ErrorKind::not_found, "mobile.unknown");
  const storage::MobileRequest& request = **found;
  switch (request.status) {
    case storage::MobileRequestStatus::completed:
    case storage::MobileRequestStatus::consumed:
      return refusal(core::ErrorKind::conflict, "mobile.used");
    case storage::MobileRequestStatus::cancelled:
      return refusal(core::ErrorKind::conflict, "mobile.cancelled");
    case storage::MobileRequestStatus::pending:
      break;
  }
  if (clock_.now() >= request.expires_at) return refusal(core::ErrorKind::gone, "mobile.expired");
  return std::move(**found);
}

core::Result<core::Principal> MobileRequests::signerOf(const storage::MobileRequest& request,
                                                       const ra::SignatureEvidence& evidence) {
  // Only a mobile certificate this portal issued, still valid and not revoked, answers here: a
  // card's key belongs in a card reader (TLS login, .p7s upload), not in an app.
  auto signer = pki::Certificate::fromPem(evidence.signer_certificate_pem);
  if (!signer) return signer.error();
  auto issued = inventory_.findIssued(signer->issuerDn(), signer->serialHex());
  if (!issued) return issued.error();
  if (!*issued || (*issued)->kind != core::CertificateKind::mobile || (*issued)->revoked_at)
    return refusal(core::ErrorKind::forbidden, "mobile.not_mobile");
  auto principal = registry_.findPrincipalByCertificate(evidence.identity);
  if (!principal) return principal.error();
  if (!*principal || !(*principal)->hasPortalAccess())
    return refusal(core::ErrorKind::forbidden, "mobile.wrong_person");
  // A signing request belongs to the logged-in requester: nobody else's phone can submit it.
  if (request.kind == storage::MobileRequestKind::sign && request.person != (*principal)->person.id)
    return refusal(core::ErrorKind::forbidden, "mobile.wrong_person");
  return std::move(**principal);
}

core::Result<MobileAnswer> MobileRequests::answer(const std::string& id, std::string_view signature,
                                                  std::optional<std::int64_t> number) {
  auto request = forApp(id);
  if (!request) return request.error();
  std::optional<core::OrderStatus> order_status;
  auto outcome = [&]() -> core::Result<MobileAnswer> {
    auto evidence = signatures_.verifySigner(request->document, signature);
    if (!evidence) return evidence.error();
    auto principal = signerOf(*request, *evidence);
    if (!principal) return principal.error();
    const audit::Actor actor = audit::Actor::person(principal->person.id);
    if (request->kind == storage::MobileRequestKind::login) {
      // Number matching (ADR 0021): the person must be looking at the browser that asked. Only
      // a verified answer of a mobile certificate decides, so knowing the id cancels nothing.
      if (!number) return refusal(core::ErrorKind::invalid, "mobile.number_missing");
      if (number != request->match_number) {
        if (auto cancelled = requests_.finish(id, storage::MobileRequestStatus::cancelled,
                                              std::nullopt, "", actor, "mobile.wrong_number");
            !cancelled)
          return refusal(core::ErrorKind::conflict, "mobile.used");
        return refusal(core::ErrorKind::conflict, "mobile.wrong_number");
      }
    }
    if (request->kind == storage::MobileRequestKind::sign) {
      // The same rule as the web and API (policy sign_order): a requester who no longer acts
      // for the order's organisation signs nothing.
      auto submitted = orders_.sign(*principal, *request->order, signature);
      if (!submitted) {
        const auto kind = submitted.error().kind;
        if (kind == core::ErrorKind::not_found || kind == core::ErrorKind::forbidden)
          return refusal(core::ErrorKind::forbidden, "mobile.not_allowed");
        return submitted.error();
      }
      order_status = submitted->status;
    }
    // A signing answer that raced a cancel in the browser has still submitted the order: that
    // is the outcome to report. A login that lost the race did nothing.
    if (auto finished =
            requests_.finish(id, storage::MobileRequestStatus::completed, principal->person.id,
                             mobileSessionFingerprint(evidence->signer_fingerprint), actor);
        !finished && request->kind == storage::MobileRequestKind::login)
      return refusal(core::ErrorKind::conflict, "mobile.used");
    auto done = requests_.find(id);
    if (!done) return done.error();
    return MobileAnswer{std::move(**done), order_status};
  }();
  if (!outcome) {
    // The browser shows why its request is still waiting.
    const auto& error = outcome.error();
    const std::string key = error.fields.empty() ? error.message : error.fields.front().message;
    if (auto recorded = requests_.recordRefusal(id, key); !recorded) return recorded.error();
  }
  return outcome;
}

core::Result<MobileRequestState> MobileRequests::forBrowser(const std::string& id,
                                                            const std::string& browser_secret) {
  auto found = requests_.find(id);
  if (!found) return found.error();
  // Another browser's request is as unknown as a missing one.
  if (!*found || browser_secret.empty() || (*found)->browser_hash != browserHash(browser_secret))
    return refusal(core::ErrorKind::not_found, "mobile.unknown");
  // A completed login is redeemed within the request's time as well (ADR 0021).
  const bool open = (*found)->status == storage::MobileRequestStatus::pending ||
                    ((*found)->status == storage::MobileRequestStatus::completed &&
                     (*found)->kind == storage::MobileRequestKind::login);
  const bool expired = open && clock_.now() >= (*found)->expires_at;
  return MobileRequestState{std::move(**found), expired};
}

core::Result<void> MobileRequests::poll(const std::string& id) {
  auto allowed = requests_.recordPoll(id, settings_.poll_interval);
  if (!allowed) return allowed.error();
  if (!*allowed) return refusal(core::ErrorKind::rate_limited, "mobile.rate_limited");
  return {};
}

core::Result<std::pair<core::Principal, std::string>> MobileRequests::finishLogin(
    const std::string& id, const std::string& browser_secret) {
  auto state = forBrowser(id, browser_secret);
  if (!state) return state.error();
  const storage::MobileRequest& request = state->request;
  if (request.kind != storage::MobileRequestKind::login ||
      request.status != storage::MobileRequestStatus::completed || !request.person)
    return refusal(core::ErrorKind::conflict, "mobile.not_completed");
  // A login answered in time but redeemed late starts nothing: the window is the request's.
  if (state->expired) return refusal(core::ErrorKind::gone, "mobile.expired");
  // One session per answered request.
  auto consumed = requests_.consume(id);
  if (!consumed) return consumed.error();
  if (!*consumed) return refusal(core::ErrorKind::conflict, "mobile.used");
  auto principal = registry_.findPrincipal(*request.person);
  if (!principal) return principal.error();
  if (!*principal || !(*principal)->hasPortalAccess())
    return refusal(core::ErrorKind::forbidden, "mobile.wrong_person");
  return std::pair{std::move(**principal), request.signer_fingerprint};
}

core::Result<void> MobileRequests::cancel(const std::string& id,
                                          const std::string& browser_secret) {
  auto state = forBrowser(id, browser_secret);
  if (!state) return state.error();
  if (auto finished = requests_.finish(id, storage::MobileRequestStatus::cancelled, std::nullopt,
                                       "", audit::Actor::system("mobile-login"));
      !finished)
    return refusal(core::ErrorKind::conflict, "mobile.used");
  return {};
}

}  // namespace auth
