#include <sockjs/frame.hpp>
#include <sockjs/json_escape.hpp>
#include <sockjs/payload.hpp>

#include "json_string.hpp"
#include "text_scan.hpp"

#include <charconv>

namespace sockjs {

namespace {

// Room for the escaped strings of `messages` in the common case (nothing to escape), so the
// encoders below allocate once.
std::size_t estimated_size(const std::vector<std::string>& messages) {
    std::size_t n = 2;
    for (const auto& m : messages) n += m.size() + 3;
    return n;
}

void append_string_list(std::string& out, const std::vector<std::string>& messages) {
    bool first = true;
    for (const auto& m : messages) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, m);
    }
}

constexpr auto skip_space = detail::skip_json_space;

// `c[code,"reason"]`, given the text after the `c`.
result<frame> parse_close(std::string_view body) {
    const char* p = body.data();
    const char* const end = p + body.size();
    p = skip_space(p, end);
    if (p == end || *p++ != '[') return errc::bad_frame;
    p = skip_space(p, end);
    frame f;
    f.type = frame_type::close;
    // Codes are small non-negative integers (1000-4999 in practice); nine digits cannot
    // overflow an int, and a longer number is no close code anyway.
    const char* digits_end = p;
    while (digits_end < end && *digits_end >= '0' && *digits_end <= '9' && digits_end - p < 10) ++digits_end;
    if (digits_end == p || digits_end - p > 9) return errc::bad_frame;
    std::from_chars(p, digits_end, f.code);
    p = skip_space(digits_end, end);
    if (p == end || *p++ != ',') return errc::bad_frame;
    p = skip_space(p, end);
    p = detail::decode_json_string(p, end, f.reason);
    if (p == nullptr) return errc::bad_frame;
    p = skip_space(p, end);
    if (p == end || *p++ != ']') return errc::bad_frame;
    if (skip_space(p, end) != end) return errc::bad_frame;
    return f;
}

}  // namespace

std::string messages_frame_from_escaped(std::string_view escaped_list) {
    std::string out;
    out.reserve(escaped_list.size() + 3);
    out.append("a[", 2).append(escaped_list).push_back(']');
    return out;
}

std::string messages_frame(const std::vector<std::string>& messages) {
    std::string out;
    out.reserve(estimated_size(messages) + 1);
    out.append("a[", 2);
    append_string_list(out, messages);
    out.push_back(']');
    return out;
}

std::string close_frame(int code, std::string_view reason) {
    std::string out;
    out.reserve(reason.size() + 16);
    out.append("c[", 2);
    char digits[16];
    const auto r = std::to_chars(digits, digits + sizeof digits, code);
    out.append(digits, r.ptr);
    out.push_back(',');
    append_json_string(out, reason);
    out.push_back(']');
    return out;
}

result<frame> parse_frame(std::string_view text) {
    if (text == open_frame) return frame{frame_type::open, {}, 0, {}};
    if (text == heartbeat_frame) return frame{frame_type::heartbeat, {}, 0, {}};
    if (text.empty()) return errc::bad_frame;
    if (text.front() == 'a') {
        frame f;
        f.type = frame_type::messages;
        if (decode_messages(text.substr(1), payload_format::array, f.messages) != errc::ok) return errc::bad_frame;
        return f;
    }
    if (text.front() == 'c') return parse_close(text.substr(1));
    return errc::bad_frame;
}

std::string encode_client_messages(const std::vector<std::string>& messages) {
    std::string out;
    out.reserve(estimated_size(messages));
    out.push_back('[');
    append_string_list(out, messages);
    out.push_back(']');
    return out;
}

}  // namespace sockjs
