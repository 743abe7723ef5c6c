#pragma once
// Internal: the body decoder behind decode_messages(), writing each message where the caller
// says. A session decodes straight into its event queue this way (no vector per request). A
// template, not a callback interface: the wasm client links only decode_messages()'s copy,
// without a virtual call or its table.

#include <sockjs/error.hpp>
#include <sockjs/payload.hpp>

#include "json_string.hpp"
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

}  // namespace sockjs::detail
