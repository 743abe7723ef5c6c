#pragma once
// Internal: the body decoder behind decode_messages(), writing each message where the caller
// says. A session decodes straight into its event queue this way (no vector per request). A
// template, not a callback interface: the wasm client links only decode_messages()'s copy,
// without a virtual call or its table.

#include <sockjs/error.hpp>
#include <sockjs/payload.hpp>

#include "json_string.hpp"
#include "swar.hpp"
#include "text_scan.hpp"

#include <string>
#include <string_view>

namespace sockjs::detail {

/// decode_messages() with `next()` giving the empty string each decoded message goes into,
/// in order. On error the strings given out so far are unspecified; the caller drops them.
template <class Next>
errc decode_messages_with(std::string_view body, payload_format format, Next&& next, std::size_t max_message_size) {
    if (body.empty()) return format == payload_format::array ? errc::empty_payload : errc::ok;

    const char* const end = body.data() + body.size();
    // Decodes one string at `p` into the next string; nullptr (with `err` set) on error.
    errc err = errc::ok;
    auto one_string = [&](const char* p) -> const char* {
        std::string& out = next();
        const char* q = decode_json_string(p, end, out);
        if (q == nullptr) {
            err = errc::broken_json;
        } else if (out.size() > max_message_size) {
            err = errc::message_too_large;
            q = nullptr;
        }
        return q;
    };

    const char* p = skip_json_space(body.data(), end);
    if (format == payload_format::array_or_string && p < end && *p == '"') {
        p = one_string(p);
        if (p == nullptr) return err;
        return skip_json_space(p, end) == end ? errc::ok : errc::broken_json;
    }
    if (p == end || *p != '[') return errc::broken_json;
    p = skip_json_space(p + 1, end);
    if (p < end && *p == ']') return skip_json_space(p + 1, end) == end ? errc::ok : errc::broken_json;
    for (;;) {
        if (p == end || *p != '"') return errc::broken_json;
        p = one_string(p);
        if (p == nullptr) return err;
        p = skip_json_space(p, end);
        if (p == end) return errc::broken_json;
        if (*p == ']') return skip_json_space(p + 1, end) == end ? errc::ok : errc::broken_json;
        if (*p != ',') return errc::broken_json;
        p = skip_json_space(p + 1, end);
    }
}

/// The common WebSocket body, one message (`["..."]`, or `"..."` with array_or_string): true
/// with `out` set to that message, a view into `body` when it carries only plain characters,
/// else into `scratch` (decoded there). False for anything else (several messages, none, or a
/// body decode_messages_with() would refuse), which the caller then decodes the general way,
/// so that every error keeps one source.
inline bool decode_lone_message(std::string_view body, payload_format format, std::string& scratch,
                                std::size_t max_message_size, std::string_view& out) {
    const char* const end = body.data() + body.size();
    const char* p = skip_json_space(body.data(), end);
    const bool bare = format == payload_format::array_or_string && p < end && *p == '"';
    if (!bare) {
        if (p == end || *p != '[') return false;
        p = skip_json_space(p + 1, end);
        if (p == end || *p != '"') return false;
    }
    // Plain characters up to the closing quote: the message is the bytes between the quotes.
    const char* q = p + 1;
    for (;;) {
        q = reinterpret_cast<const char*>(skip_json_plain(reinterpret_cast<const unsigned char*>(q),
                                                          reinterpret_cast<const unsigned char*>(end)));
        if (q == end) return false;
        const auto c = static_cast<unsigned char>(*q);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++q;  // the skip may stop short of the byte that needs a look
    }
    if (*q == '"') {
        out = std::string_view(p + 1, static_cast<std::size_t>(q - (p + 1)));
        q += 1;
    } else {
        scratch.clear();
        q = decode_json_string(p, end, scratch);
        if (q == nullptr) return false;
        out = scratch;
    }
    if (out.size() > max_message_size) return false;
    q = skip_json_space(q, end);
    if (!bare) {
        if (q == end || *q != ']') return false;
        q = skip_json_space(q + 1, end);
    }
    return q == end;
}

}  // namespace sockjs::detail
