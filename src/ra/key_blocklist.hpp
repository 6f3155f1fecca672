#pragma once
// The Servicedesk's blocklist of known-compromised keys (PRODUCT.md §8): no CSR with a listed key
// is accepted. Every call is the Servicedesk's (policy work_in_servicedesk).

#include "core/error.hpp"
#include "core/registry.hpp"
#include "storage/blocked_keys.hpp"

#include <string>
#include <vector>

namespace ra {

/// The blocklist use cases.
class KeyBlocklist {
 public:
  /// Longest reason, in bytes.
  static constexpr std::size_t kMaxReasonLength = 500;

  explicit KeyBlocklist(storage::BlockedKeyRepository& keys) : keys_(keys) {}

  /// Every blocked key, newest first.
  core::Result<std::vector<storage::BlockedKey>> list(const core::Principal& actor);
  /// Blocks the key of `key`: a SHA-256 SPKI hash (hex), or a certificate, CSR or public key in
  /// PEM. Invalid on "key" (unreadable, or already blocked: conflict) or "reason" (required).
  core::Result<void> block(const core::Principal& actor, const std::string& key,
                           const std::string& reason);
  /// Unblocks a key by its hash; not_found if it is not blocked.
  core::Result<void> unblock(const core::Principal& actor, const std::string& spki_sha256);

 private:
  storage::BlockedKeyRepository& keys_;
};

}  // namespace ra
