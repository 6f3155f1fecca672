#pragma once
// The tamper-evident audit chain (PRODUCT.md §8): every record carries the hash of the previous
// one, so a changed, deleted or inserted record breaks the chain from that point on.
// This layer holds the record format and the chain rules; storage persists the records.

#include "core/clock.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace audit {

/// The name of a registry entry as an audit object or context: objectName("organisation", 12)
/// is "organisation:12".
std::string objectName(std::string_view kind, std::int64_t id);

/// Who did it: "person:<id>", "system:<component>" or "anonymous".
struct Actor {
  std::string id;
  /// The actor for a person.
  static Actor person(std::int64_t person_id);
  /// The actor for an automated part of the system, e.g. system("init-dev").
  static Actor system(std::string component);
  /// The actor for a request without a known identity (e.g. a refused login).
  static Actor anonymous();
};

/// What happened, before it is chained.
struct Event {
  core::TimePoint at;
  std::string actor;         ///< Actor::id
  std::string action;        ///< dotted verb, e.g. "organisation.create", "login.refused"
  std::string object;        ///< "organisation:12", "person:7", "" if none
  std::string details;       ///< JSON object: before/after of changed fields, reasons (no secrets)
  std::string context = {};  ///< the organisation an event concerns, "organisation:3", so that
                             ///< e.g. a role change of person:7 is found under both
};

/// An event as stored: with its position and the chain hashes.
struct Record {
  std::int64_t sequence = 0;  ///< 1, 2, 3, … without gaps
  Event event;
  std::string previous_hash;  ///< hash of record sequence-1; 64 zeros for the first
  std::string hash;           ///< chainHash(previous_hash, sequence, event)
};

/// The hash of the first record's predecessor.
const std::string& genesisHash();

/// SHA-256 (hex) over an unambiguous encoding of the previous hash, sequence and event.
std::string chainHash(const std::string& previous_hash, std::int64_t sequence, const Event& event);

/// Makes the record that follows `previous` (or the first record if there is none).
Record chain(const std::optional<Record>& previous, Event event);

/// Where a chain check found the first problem.
struct ChainBreak {
  std::int64_t sequence;  ///< the first record that does not fit
  std::string reason;     ///< "hash mismatch", "sequence gap", "previous hash mismatch"
};

/// Checks records given in sequence order; nullopt when the chain is intact.
std::optional<ChainBreak> verifyChain(const std::vector<Record>& records);

/// Checks records that follow `previous` (nullopt: the start of the chain), so that a long
/// chain can be checked one page at a time.
std::optional<ChainBreak> verifyChain(const std::vector<Record>& records,
                                      const std::optional<Record>& previous);

}  // namespace audit
