#pragma once
// Internal: UTF-8 sequence validation shared by the escaper and the payload decoder.

#include <cstddef>
#include <cstdint>

namespace sockjs::detail {

/// Length (2-4) of the well-formed multi-byte sequence starting at `p` (whose first byte is
/// >= 0x80), storing its code point in `cp`; 0 if the bytes there are not a complete,
/// well-formed sequence (stray continuation byte, overlong form, above U+10FFFF, truncated).
/// Surrogates (ED A0..BF xx) are accepted: that is WTF-8, the form lone surrogates take inside
/// the core, since JavaScript strings may hold them and SockJS must carry them through.
inline std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end,
                                 std::uint32_t& cp) noexcept {
    const unsigned char b0 = p[0];
    const auto avail = static_cast<std::size_t>(end - p);
    auto cont = [](unsigned char b) { return (b & 0xC0u) == 0x80u; };
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (avail < 2 || !cont(p[1])) return 0;
        cp = (std::uint32_t{b0} & 0x1Fu) << 6 | (p[1] & 0x3Fu);
        return 2;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (avail < 3 || !cont(p[1]) || !cont(p[2])) return 0;
        if (b0 == 0xE0 && p[1] < 0xA0) return 0;  // overlong
        cp = (std::uint32_t{b0} & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (avail < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3])) return 0;
        if (b0 == 0xF0 && p[1] < 0x90) return 0;  // overlong
        if (b0 == 0xF4 && p[1] > 0x8F) return 0;  // above U+10FFFF
        cp = (std::uint32_t{b0} & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 |
             (p[3] & 0x3Fu);
        return 4;
    }
    return 0;  // continuation byte, C0/C1 (always overlong) or F5..FF
}

/// Appends `cp` (at most U+10FFFF; surrogates give their WTF-8 form) as UTF-8 to `out`,
/// any container of char with push_back.
template <class Out>
inline void append_utf8(Out& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0u | (cp >> 6)));
        out.push_back(static_cast<char>(0x80u | (cp & 0x3Fu)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0u | (cp >> 12)));
        out.push_back(static_cast<char>(0x80u | ((cp >> 6) & 0x3Fu)));
        out.push_back(static_cast<char>(0x80u | (cp & 0x3Fu)));
    } else {
        out.push_back(static_cast<char>(0xF0u | (cp >> 18)));
        out.push_back(static_cast<char>(0x80u | ((cp >> 12) & 0x3Fu)));
        out.push_back(static_cast<char>(0x80u | ((cp >> 6) & 0x3Fu)));
        out.push_back(static_cast<char>(0x80u | (cp & 0x3Fu)));
    }
}

}  // namespace sockjs::detail
