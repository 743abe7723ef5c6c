#pragma once
/// @file
/// The SockJS frame model and its codec: `o`, `h`, `a[...]`, `c[code,"reason"]`.
///
/// Encoding is separate from transport wrapping (see wrap.hpp): these are the bare frames.
/// Messages inside `a[...]` are JSON string literals produced by append_json_string.

#include <sockjs/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sockjs {

enum class frame_type { open, heartbeat, messages, close };

/// A decoded frame (client side).
struct frame {
    frame_type type = frame_type::open;
    std::vector<std::string> messages;  ///< for `a`
    int code = 0;                       ///< for `c`
    std::string reason;                 ///< for `c`
};

inline constexpr std::string_view open_frame = "o";
inline constexpr std::string_view heartbeat_frame = "h";

/// `a[` + the already-escaped, comma-separated JSON string literals + `]`.
/// `escaped_list` is e.g. `"a","b"` (what session queues hold), so a broadcast escapes once.
std::string messages_frame_from_escaped(std::string_view escaped_list);
/// `a[...]` for raw messages (escapes each).
std::string messages_frame(const std::vector<std::string>& messages);
/// `c[code,"reason"]`.
std::string close_frame(int code, std::string_view reason);

/// Parses one complete frame (already unwrapped from its transport).
/// Errors: bad_frame.
result<frame> parse_frame(std::string_view text);

/// The body a client sends with xhr_send / jsonp_send / a WebSocket message: `["m1","m2"]`.
std::string encode_client_messages(const std::vector<std::string>& messages);

}  // namespace sockjs
