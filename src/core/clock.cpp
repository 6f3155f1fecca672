#include "core/clock.hpp"

namespace core {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace core
