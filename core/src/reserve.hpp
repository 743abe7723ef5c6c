#pragma once
// Internal: growing a string that is appended to, without ever shrinking it.

#include <string>

namespace sockjs::detail {

/// Makes room for at least `n` bytes in `s`. libc++ (the wasm build) treats a reserve() below
/// the capacity as a request to shrink and reallocates, so a buffer kept for reuse (a session's
/// queue) would be reallocated by every append that reserved for its own size.
inline void reserve_at_least(std::string& s, std::size_t n) {
    if (s.capacity() < n) s.reserve(n);
}

}  // namespace sockjs::detail
