#pragma once
// Internal: eight-bytes-at-a-time tests ("SIMD within a register") for the hot scanning loops
// of the escaper, the payload decoder and the eventsource wrapper. Most message bytes need no
// work; these let the loops skip them a word at a time, portably (also under wasm).

#include <cstdint>
#include <cstring>

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

}  // namespace sockjs::detail
