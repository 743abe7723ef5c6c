#pragma once
// Helpers shared by the fuzz targets: an oracle independent of the code under test, and the
// one way every target reports a broken property (abort, which libFuzzer records as a crash
// with the input that caused it).

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sockjs_fuzz {

/// Fails the run when a property does not hold.
inline void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
}

/// Strict UTF-8 (RFC 3629: no surrogates, no overlong forms, at most U+10FFFF), written
/// apart from the validators under test so that it can judge them.
inline bool strict_utf8(std::string_view s, bool allow_surrogates = false) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned cp = 0;
        if (b < 0x80) { ++i; continue; }
        if ((b & 0xE0) == 0xC0) { n = 1; cp = b & 0x1Fu; }
        else if ((b & 0xF0) == 0xE0) { n = 2; cp = b & 0x0Fu; }
        else if ((b & 0xF8) == 0xF0) { n = 3; cp = b & 0x07u; }
        else return false;
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size()) return false;
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = cp << 6 | (c & 0x3Fu);
        }
        static constexpr unsigned min_cp[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[n] || cp > 0x10FFFF) return false;
        if (!allow_surrogates && cp >= 0xD800 && cp <= 0xDFFF) return false;
        i += n + 1;
    }
    return true;
}

}  // namespace sockjs_fuzz
