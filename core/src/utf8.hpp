#pragma once
// Internal: decoding one UTF-8 sequence, shared by the validator, the escaper and the payload
// decoder so that all of them agree on what is well-formed and on where U+FFFD goes.

#include <cstddef>
#include <cstdint>

namespace sockjs::detail {

/// Whether the bytes of a UTF-16 surrogate (ED A0..BF xx) count as a sequence. They are
/// WTF-8: the form a lone surrogate decoded from a `\ud800` escape takes inside the core. Bytes
/// from the network are UTF-8 and never may hold them.
enum class surrogates { reject, accept };

struct utf8_step {
    std::size_t length;  ///< bytes consumed: the sequence, or its maximal ill-formed subpart
    std::uint32_t cp;    ///< the code point when `valid`
    bool valid;
};

/// Decodes the sequence at `p` (`p < end`). An ill-formed one consumes its maximal subpart
/// (the longest prefix of some well-formed sequence, at least one byte), which is replaced by
/// one U+FFFD (Unicode section 3.9, Table 3-7 of well-formed byte sequences).
inline utf8_step utf8_next(const unsigned char* p, const unsigned char* end, surrogates s) noexcept {
    const unsigned b0 = p[0];
    if (b0 < 0x80) return {1, b0, true};
    std::size_t need;
    std::uint32_t cp;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        cp = b0 & 0x0Fu;
        if (b0 == 0xE0) lo = 0xA0;                                   // overlong
        else if (b0 == 0xED && s == surrogates::reject) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        cp = b0 & 0x07u;
        if (b0 == 0xF0) lo = 0x90;       // overlong
        else if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return {1, 0, false};  // continuation byte, C0/C1 (always overlong) or F5..FF
    }
    for (std::size_t i = 1; i <= need; ++i) {
        if (p + i == end) return {i, 0, false};
        const unsigned b = p[i];
        if (b < lo || b > hi) return {i, 0, false};
        cp = cp << 6 | (b & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    return {need + 1, cp, true};
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
