#pragma once
// Conversions between TimePoint and the text forms used in storage, JSON and pages.

#include "core/clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace core {

/// RFC 3339 UTC, e.g. "2026-11-27T13:21:04Z" (JSON, logs, audit records).
std::string toIso8601(TimePoint t);
/// Parses the form written by toIso8601; nullopt on anything else.
std::optional<TimePoint> parseIso8601(std::string_view text);
/// Dutch date as shown in the UI, e.g. "27-11-2026".
std::string toDutchDate(TimePoint t);
/// Seconds since the Unix epoch (database columns).
std::int64_t toUnixSeconds(TimePoint t);
/// Inverse of toUnixSeconds.
TimePoint fromUnixSeconds(std::int64_t seconds);

}  // namespace core
