#pragma once
// Strict UTF-8 validation for WebSocket text messages and close reasons (RFC 6455 requires
// failing the connection with 1007 on invalid UTF-8). POCO's UTF8Encoding is per character and
// lenient about surrogates and overlongs; this checks a whole buffer with an ASCII fast path.

#include <string_view>

namespace sockjs::net {

/// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool utf8_valid(std::string_view s) noexcept;

}  // namespace sockjs::net
