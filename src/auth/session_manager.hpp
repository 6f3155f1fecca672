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

namespace auth {

/// Start of the fingerprint of a session made by a mobile login ("mobile:" + the SHA-256 of the
/// mobile certificate), never equal to a TLS client certificate's fingerprint.
inline constexpr std::string_view kMobileSessionPrefix = "mobile:";

/// Timeouts of a session.
struct SessionPolicy {
  std::chrono::seconds idle_timeout{std::chrono::minutes{15}};
  std::chrono::seconds absolute_timeout{std::chrono::hours{8}};
};

/// A live session.
struct Session {
  std::string token;  ///< cookie value; only set when the session was just started
  storage::SessionRecord record;
};

/// Starts, resumes and ends sessions.
class SessionManager {
 public:
  SessionManager(storage::SessionRepository& sessions, const core::Clock& clock,
                 core::RandomSource& random, SessionPolicy policy)
      : sessions_(sessions), clock_(clock), random_(random), policy_(policy) {}

  /// Starts a session for a person logged in with the certificate of `fingerprint`.
  core::Result<Session> start(core::PersonId person, const std::string& fingerprint);
  /// The session behind a cookie value, if it exists, belongs to `person`, is bound to the same
  /// certificate and has not timed out; records the activity. nullopt otherwise.
  core::Result<std::optional<Session>> resume(std::string_view token, core::PersonId person,
                                              std::string_view fingerprint);
  /// The session behind a cookie value made by a mobile login (its fingerprint starts with
  /// kMobileSessionPrefix), when no client certificate is on the connection; nullopt otherwise.
  core::Result<std::optional<Session>> resumeMobile(std::string_view token);
  /// Remembers which organisation the user works in: one they may order for (policy
  /// order_for_organisation; not_found or forbidden otherwise).
  core::Result<void> selectOrganisation(const core::Principal& actor, const Session& session,
                                        core::OrganisationId organisation);
  /// Ends the session behind a cookie value (logout); unknown tokens are ignored.
  core::Result<void> end(std::string_view token);
  /// The configured policy (cookie Max-Age uses the absolute timeout).
  const SessionPolicy& policy() const { return policy_; }

 private:
  core::Result<std::optional<Session>> resumeIf(
      std::string_view token, const std::function<bool(const storage::SessionRecord&)>& belongs);
  storage::SessionRepository& sessions_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  SessionPolicy policy_;
};

/// Constant-time comparison of two secrets (CSRF tokens).
bool secretsEqual(std::string_view a, std::string_view b);

/// The storage key of a cookie value.
std::string sessionIdHash(std::string_view token);

}  // namespace auth
