#pragma once
// Test messages: ASCII, unicode and the characters SockJS escapes specially.

#include <cstdint>
#include <string>
#include <vector>

namespace sockjs::client::test {

/// UTF-8 for one code point (no surrogates).
inline std::string utf8(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
    return s;
}

inline std::string utf8_range(std::uint32_t first, std::uint32_t last) {
    std::string s;
    for (std::uint32_t cp = first; cp <= last; ++cp) s += utf8(cp);
    return s;
}

/// Messages an echo must return byte for byte.
inline std::vector<std::string> echo_messages() {
    return {
        "hello",
        "",
        "with spaces, punctuation: !#$%&'()*+,-./:;<=>?@[]^_`{|}~",
        "\"quotes\" and \\backslashes\\ and / slash",
        "</script><script>alert(1)</script>",
        "a[\"not a frame\"]\nc[3000,\"nor this\"]\n",
        // Unicode: Latin-1, CJK, combining marks, astral (surrogate pairs in JSON)
        "gr" + utf8(0xfc) + utf8(0xdf) + "e " + utf8(0x4f60) + utf8(0x597d) + " e" + utf8(0x301) + " " +
            utf8(0x1f600) + utf8(0x1d11e),
        // The escape classes of the protocol: control characters (with NUL), zero-width and
        // bidi marks, line/paragraph separators, invisible operators, specials, BOM.
        utf8_range(0x00, 0x1f) + utf8(0x7f),
        utf8_range(0x200c, 0x200f) + utf8_range(0x2028, 0x202f) + utf8_range(0x2060, 0x206f),
        utf8_range(0xfff0, 0xffff) + utf8(0xfeff) + utf8(0xad),
        std::string(70000, 'x'),  // larger than the 4096-byte response_limit of /echo
    };
}

}  // namespace sockjs::client::test
