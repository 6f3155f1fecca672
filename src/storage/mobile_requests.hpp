#pragma once
// Mobile login and signing requests (ADR 0008, docs/mobile-protocol.md) and the attempt counters
// of rate limits. Everything lives in the database, so several portal nodes share it.

#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/order.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace storage {

/// What a request asks the app.
enum class MobileRequestKind { login, sign };

/// Where a request stands. A completed login is consumed once the browser made its session.
enum class MobileRequestStatus { pending, completed, consumed, cancelled };

/// One request.
struct MobileRequest {
  std::string id;
  MobileRequestKind kind = MobileRequestKind::login;
  std::string browser_hash;
  std::optional<core::OrderId> order;    ///< sign: the order
  std::optional<core::PersonId> person;  ///< sign: the requester; login: set when completed
  std::string nonce;
  /// login: the number the browser shows and the app's choices, that number and two decoys in
  /// ascending order (ADR 0021); none for signing.
  std::optional<std::int64_t> match_number;
  std::vector<int> match_choices;
  std::string browser;  ///< login: coarse description of the requesting browser's user agent
  std::string document;
  MobileRequestStatus status = MobileRequestStatus::pending;
  std::string refusal;  ///< message key of the last refused answer (or of a cancel), "" if none
  std::string signer_fingerprint;  ///< the certificate that answered (session binding)
  std::string client_address;
  core::TimePoint created_at;
  core::TimePoint expires_at;
};

/// "login" / "sign"; "pending", "completed", "consumed", "cancelled".
std::string_view toString(MobileRequestKind kind);
std::string_view toString(MobileRequestStatus status);

/// Mobile requests.
class MobileRequestRepository {
 public:
  MobileRequestRepository(Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  /// Stores a new pending request ("mobile_request.create").
  core::Result<void> create(const MobileRequest& request, const audit::Actor& actor);
  /// One request; nullopt if unknown.
  core::Result<std::optional<MobileRequest>> find(const std::string& id);
  /// How many requests `client_address` made since `since` (rate limit).
  core::Result<long long> countSince(const std::string& client_address, core::TimePoint since);
  /// Moves a pending request to `to` ("mobile_request.<to>"), recording who answered for a
  /// completion and why it ended (`refusal`: a message key, "" for none); conflict
  /// "mobile_request.not_pending" if it is no longer pending.
  core::Result<void> finish(const std::string& id, MobileRequestStatus to,
                            std::optional<core::PersonId> person,
                            const std::string& signer_fingerprint, const audit::Actor& actor,
                            const std::string& refusal = "");
  /// Marks a completed login consumed (the browser's session was made): true once, false after.
  core::Result<bool> consume(const std::string& id);
  /// Records why the last answer was refused (the request stays pending).
  core::Result<void> recordRefusal(const std::string& id, const std::string& refusal);
  /// Records a status poll: false if the previous one was less than `interval` ago.
  core::Result<bool> recordPoll(const std::string& id, std::chrono::seconds interval);

 private:
  Database& database_;
  const core::Clock& clock_;
};

/// Counts attempts per scope and key (a client address) in a sliding window.
class RateLimiter {
 public:
  RateLimiter(Database& database, const core::Clock& clock) : database_(database), clock_(clock) {}
  /// Records an attempt; false if `key` already made `limit` attempts in `scope` within `window`
  /// (then nothing is recorded).
  core::Result<bool> allow(const std::string& scope, const std::string& key, int limit,
                           std::chrono::seconds window);

 private:
  Database& database_;
  const core::Clock& clock_;
};

}  // namespace storage
