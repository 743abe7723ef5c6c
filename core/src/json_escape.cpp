#include <sockjs/json_escape.hpp>

#include "json_string.hpp"
#include "reserve.hpp"
#include "swar.hpp"
#include "utf8.hpp"

#include <array>
#include <cstdint>

namespace sockjs {

namespace {

// For each ASCII byte: 0 if it is written as is, else the letter after the backslash
// ('u' meaning \u00XX).
using ascii_table = std::array<char, 128>;

constexpr ascii_table make_table(bool html_safe) {
    ascii_table t{};
    for (int c = 0; c < 0x20; ++c) t[c] = 'u';
    t['\b'] = 'b';
    t['\f'] = 'f';
    t['\n'] = 'n';
    t['\r'] = 'r';
    t['\t'] = 't';
    t['"'] = '"';
    t['\\'] = '\\';
    if (html_safe) t['<'] = t['>'] = t['/'] = 'u';
    return t;
}

constexpr ascii_table plain_table = make_table(false);
constexpr ascii_table html_table = make_table(true);

constexpr char hex_digits[] = "0123456789abcdef";

void append_u_escape(std::string& out, std::uint32_t unit) {
    const char e[6] = {'\\', 'u', hex_digits[(unit >> 12) & 0xF], hex_digits[(unit >> 8) & 0xF],
                       hex_digits[(unit >> 4) & 0xF], hex_digits[unit & 0xF]};
    out.append(e, sizeof e);
}

// The non-ASCII code points the protocol wants escaped (sockjs-protocol's
// `escapable_by_server` minus C0) plus surrogates, which can only reach here as WTF-8. All of
// them are three-byte sequences.
constexpr bool escaped_by_server(std::uint32_t cp) noexcept {
    return (cp >= 0x200C && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
           (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xD800 && cp <= 0xDFFF) || cp >= 0xFFF0;
}

// True if one of the eight bytes at `p` may need escaping (or starts a multi-byte sequence).
template <bool HtmlSafe>
bool word_needs_work(const unsigned char* p) noexcept {
    using namespace detail;
    const std::uint64_t w = load_word(p);
    std::uint64_t hit = has_below_or_high(w, 0x20) | has_byte(w, '"') | has_byte(w, '\\');
    if constexpr (HtmlSafe) hit |= has_byte(w, '<') | has_byte(w, '>') | has_byte(w, '/');
    return hit != 0;
}

template <bool HtmlSafe>
void append_escaped(std::string& out, std::string_view s) {
    const ascii_table& table = HtmlSafe ? html_table : plain_table;
    auto* p = reinterpret_cast<const unsigned char*>(s.data());
    auto* const end = p + s.size();
    auto* run = p;  // start of the bytes not yet copied: copied in one append per run
    auto flush = [&] { out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run)); };

    detail::reserve_at_least(out, out.size() + s.size() + 2);
    out.push_back('"');
    while (p < end) {
        if constexpr (HtmlSafe)
            while (end - p >= 8 && !word_needs_work<HtmlSafe>(p)) p += 8;
        else
            p = detail::skip_json_plain(p, end);
        if (p == end) break;
        const unsigned char c = *p;
        if (c < 0x80) {
            const char e = table[c];
            if (e == 0) {
                ++p;
                continue;
            }
            flush();
            if (e == 'u') {
                append_u_escape(out, c);
            } else {
                const char pair[2] = {'\\', e};
                out.append(pair, 2);
            }
            run = ++p;
            continue;
        }
        const detail::utf8_step step = detail::utf8_next(p, end, detail::surrogates::accept);
        if (!step.valid) {
            flush();
            out.append("\\ufffd", 6);
            run = p += step.length;
        } else if (step.length == 3 && escaped_by_server(step.cp)) {
            flush();
            append_u_escape(out, step.cp);
            run = p += 3;
        } else {
            p += step.length;
        }
    }
    flush();
    out.push_back('"');
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) { append_escaped<false>(out, s); }

std::string json_string(std::string_view s) {
    std::string out;
    append_escaped<false>(out, s);
    return out;
}

namespace detail {
void append_json_string_html_safe(std::string& out, std::string_view s) { append_escaped<true>(out, s); }
}  // namespace detail

}  // namespace sockjs
