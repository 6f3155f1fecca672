#pragma once
// Log lines a request cannot forge: decoded paths, certificate subjects and other text from
// outside reach the log through format arguments, so the formatter escapes every message.

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace app {

/// `text` with each byte below 0x20, DEL and the backslash written as \xHH (the backslash as
/// \\): no new line, carriage return or terminal escape sequence survives.
std::string escapedForLog(std::string_view text);

/// spdlog's pattern formatter applied to the escaped message.
class EscapingFormatter final : public spdlog::formatter {
 public:
  /// Formats with `pattern` (spdlog's pattern syntax) and timestamps in UTC.
  explicit EscapingFormatter(std::string pattern);
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  std::string pattern_;
  spdlog::pattern_formatter pattern_formatter_;
};

}  // namespace app
