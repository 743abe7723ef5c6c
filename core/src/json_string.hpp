#pragma once
// Internal: the JSON string codec pieces that frame.cpp and wrap.cpp share with the public
// escaper (json_escape.cpp) and payload decoder (payload.cpp).

#include <string>
#include <string_view>

namespace sockjs::detail {

/// Like append_json_string, but also escapes `<`, `>` and `/` (as `\u003c` ...), so that the
/// literal can sit inside an HTML <script> element without ever closing it or opening a
/// comment there (htmlfile transport).
void append_json_string_html_safe(std::string& out, std::string_view s);

/// Decodes the JSON string literal that starts at `p` (which must point at its opening `"`),
/// appending the decoded bytes to `out`. Returns the position just past the closing quote, or
/// nullptr if the literal is malformed or unterminated (what `out` then holds is unspecified).
/// Tolerant as the protocol requires: `\u` escapes of lone surrogates give WTF-8, invalid
/// UTF-8 bytes become U+FFFD; raw control characters and unknown escapes are rejected.
const char* decode_json_string(const char* p, const char* end, std::string& out);

}  // namespace sockjs::detail
