#pragma once
// QR codes for mobile login and signing (ADR 0008), drawn as inline SVG (libqrencode), so the
// page needs no image request and no script.

#include <string>
#include <string_view>

namespace web {

/// An SVG QR code of `text` (error correction level M, four-module quiet zone) with `label` as
/// its accessible name; empty if the text is too long to encode.
std::string qrCodeSvg(std::string_view text, std::string_view label);

}  // namespace web
