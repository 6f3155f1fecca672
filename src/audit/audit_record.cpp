#include "audit/audit_record.hpp"

#include "core/time_format.hpp"
#include "pki/crypto.hpp"

#include <string_view>
#include <utility>

namespace audit {

namespace {

/// Version tags of the hash input; a new encoding gets a new tag so old chains stay checkable.
/// v2 adds the context; records without one keep v1, which every record written before the
/// context existed used, so such a chain still verifies.
constexpr std::string_view kEncodingTagV1 = "mijncert-audit-v1";
constexpr std::string_view kEncodingTagV2 = "mijncert-audit-v2";

/// Appends one field as "<length>:<bytes>," (a netstring), so that no two different field lists
/// encode to the same bytes (e.g. actor "ab" + action "c" versus actor "a" + action "bc").
void appendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

}  // namespace

std::string objectName(std::string_view kind, std::int64_t id) {
  return std::string(kind) + ":" + std::to_string(id);
}

Actor Actor::person(std::int64_t person_id) {
  return Actor{objectName("person", person_id)};
}

Actor Actor::system(std::string component) {
  return Actor{"system:" + std::move(component)};
}

Actor Actor::anonymous() {
  return Actor{"anonymous"};
}

const std::string& genesisHash() {
  static const std::string genesis(64, '0');
  return genesis;
}

std::string chainHash(const std::string& previous_hash, std::int64_t sequence, const Event& event) {
  std::string input;
  input.reserve(128 + previous_hash.size() + event.actor.size() + event.action.size() +
                event.object.size() + event.details.size() + event.context.size());
  appendField(input, event.context.empty() ? kEncodingTagV1 : kEncodingTagV2);
  appendField(input, previous_hash);
  appendField(input, std::to_string(sequence));
  appendField(input, core::toIso8601(event.at));
  appendField(input, event.actor);
  appendField(input, event.action);
  appendField(input, event.object);
  appendField(input, event.details);
  // The tag differs, so a v2 input never equals a v1 input: removing or adding a context is
  // noticed like any other change.
  if (!event.context.empty()) appendField(input, event.context);
  return pki::sha256Hex(input);
}

Record chain(const std::optional<Record>& previous, Event event) {
  Record record;
  record.sequence = previous ? previous->sequence + 1 : 1;
  record.previous_hash = previous ? previous->hash : genesisHash();
  record.hash = chainHash(record.previous_hash, record.sequence, event);
  record.event = std::move(event);
  return record;
}

std::optional<ChainBreak> verifyChain(const std::vector<Record>& records) {
  return verifyChain(records, std::nullopt);
}

std::optional<ChainBreak> verifyChain(const std::vector<Record>& records,
                                      const std::optional<Record>& previous) {
  // Without a predecessor the chain must start at 1 with the genesis hash, so that deleting the
  // first records is noticed too.
  std::int64_t expected_sequence = previous ? previous->sequence + 1 : 1;
  const std::string* expected_previous = previous ? &previous->hash : &genesisHash();
  for (const Record& record : records) {
    if (record.sequence != expected_sequence) return ChainBreak{record.sequence, "sequence gap"};
    if (record.previous_hash != *expected_previous)
      return ChainBreak{record.sequence, "previous hash mismatch"};
    if (record.hash != chainHash(record.previous_hash, record.sequence, record.event))
      return ChainBreak{record.sequence, "hash mismatch"};
    ++expected_sequence;
    expected_previous = &record.hash;
  }
  return std::nullopt;
}

}  // namespace audit
