#include "app/log_format.hpp"

#include <algorithm>

namespace app {

namespace {

bool needsEscape(unsigned char c) {
  return c < 0x20 || c == 0x7f || c == '\\';
}

}  // namespace

std::string escapedForLog(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\\') {
      escaped += "\\\\";
    } else if (needsEscape(byte)) {
      escaped += "\\x";
      escaped += kHex[byte >> 4];
      escaped += kHex[byte & 0xf];
    } else {
      escaped += c;
    }
  }
  return escaped;
}

EscapingFormatter::EscapingFormatter(std::string pattern)
    : pattern_(std::move(pattern)), pattern_formatter_(pattern_, spdlog::pattern_time_type::utc) {}

void EscapingFormatter::format(const spdlog::details::log_msg& message,
                               spdlog::memory_buf_t& dest) {
  const std::string_view text(message.payload.data(), message.payload.size());
  if (std::none_of(text.begin(), text.end(),
                   [](char c) { return needsEscape(static_cast<unsigned char>(c)); })) {
    pattern_formatter_.format(message, dest);
    return;
  }
  const std::string escaped = escapedForLog(text);
  auto copy = message;
  copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
  pattern_formatter_.format(copy, dest);
}

std::unique_ptr<spdlog::formatter> EscapingFormatter::clone() const {
  return std::make_unique<EscapingFormatter>(pattern_);
}

}  // namespace app
