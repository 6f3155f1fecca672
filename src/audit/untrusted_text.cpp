#include "audit/untrusted_text.hpp"

#include "core/encoding.hpp"

#include <algorithm>
#include <cstdio>

namespace audit {
namespace {

constexpr std::string_view kCut = "…";

bool isHidden(char32_t code) {
  return code < 0x20 || (code >= 0x7F && code < 0xA0) || code == 0x061C || code == 0x180E ||
         (code >= 0x200B && code <= 0x200F) || (code >= 0x2028 && code <= 0x202E) ||
         (code >= 0x2060 && code <= 0x2069) || code == 0xFEFF || (code >= 0xFFF9 && code <= 0xFFFB);
}

std::string escaped(const char* format, unsigned value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

}  // namespace

std::string untrustedText(std::string_view text, std::size_t max_bytes) {
  std::string out;
  std::size_t fits = 0;  // where the output may be cut so that the mark still fits
  const std::size_t room = max_bytes - std::min(max_bytes, kCut.size());
  for (std::size_t i = 0; i < text.size() && out.size() <= max_bytes;) {
    if (out.size() <= room) fits = out.size();
    const auto character = core::decodeUtf8(text, i);
    if (!character) {
      out += escaped("\\x%02X", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (isHidden(character->code))
      out += escaped("\\u%04X", static_cast<unsigned>(character->code));
    else
      out += text.substr(i, character->length);
    i += character->length;
  }
  if (out.size() <= max_bytes) return out;
  out.resize(fits);
  if (max_bytes >= kCut.size()) out += kCut;
  return out;
}

}  // namespace audit
