#pragma once
// Internal: the two character scanners the core's parsers share.

namespace sockjs::detail {

/// The value of a hex digit, or -1.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Past JSON whitespace (RFC 8259: space, tab, LF, CR).
constexpr const char* skip_json_space(const char* p, const char* end) noexcept {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    return p;
}

}  // namespace sockjs::detail
