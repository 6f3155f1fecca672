#pragma once
// Byte <-> text encodings that need no crypto library.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace core {

/// Lower-case hexadecimal.
std::string toHex(std::span<const std::uint8_t> bytes);
/// Upper-case hex pairs separated by ':' (fingerprints and serials as shown in the UI).
std::string toColonHex(std::span<const std::uint8_t> bytes);
/// base64url without padding (RFC 4648 §5).
std::string toBase64Url(std::span<const std::uint8_t> bytes);
/// Standard base64 with padding (RFC 4648 §4), e.g. for PEM bodies.
std::string toBase64(std::span<const std::uint8_t> bytes);
/// Decodes standard base64 (padding optional, whitespace ignored); nullopt on bad input.
std::optional<std::vector<std::uint8_t>> fromBase64(std::string_view text);
/// Views a string's bytes as unsigned bytes.
std::span<const std::uint8_t> asBytes(std::string_view text);

/// One character decoded from UTF-8.
struct Utf8Character {
  char32_t code = 0;
  std::size_t length = 0;  ///< bytes it takes
};
/// The character that starts at `offset` of `text`; nullopt when the bytes there are not
/// well-formed UTF-8 (truncated, overlong, a surrogate or beyond U+10FFFF).
std::optional<Utf8Character> decodeUtf8(std::string_view text, std::size_t offset);

}  // namespace core
