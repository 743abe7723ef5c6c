#pragma once
/// @file
/// What a connection reports to the application: the browser's open / message / close
/// events, as values (for connection::next_event) and as callbacks (event_handlers).

#include <functional>
#include <string>

namespace sockjs::client {

struct event {
    enum kind_t {
        open,     ///< the session is open: send() now works
        message,  ///< one message from the server, in `data`
        close,    ///< the session ended: `code`, `reason`, `was_clean`
    } kind = open;
    std::string data;
    int code = 0;
    std::string reason;
    /// True for a close the application asked for or a close frame from the server; false
    /// when the connection was lost or never established (1006, 1002, 2000, or a WebSocket
    /// close code).
    bool was_clean = false;
    /// True when reconnect is enabled and another attempt follows this close; the final
    /// close event of a connection has it false.
    bool will_reconnect = false;
};

/// Callbacks, called on the connection's I/O thread, in order, one at a time. A handler may
/// call send() and close() on its connection but must not destroy it, and should return
/// quickly (the connection makes no progress while a handler runs). An event whose handler
/// is empty goes to the queue read by connection::next_event instead.
struct event_handlers {
    std::function<void()> on_open;
    std::function<void(const std::string& message)> on_message;
    std::function<void(int code, const std::string& reason, bool was_clean)> on_close;
};

}  // namespace sockjs::client
