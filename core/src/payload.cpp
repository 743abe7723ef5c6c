#include <sockjs/payload.hpp>

#include "json_string.hpp"
#include "payload_decode.hpp"
#include "swar.hpp"
#include "text_scan.hpp"
#include "utf8.hpp"

#include <cstdint>

namespace sockjs {

namespace {

using detail::hex_value;

// Reads the four hex digits of a `\uXXXX` escape whose backslash is at `p`; -1 if malformed.
long read_u_escape(const char* p, const char* end) noexcept {
    if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return -1;
    long v = 0;
    for (int i = 2; i < 6; ++i) {
        const int h = hex_value(p[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

}  // namespace

namespace detail {

const char* decode_json_string(const char* p, const char* end, std::string& out) {
    if (p >= end || *p != '"') return nullptr;
    const char* run = ++p;  // start of the bytes not yet copied: copied in one append per run
    auto flush = [&] { out.append(run, static_cast<std::size_t>(p - run)); };
    while (p < end) {
        // Only quotes, backslashes, controls and non-ASCII bytes need a look.
        p = reinterpret_cast<const char*>(skip_json_plain(reinterpret_cast<const unsigned char*>(p),
                                                          reinterpret_cast<const unsigned char*>(end)));
        if (p == end) break;
        const auto c = static_cast<unsigned char>(*p);
        if (c == '"') {
            flush();
            return p + 1;
        }
        if (c == '\\') {
            flush();
            if (end - p < 2) return nullptr;
            char simple = 0;
            switch (p[1]) {
            case '"': simple = '"'; break;
            case '\\': simple = '\\'; break;
            case '/': simple = '/'; break;
            case 'b': simple = '\b'; break;
            case 'f': simple = '\f'; break;
            case 'n': simple = '\n'; break;
            case 'r': simple = '\r'; break;
            case 't': simple = '\t'; break;
            case 'u': break;
            default: return nullptr;
            }
            if (simple != 0) {
                out.push_back(simple);
                run = p += 2;
                continue;
            }
            const long unit = read_u_escape(p, end);
            if (unit < 0) return nullptr;
            p += 6;
            auto cp = static_cast<std::uint32_t>(unit);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                // A high surrogate followed by a low one is one code point; anything else
                // leaves it lone (kept as WTF-8, as JavaScript would keep it).
                const long low = read_u_escape(p, end);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(low) - 0xDC00);
                    p += 6;
                }
            }
            detail::append_utf8(out, cp);
            run = p;
            continue;
        }
        if (c < 0x20) return nullptr;  // JSON forbids raw control characters in strings
        if (c < 0x80) {
            ++p;
            continue;
        }
        const detail::utf8_step step = detail::utf8_next(reinterpret_cast<const unsigned char*>(p),
                                                         reinterpret_cast<const unsigned char*>(end),
                                                         detail::surrogates::reject);
        if (!step.valid) {
            // Not UTF-8 (a CESU-8 surrogate included): one U+FFFD per maximal subpart, as a
            // browser or node decoding the body as text would.
            flush();
            out.append("\xEF\xBF\xBD", 3);
            run = p += static_cast<std::ptrdiff_t>(step.length);
        } else {
            p += static_cast<std::ptrdiff_t>(step.length);
        }
    }
    return nullptr;  // unterminated
}

}  // namespace detail

errc decode_messages(std::string_view body, payload_format format, std::vector<std::string>& out,
                     std::size_t max_message_size) {
    const std::size_t original = out.size();
    const errc e = detail::decode_messages_with(
        body, format, [&out]() -> std::string& { return out.emplace_back(); }, max_message_size);
    if (e != errc::ok) out.resize(original);
    return e;
}

std::string url_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (int hi = 0, lo = 0; c == '%' && i + 2 < s.size() && (hi = hex_value(s[i + 1])) >= 0 &&
                                         (lo = hex_value(s[i + 2])) >= 0) {
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);  // a stray '%' stays literal, as in browsers' URLSearchParams
        }
    }
    return out;
}

std::string query_param(std::string_view query, std::string_view key) {
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const std::size_t eq = pair.find('=');
        const std::string_view k = pair.substr(0, eq);
        const std::string_view v = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        if (k == key || (k.find_first_of("%+") != std::string_view::npos && url_decode(k) == key))
            return url_decode(v);
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

bool is_form_urlencoded(std::optional<std::string_view> content_type) noexcept {
    constexpr std::string_view form = "application/x-www-form-urlencoded";
    if (!content_type) return false;
    std::string_view v = *content_type;
    const auto ows = [](char c) { return c == ' ' || c == '\t'; };
    while (!v.empty() && ows(v.front())) v.remove_prefix(1);
    std::string_view type = v.substr(0, v.find(';'));
    while (!type.empty() && ows(type.back())) type.remove_suffix(1);
    if (type.size() != form.size()) return false;
    for (std::size_t i = 0; i < form.size(); ++i) {
        char c = type[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != form[i]) return false;
    }
    return true;
}

std::string jsonp_send_body(std::string_view body, bool form_urlencoded) {
    if (!form_urlencoded) return std::string(body);
    return query_param(body, "d");
}

}  // namespace sockjs
