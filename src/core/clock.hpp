#pragma once
// Time is injected so that tests can pin it (expiry, timeouts, validity arithmetic).

#include <chrono>

namespace core {

using TimePoint = std::chrono::sys_seconds;

/// Source of the current time.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The current UTC time, in whole seconds.
  virtual TimePoint now() const = 0;
};

/// The real wall clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

/// A clock that stands still until moved; for tests.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint at) : now_(at) {}
  TimePoint now() const override { return now_; }
  /// Moves the clock forward (or backward) by `by`.
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  TimePoint now_;
};

}  // namespace core
