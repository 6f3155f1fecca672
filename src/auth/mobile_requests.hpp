#pragma once
// Mobile login and signing (ADR 0008, PRODUCT.md §3, §4; docs/mobile-protocol.md): the portal makes
// a one-time request bound to a browser, the app fetches it and answers with a CMS signature over
// the request's document, verified exactly like an uploaded .p7s; then the browser completes the
// login (a session without a client certificate) or finds its order submitted.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "core/registry.hpp"
#include "ra/order_signature.hpp"
#include "ra/orders.hpp"
#include "storage/certificate_inventory.hpp"
#include "storage/mobile_requests.hpp"
#include "storage/registry_repository.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace auth {

/// Settings of mobile requests (config `[mobile]`).
struct MobileSettings {
  std::chrono::seconds request_validity{120};  ///< how long a request can be answered
  int requests_per_minute = 10;                ///< new requests per client address
  std::chrono::seconds poll_interval{1};       ///< least time between two status polls
};

/// How a request is seen from the browser.
struct MobileRequestState {
  storage::MobileRequest request;
  bool expired = false;  ///< past its expiry while still pending, or completed but not redeemed
};

/// The session fingerprint of a mobile login: kMobileSessionPrefix + the mobile certificate's
/// SHA-256, so such a session is never taken for one bound to a TLS client certificate.
std::string mobileSessionFingerprint(std::string_view certificate_sha256);

/// A request after the app's answer, with the status of the order it signed (signing only).
struct MobileAnswer {
  storage::MobileRequest request;
  std::optional<core::OrderStatus> order_status;
};

/// The mobile request use cases.
class MobileRequests {
 public:
  MobileRequests(storage::MobileRequestRepository& requests, storage::RegistryRepository& registry,
                 storage::CertificateInventory& inventory, ra::Orders& orders,
                 const ra::OrderSignatureVerifier& signatures, core::RandomSource& random,
                 const core::Clock& clock, std::string origin, MobileSettings settings)
      : requests_(requests),
        registry_(registry),
        inventory_(inventory),
        orders_(orders),
        signatures_(signatures),
        random_(random),
        clock_(clock),
        origin_(std::move(origin)),
        settings_(settings) {}

  /// A login request for the browser holding `browser_secret` (its binding cookie), from
  /// `client_address`, whose user agent is described by `browser` ("Firefox op Linux"): with
  /// the number that browser shows and the app's three choices (ADR 0021); rate_limited
  /// "mobile.rate_limited" beyond the per-minute limit.
  core::Result<storage::MobileRequest> startLogin(const std::string& browser_secret,
                                                  const std::string& client_address,
                                                  const std::string& browser);
  /// A signing request for `actor`'s own draft order, from their browser.
  core::Result<storage::MobileRequest> startSigning(const core::Principal& actor,
                                                    core::OrderId order,
                                                    const std::string& browser_secret,
                                                    const std::string& client_address);
  /// The request as the app fetches it: not_found "mobile.unknown"; gone "mobile.expired",
  /// conflict "mobile.used" / "mobile.cancelled" once it can no longer be answered.
  core::Result<storage::MobileRequest> forApp(const std::string& id);
  /// The app's answer, with the number the user picked (login). Refusals (recorded on the
  /// request for the browser): invalid with the signature's own key on field "signature",
  /// forbidden "mobile.not_mobile" for a certificate that is not a registered valid mobile
  /// certificate, forbidden "mobile.wrong_person", forbidden "mobile.not_allowed" when the
  /// requester may no longer sign the order (policy sign_order), invalid "mobile.number_missing"
  /// for a login answer without a number. A verified login answer with another number than the
  /// browser's cancels the request: conflict "mobile.wrong_number".
  core::Result<MobileAnswer> answer(const std::string& id, std::string_view signature,
                                    std::optional<std::int64_t> number = std::nullopt);
  /// The request as its browser sees it; not_found for an unknown id or another browser.
  core::Result<MobileRequestState> forBrowser(const std::string& id,
                                              const std::string& browser_secret);
  /// Records a status poll; rate_limited "mobile.rate_limited" if it came too soon.
  core::Result<void> poll(const std::string& id);
  /// The browser finishes a completed login once, before the request's expiry: the person to
  /// start a session for and the session fingerprint; conflict "mobile.not_completed", gone
  /// "mobile.expired" once the request's time is up.
  core::Result<std::pair<core::Principal, std::string>> finishLogin(
      const std::string& id, const std::string& browser_secret);
  /// The browser cancels a pending request.
  core::Result<void> cancel(const std::string& id, const std::string& browser_secret);

  /// The configured limits.
  const MobileSettings& settings() const { return settings_; }
  /// The document a login request asks to sign (docs/mobile-protocol.md).
  std::string loginDocument(const storage::MobileRequest& request) const;

 private:
  core::Result<storage::MobileRequest> start(storage::MobileRequest request,
                                             const std::string& browser_secret,
                                             const std::string& client_address,
                                             const audit::Actor& actor);
  core::Result<core::Principal> signerOf(const storage::MobileRequest& request,
                                         const ra::SignatureEvidence& evidence);

  storage::MobileRequestRepository& requests_;
  storage::RegistryRepository& registry_;
  storage::CertificateInventory& inventory_;
  ra::Orders& orders_;
  const ra::OrderSignatureVerifier& signatures_;
  core::RandomSource& random_;
  const core::Clock& clock_;
  std::string origin_;
  MobileSettings settings_;
};

}  // namespace auth
