#pragma once
/// @file
/// A native SockJS client connection, in the shape of the browser's `new SockJS(url, null,
/// options)`: constructing it connects; events arrive through callbacks or a blocking queue;
/// `send`, `close(code, reason)`, `ready_state()` and `transport()` work as in sockjs-client.
///
/// Every protocol decision (the /info answer, the transport fallback order, frames, close
/// codes, timeouts) is taken by the core's sockjs::client_session; this class only does the
/// I/O on POCO: websocket, xhr-streaming and xhr-polling (sending with xhr_send).
///
/// Threads: an I/O thread runs the session and the callbacks; each transport adds one
/// receiving thread (and an HTTP transport one sending thread). The destructor stops and
/// joins all of them. No call blocks longer than its timeout or the options' timeouts.
///
/// Example:
/// @code
///   sockjs::client::connection c("http://127.0.0.1:8081/echo");
///   if (auto e = c.next_event(std::chrono::seconds(5)); e && e->kind == sockjs::client::event::open)
///       c.send("hello");
/// @endcode

#include <sockjs/client/event.hpp>
#include <sockjs/client/options.hpp>
#include <sockjs/client.hpp>
#include <sockjs/error.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sockjs::client {

class connection {
public:
    /// Starts connecting to the SockJS service at `url` (http://host[:port]/prefix, or
    /// https:// for TLS, see options::tls; a trailing slash is ignored). Throws
    /// std::invalid_argument for a URL that is not an absolute http(s) URL or TLS settings
    /// whose files cannot be loaded, as the browser throws SyntaxError; every network failure is
    /// reported as a close event instead.
    explicit connection(const std::string& url, options opts = {}, event_handlers h = {});
    /// Closes (1000) if still open, stops the I/O and joins its threads. Must not be called
    /// from one of this connection's handlers.
    ~connection();

    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Queues one message. Thread-safe; never blocks on the network. Messages go out in the
    /// order of the calls: while an xhr_send request is in flight, later messages wait and
    /// leave together in the next one. Errors: session_not_open (connecting or closed).
    errc send(std::string_view message);

    /// Closes the session: code 1000 or 3000-4999, reason at most 123 bytes (else
    /// invalid_close_code / reason_too_long and nothing happens). The close event follows
    /// with was_clean = true. Thread-safe; returns at once.
    errc close(int code = 1000, std::string_view reason = "Normal closure");

    /// Blocks until every message queued by send() has been handed to the transport (for
    /// xhr, its xhr_send answered), the session closed, or `timeout` passed. True if
    /// nothing is left to send.
    bool flush(millis timeout);

    /// The next event whose handler is not set, waiting at most `timeout`; nullopt on
    /// timeout. After the final close event, returns nullopt at once. The queue has no
    /// bound: an application that sets no on_message handler must keep reading it.
    std::optional<event> next_event(millis timeout);

    /// connecting (0), open (1), closing (2), closed (3), as the browser's readyState.
    /// While a handler runs, the state as of its event, as in the browser: open for a message
    /// that came in the same chunk as the server's close frame, closed in on_close. While a
    /// reconnect is pending it is connecting.
    sockjs::ready_state ready_state() const;
    /// The transport in use or being tried, sockjs-client's name ("websocket",
    /// "xhr-streaming", "xhr-polling"); empty before the first one starts.
    std::string transport() const;
    /// The base URL, as given (without a trailing slash).
    const std::string& url() const noexcept;
    /// The last network-level error seen (e.g. "Connection refused", "HTTP 404 on xhr_send"),
    /// for diagnostics: close events carry the protocol's codes, this says what happened
    /// underneath. Empty if none.
    std::string last_error() const;

    class impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace sockjs::client
