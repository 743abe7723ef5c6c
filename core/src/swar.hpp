#pragma once
// Internal: eight-bytes-at-a-time tests ("SIMD within a register") for the hot scanning loops
// of the escaper, the payload decoder, the UTF-8 checks and the eventsource wrapper, and the
// skips built on them (SSE2 where the target has it). Most message bytes need no work; these
// let the loops skip them a block at a time, portably (also under wasm).

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sockjs::detail {

inline constexpr std::uint64_t ones = 0x0101010101010101ull;
inline constexpr std::uint64_t highs = 0x8080808080808080ull;

inline std::uint64_t load_word(const void* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

/// Nonzero iff some byte of `w` equals `c`.
constexpr std::uint64_t has_byte(std::uint64_t w, unsigned char c) noexcept {
    const std::uint64_t x = w ^ (ones * c);
    return (x - ones) & ~x & highs;
}

/// Nonzero iff some byte of `w` is below `n` (n <= 128) or has its high bit set.
constexpr std::uint64_t has_below_or_high(std::uint64_t w, unsigned char n) noexcept {
    return ((w - ones * n) | w) & highs;
}

// The skips of the three hottest loops (the payload decoder, the escaper, the UTF-8 check):
// each returns where the first byte that needs a look may be, never past it, and may stop
// early (the byte loops after them take plain bytes too). Sixteen bytes a step where the
// target has SSE2 (every x86-64), with the exact position of the byte found; eight with the
// word tests elsewhere (wasm). On a 130-byte echo message the 16-byte steps took ~290 of the
// server's ~4,200 instructions per message off (callgrind).

/// Past the bytes a JSON string carries as they are: printable ASCII other than `"` and `\`.
inline const unsigned char* skip_json_plain(const unsigned char* p, const unsigned char* end) noexcept {
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Signed: below 0x20 catches the controls and every byte with its high bit set.
        const __m128i hit = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        if (const int mask = _mm_movemask_epi8(hit)) return p + __builtin_ctz(static_cast<unsigned>(mask));
        p += 16;
    }
#endif
    while (end - p >= 8) {
        const std::uint64_t w = load_word(p);
        if ((has_below_or_high(w, 0x20) | has_byte(w, '"') | has_byte(w, '\\')) != 0) break;
        p += 8;
    }
    return p;
}

/// Past the ASCII bytes.
inline const unsigned char* skip_ascii(const unsigned char* p, const unsigned char* end) noexcept {
#if defined(__SSE2__)
    while (end - p >= 16) {
        const int mask = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        p += 16;
    }
#endif
    while (end - p >= 8 && (load_word(p) & highs) == 0) p += 8;
    return p;
}

}  // namespace sockjs::detail
