#pragma once
// What this process read a moment ago, to answer the same read again without the database
// (ADR 0015): an entry is used for at most kRecentReadsKept, and only while this process has
// committed no write transaction since it was read (Database::writeCount). A change made here
// therefore counts at once; one made by another node within kRecentReadsKept.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace storage {

/// How long a read is remembered at most.
inline constexpr std::chrono::seconds kRecentReadsKept{1};

/// Recent reads by key; safe to share between threads.
template <class Value>
class RecentReads {
 public:
  /// The value read under `key`, if it was read within kRecentReadsKept and `writes` (the
  /// current Database::writeCount) has not moved on since.
  std::optional<Value> find(const std::string& key, std::uint64_t writes) const {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(key);
    if (found == entries_.end() || found->second.writes != writes ||
        Clock::now() - found->second.at >= kRecentReadsKept)
      return std::nullopt;
    return found->second.value;
  }

  /// Remembers `value`, read after writeCount was `writes_before` (taken before the read, so a
  /// write that lands during it makes the entry stale rather than wrongly fresh).
  void remember(const std::string& key, Value value, std::uint64_t writes_before) {
    const std::lock_guard lock(mutex_);
    // Only the last second matters: start over rather than grow without end.
    if (entries_.size() >= kCapacity) entries_.clear();
    entries_.insert_or_assign(key, Entry{std::move(value), writes_before, Clock::now()});
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kCapacity = 10'000;
  struct Entry {
    Value value;
    std::uint64_t writes;
    Clock::time_point at;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace storage
