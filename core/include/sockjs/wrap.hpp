#pragma once
/// @file
/// Transport wrapping: how each receiving transport carries bare frames (frame.hpp) in an HTTP
/// response body, and the matching unwrapping for clients.
///
/// | transport     | prelude                                   | each frame                         |
/// |---------------|-------------------------------------------|------------------------------------|
/// | xhr           | none                                      | `<frame>\n`                        |
/// | xhr_streaming | 2048 `h` then `\n`                        | `<frame>\n`                        |
/// | eventsource   | `\r\n`                                    | `data: <frame, % CR LF NUL as %XX>\r\n\r\n` |
/// | htmlfile      | HTML page (> 1 KiB) naming the callback   | `<script>\np(<frame as JSON>);\n</script>\r\n` |
/// | jsonp         | none                                      | `/**/cb(<frame as JSON>);\r\n`     |
/// | websocket     | none                                      | the frame as one text message      |

#include <sockjs/result.hpp>
#include <sockjs/transport.hpp>

#include <string>
#include <string_view>

namespace sockjs {

/// Checks a jsonp/htmlfile callback name: 1-32 characters of [a-zA-Z0-9_.-].
/// Errors: missing_callback (empty), invalid_callback.
errc validate_callback(std::string_view callback);

/// The bytes a receiving response starts with (empty for xhr, jsonp, websocket).
/// `callback` is used by htmlfile only and must be valid.
std::string prelude(transport t, std::string_view callback = {});

/// Appends frame `f` wrapped for transport `t` to `out`.
void append_wrapped(std::string& out, transport t, std::string_view f, std::string_view callback = {});
/// Returns frame `f` wrapped for transport `t`.
std::string wrap(transport t, std::string_view f, std::string_view callback = {});

/// Client side: incremental splitter for a streaming response body (xhr_streaming and xhr
/// polling: newline-delimited; eventsource: `data:` events). Feed bytes as they arrive, split
/// anywhere; take complete frames with next(). Prelude lines (xhr_streaming's `hhh...h`) are
/// reported as heartbeat frames.
class stream_unwrapper {
public:
    explicit stream_unwrapper(transport t) noexcept : t_(t) {}
    /// Adds received body bytes.
    void feed(std::string_view bytes);
    /// The next complete bare frame, or false if more input is needed. Malformed framing
    /// (eventsource line that is not `data:`/comment/blank) is skipped, as browsers do.
    bool next(std::string& frame_out);

private:
    transport t_;
    std::string buf_;
    std::size_t pos_ = 0;
};

}  // namespace sockjs
