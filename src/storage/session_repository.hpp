#pragma once
// Server-side sessions, shared through the database so that several portal nodes can serve them.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "storage/database.hpp"
#include "storage/recent_reads.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace storage {

/// Start of the fingerprint of a session made by a mobile login ("mobile:" + the SHA-256 of the
/// mobile certificate), never equal to a TLS client certificate's fingerprint. Revoking that
/// certificate or removing its identity ends such sessions in the same transaction.
inline constexpr std::string_view kMobileSessionPrefix = "mobile:";

/// One session as stored. The cookie value itself is never stored, only its SHA-256.
struct SessionRecord {
  std::string id_hash;  ///< hex SHA-256 of the cookie value
  core::PersonId person = 0;
  std::string certificate_fingerprint;  ///< SHA-256 of the client certificate it is bound to
  std::string csrf_token;               ///< synchroniser token for forms
  core::TimePoint created_at;
  core::TimePoint last_seen_at;
  std::optional<core::OrganisationId> organisation;  ///< the organisation the user works in
  std::optional<core::TimePoint> ended_at;           ///< set by logging out: opens nothing more
};

/// Stores sessions.
class SessionRepository {
 public:
  explicit SessionRepository(Database& database) : database_(database) {}

  /// Stores a new session.
  core::Result<void> create(const SessionRecord& session);
  /// The session with this id hash; nullopt if none. A session read within the last second is
  /// answered again while this process wrote nothing (ADR 0015): each page view checks it.
  core::Result<std::optional<SessionRecord>> find(const std::string& id_hash);
  /// Records activity (sliding idle timeout).
  core::Result<void> touch(const std::string& id_hash, core::TimePoint at);
  /// Sets the organisation the user works in.
  core::Result<void> selectOrganisation(const std::string& id_hash,
                                        std::optional<core::OrganisationId> organisation);
  /// Ends a session at `at`, stored or not: its row says so from then on (a signed cookie stays
  /// validly signed, ADR 0015). Ending it again is fine.
  core::Result<void> end(const SessionRecord& session, core::TimePoint at);
  /// Removes one session's row (it timed out).
  core::Result<void> remove(const std::string& id_hash);
  /// Deletes sessions idle since before `idle_before` or created before `created_before`.
  core::Result<int> removeExpired(core::TimePoint idle_before, core::TimePoint created_before);

  /// The secret `name` all nodes share: the stored one, or `candidate` when the first node to ask
  /// stores it (concurrent first askers agree on one).
  core::Result<std::string> sharedSecret(const std::string& name, const std::string& candidate,
                                         core::TimePoint at);

 private:
  Database& database_;
  RecentReads<std::optional<SessionRecord>> recent_;
};

}  // namespace storage
