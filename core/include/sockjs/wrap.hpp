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
#include <vector>

namespace sockjs {

/// Checks a jsonp/htmlfile callback name: 1-32 characters of [a-zA-Z0-9_.-].
/// Errors: missing_callback (empty), invalid_callback.
errc validate_callback(std::string_view callback);

/// The bytes a receiving response starts with (empty for xhr, jsonp, websocket).
/// `callback` is used by htmlfile only and should have passed validate_callback (characters
/// outside [a-zA-Z0-9_.-] are dropped here, so a caller that forgot cannot open an injection).
std::string prelude(transport t, std::string_view callback = {});

/// Appends frame `f` wrapped for transport `t` to `out` (`callback`: jsonp only, treated as in
/// prelude). The send transports carry no frames; for them, as for websocket, `f` is appended
/// bare. In htmlfile, `<`, `>` and `/` are also escaped so `</script>` cannot appear.
void append_wrapped(std::string& out, transport t, std::string_view f, std::string_view callback = {});
/// Returns frame `f` wrapped for transport `t`.
std::string wrap(transport t, std::string_view f, std::string_view callback = {});

/// Client side: incremental splitter for a receiving response body, the inverse of
/// append_wrapped. Feed bytes as they arrive, split anywhere; take complete bare frames with
/// next().
/// - xhr, xhr_streaming: newline-delimited frames. The xhr_streaming prelude line (`hhh...h`)
///   is reported as a heartbeat frame.
/// - eventsource: `data:` events ended by a blank line (CR, LF or CRLF line ends); `%25`,
///   `%0D`, `%0A` and `%00` are unescaped; other fields and comments are ignored.
/// - htmlfile, jsonp: the JSON string inside each `<script>\np(...);\n</script>\r\n` or
///   `/**/cb(...);\r\n` is decoded; the htmlfile prelude page is skipped.
/// - websocket (and the send transports, which carry no frames): each feed() is one whole
///   message, hence one frame.
/// Malformed framing (an eventsource line that is not `data:`/comment/blank, a broken htmlfile
/// or jsonp call) is skipped, as browsers do; the frames themselves are checked by
/// parse_frame. Memory is bounded by the largest incomplete frame.
class stream_unwrapper {
public:
    explicit stream_unwrapper(transport t) noexcept : t_(t) {}
    /// Adds received body bytes.
    void feed(std::string_view bytes);
    /// The next complete bare frame, or false if more input is needed.
    bool next(std::string& frame_out);
    /// Bytes held for frames not complete yet (what a limit on a frame's size bounds).
    std::size_t buffered() const noexcept;

private:
    bool next_line_frame(std::string& frame_out);
    bool next_event_frame(std::string& frame_out);
    bool next_call_frame(std::string& frame_out);
    bool next_message_frame(std::string& frame_out);

    transport t_;
    std::string buf_;
    std::size_t pos_ = 0;     ///< start of the unconsumed bytes in buf_
    std::size_t scan_ = 0;    ///< where the search for the next terminator resumes (no rescans)
    std::string data_;        ///< eventsource: data lines of the event being read
    bool have_data_ = false;  ///< eventsource: the event has a data field
    bool skip_lf_ = false;    ///< eventsource: the last line ended in CR at the end of input
    std::vector<std::string> messages_;  ///< websocket: whole messages not yet taken, from
    std::size_t messages_read_ = 0;      ///< this one on (emptied once all are taken)
};

}  // namespace sockjs
