#pragma once
// Text that someone outside chose (a certificate's subject, a client's header) as an audit record
// may hold it: bounded, and with nothing that could rewrite a terminal or reorder what a reader
// sees (ADR 0022).

#include <cstddef>
#include <string>
#include <string_view>

namespace audit {

/// `text` with every control character (C0, DEL, C1) and every invisible or bidirectional
/// formatting character (zero-width, line separators, embeddings and overrides) written as
/// `\uXXXX`, every byte that is not well-formed UTF-8 as `\xXX`, and cut to at most `max_bytes`
/// on a character boundary, the cut marked by a final "…" (within the bound).
std::string untrustedText(std::string_view text, std::size_t max_bytes);

}  // namespace audit
