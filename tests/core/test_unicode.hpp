#pragma once
// Reference Unicode helpers for the codec tests, written independently of core/src (plainly,
// for clarity over speed) so that the tests check the implementation against a second opinion.

#include <cstdint>
#include <set>
#include <string>

namespace sockjs_test {

/// UTF-8 of `cp`; surrogates give their WTF-8 form (three bytes, ED A0..BF xx).
inline std::string utf8(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

/// `\uXXXX` with lowercase hex, as the protocol writes it.
inline std::string u_escape(std::uint32_t unit) {
    const char* hex = "0123456789abcdef";
    return {'\\', 'u', hex[(unit >> 12) & 0xF], hex[(unit >> 8) & 0xF], hex[(unit >> 4) & 0xF], hex[unit & 0xF]};
}

/// The protocol's server-side escape class (sockjs-protocol.py `escapable_by_server`:
/// `[\x00-\x1f\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]`), plus lone surrogates,
/// which JSON cannot carry raw, plus the two characters JSON itself requires escaped.
inline bool protocol_escapes(std::uint32_t cp) {
    return cp <= 0x1F || cp == '"' || cp == '\\' || (cp >= 0x200C && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFFF0 && cp <= 0xFFFF) ||
           (cp >= 0xD800 && cp <= 0xDFFF);
}

/// The escape the protocol expects for a code point in protocol_escapes.
inline std::string expected_escape(std::uint32_t cp) {
    switch (cp) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return u_escape(cp);
    }
}

/// Whether the three-byte forms of surrogates (ED A0..BF xx, WTF-8) count as well-formed:
/// they do in the core's internal strings, never in bytes from the network.
enum class wtf8 { no, yes };

/// Reads the well-formed sequence at s[i]: its length, or 0 if ill-formed. Checks the
/// bit patterns, then that the code point needs exactly that many bytes and is in range.
inline std::size_t reference_sequence(const std::string& s, std::size_t i, std::uint32_t& cp, wtf8 w = wtf8::yes) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len;
    if ((b & 0xE0) == 0xC0) {
        len = 2;
        cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3;
        cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
        len = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (c & 0x3F);
    }
    const std::size_t minimal = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (minimal != len || cp > 0x10FFFF) return 0;
    if (w == wtf8::no && cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return len;
}

/// Every proper prefix of a well-formed multi-byte sequence, found by encoding every code point.
inline const std::set<std::string>& sequence_prefixes(wtf8 w) {
    auto make = [](bool with_surrogates) {
        std::set<std::string> out;
        for (std::uint32_t cp = 0x80; cp <= 0x10FFFF; ++cp) {
            if (!with_surrogates && cp >= 0xD800 && cp <= 0xDFFF) continue;
            const std::string e = utf8(cp);
            for (std::size_t k = 1; k < e.size(); ++k) out.insert(e.substr(0, k));
        }
        return out;
    };
    static const std::set<std::string> strict = make(false), loose = make(true);
    return w == wtf8::yes ? loose : strict;
}

/// The length of the maximal subpart at s[i] of an ill-formed sequence: the longest run that
/// is a prefix of some well-formed sequence, or 1 (Unicode section 3.9). One U+FFFD replaces it.
inline std::size_t reference_maximal_subpart(const std::string& s, std::size_t i, wtf8 w) {
    for (std::size_t k = 3; k > 1; --k)
        if (i + k <= s.size() && sequence_prefixes(w).count(s.substr(i, k))) return k;
    return 1;
}

/// The protocol's escaping of arbitrary bytes (WTF-8 surrogates escaped as such), each maximal
/// subpart of an ill-formed sequence as one \ufffd (quotes included).
inline std::string reference_escape(const std::string& s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::uint32_t cp = b;
        std::size_t len = 1;
        if (b >= 0x80) {
            len = reference_sequence(s, i, cp);
            if (len == 0) {
                out += "\\ufffd";
                i += reference_maximal_subpart(s, i, wtf8::yes);
                continue;
            }
        }
        out += protocol_escapes(cp) ? expected_escape(cp) : s.substr(i, len);
        i += len;
    }
    return out + "\"";
}

/// `s` with each maximal subpart of an ill-formed sequence replaced by U+FFFD.
inline std::string reference_replace_invalid(const std::string& s, wtf8 w) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : reference_sequence(s, i, cp, w);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            i += reference_maximal_subpart(s, i, w);
        } else {
            out += s.substr(i, len);
            i += len;
        }
    }
    return out;
}

/// A small deterministic generator (no <random> distributions: their output differs between
/// standard libraries, and these tests must give the same inputs natively and under em++).
struct lcg {
    std::uint64_t state;
    explicit lcg(std::uint64_t seed) : state(seed) {}
    std::uint32_t next() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(state >> 33);
    }
    std::uint32_t below(std::uint32_t n) { return next() % n; }
};

/// A random code point, biased towards the interesting ones (ASCII specials, the escape
/// class and its edges, surrogates, the top of the BMP, astral planes).
inline std::uint32_t interesting_code_point(lcg& r) {
    static const std::uint32_t picks[] = {0x00, 0x08, 0x0A, 0x1F, 0x20, '"', '\\', '/', '<', '>', 0x7F,
                                          0x80, 0xAD, 0xE9, 0x7FF, 0x800, 0x200B, 0x200C, 0x200F, 0x2010,
                                          0x2027, 0x2028, 0x202F, 0x2030, 0x205F, 0x2060, 0x206F, 0x2070,
                                          0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFEFF, 0xFFEF,
                                          0xFFF0, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    switch (r.below(4)) {
    case 0: return picks[r.below(sizeof picks / sizeof picks[0])];
    case 1: return 0x20 + r.below(0x5F);
    case 2: return r.below(0x10000);
    default: return r.below(0x110000);
    }
}

}  // namespace sockjs_test
