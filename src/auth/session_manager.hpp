#pragma once
// Server-side sessions for state changes (ARCHITECTURE.md, security by default): the cookie holds
// 256 random bits, the database only their hash; a session is bound to the client certificate it
// was started with, and ends after an idle and an absolute timeout.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "core/registry.hpp"
#include "storage/session_repository.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace auth {

/// Start of the fingerprint of a session made by a mobile login (storage::kMobileSessionPrefix).
inline constexpr std::string_view kMobileSessionPrefix = storage::kMobileSessionPrefix;

/// Timeouts of a session.
struct SessionPolicy {
  std::chrono::seconds idle_timeout{std::chrono::minutes{15}};
  std::chrono::seconds absolute_timeout{std::chrono::hours{8}};
  /// A certificate's login is audited once per this interval (CertificateLogin).
  std::chrono::seconds login_audit_interval{std::chrono::hours{1}};
};

/// Activity is written down at most this often: a page view writes at most once a minute
/// (ADR 0015), so the idle timeout counts from up to a minute earlier.
inline constexpr std::chrono::seconds kActivityResolution{60};

/// A live session.
struct Session {
  std::string token;  ///< the cookie to send: set when it starts or its signed activity moves on
  storage::SessionRecord record;
  bool stored = true;  ///< false: begun by a page view, only a signed cookie so far (ADR 0015)
};

/// Starts, resumes and ends sessions. A page view of a person logged in with a certificate
/// begins a session as a cookie signed with the portal's shared key and bound to that
/// certificate: nothing is written until the first state change keeps it (ADR 0015). A mobile
/// login, whose cookie alone identifies the person, is stored at once.
class SessionManager {
 public:
  SessionManager(storage::SessionRepository& sessions, const core::Clock& clock,
                 core::RandomSource& random, SessionPolicy policy, std::string signing_key)
      : sessions_(sessions),
        clock_(clock),
        random_(random),
        policy_(policy),
        signing_key_(std::move(signing_key)) {}

  /// The key that signs session cookies, shared by every node through the database: made by
  /// the first node that asks.
  static core::Result<std::string> sharedSigningKey(storage::SessionRepository& sessions,
                                                    core::RandomSource& random,
                                                    const core::Clock& clock);

  /// Starts a stored session for a person logged in with the certificate of `fingerprint`.
  core::Result<Session> start(core::PersonId person, const std::string& fingerprint);
  /// Begins a session for a person logged in with the certificate of `fingerprint` without
  /// writing anything: a signed cookie, kept at the first state change.
  Session begin(core::PersonId person, const std::string& fingerprint);
  /// The session behind a cookie value, if it belongs to `person`, is bound to the same
  /// certificate, has not timed out and was not ended. Writes at most once per
  /// kActivityResolution. nullopt otherwise.
  core::Result<std::optional<Session>> resume(std::string_view token, core::PersonId person,
                                              std::string_view fingerprint);
  /// The session behind a cookie value made by a mobile login (its fingerprint starts with
  /// kMobileSessionPrefix), when no client certificate is on the connection; nullopt otherwise.
  core::Result<std::optional<Session>> resumeMobile(std::string_view token);
  /// Stores a session begun by begin() (at its first state change); a stored one stays as is.
  /// A session ended meanwhile (logged out in another tab) is unauthenticated.
  core::Result<void> keep(Session& session);
  /// Remembers which organisation the user works in: one they may order for (policy
  /// order_for_organisation; not_found or forbidden otherwise). Keeps the session first.
  core::Result<void> selectOrganisation(const core::Principal& actor, Session& session,
                                        core::OrganisationId organisation);
  /// Ends the session (logout) at once, stored or not.
  core::Result<void> end(const Session& session);
  /// The configured policy (cookie Max-Age uses the absolute timeout).
  const SessionPolicy& policy() const { return policy_; }

 private:
  struct SignedCookie;
  core::Result<std::optional<Session>> resumeSigned(std::string_view token,
                                                    const SignedCookie& cookie,
                                                    std::string_view fingerprint);
  core::Result<std::optional<Session>> resumeStored(
      storage::SessionRecord record,
      const std::function<bool(const storage::SessionRecord&)>& belongs);
  std::string signedToken(const std::string& identity, core::TimePoint seen,
                          std::string_view fingerprint) const;
  std::string mac(std::string_view data) const;

  storage::SessionRepository& sessions_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  SessionPolicy policy_;
  std::string signing_key_;
};

/// Constant-time comparison of two secrets (CSRF tokens).
bool secretsEqual(std::string_view a, std::string_view b);

/// The storage key of a cookie value.
std::string sessionIdHash(std::string_view token);

}  // namespace auth
