#pragma once
/// @file
/// The client-side session state machine and the decisions every SockJS client makes the same
/// way (browser via wasm, native C++): the /info decision, the transport fallback order, frame
/// interpretation, close-code rules and timeouts as deadlines. The adapter owns the I/O: it
/// opens the transport the session names, feeds it bare frames (after stream_unwrapper for
/// HTTP transports), sends what take_outgoing() returns, and calls on_deadline when due.
///
/// Follows sockjs-client 1.6: readyState 0..3; close(code, reason) accepts 1000 and
/// 3000-4999 and a reason of at most 123 bytes; a transport that fails before `o` falls back to
/// the next one; client-side close codes 2000 "All transports failed", 2007 "Transport timed
/// out", 1002 "Cannot connect to server", 1006 "Server lost session".

#include <sockjs/error.hpp>
#include <sockjs/result.hpp>
#include <sockjs/time.hpp>
#include <sockjs/transport.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs {

/// The parsed /info answer.
struct server_info {
    bool websocket = true;
    bool cookie_needed = false;
    std::vector<std::string> origins;
    std::uint32_t entropy = 0;
};
/// Parses an /info body. Errors: bad_frame (not the expected JSON object).
result<server_info> parse_info(std::string_view body);

/// Client-side transport names as sockjs-client spells them in `transports` option.
/// "websocket", "xhr-streaming", "eventsource", "xhr-polling", "jsonp-polling".
enum class client_transport { websocket, xhr_streaming, eventsource, xhr_polling, jsonp_polling };
std::string_view name(client_transport t) noexcept;
std::optional<client_transport> parse_client_transport(std::string_view s) noexcept;
/// The receiving server transport a client transport uses (websocket, xhr_streaming,
/// eventsource, xhr, jsonp), and its sending one (websocket, xhr_send, jsonp_send).
transport receive_transport(client_transport t) noexcept;
transport send_transport(client_transport t) noexcept;

/// The order to try: websocket (if allowed and /info says websocket), xhr-streaming,
/// eventsource, xhr-polling, jsonp-polling; filtered by `allowed` (empty = all) and by what the
/// environment can do (`available`, empty = all).
std::vector<client_transport> transport_order(const server_info& info,
                                              const std::vector<client_transport>& allowed,
                                              const std::vector<client_transport>& available = {});

/// Session URL path: `/<server>/<session>/<transport>` to append to the base URL. Server and
/// session ids are chosen by the adapter (random), passed in here.
std::string session_path(std::string_view server_id, std::string_view session_id, transport t);

enum class ready_state { connecting = 0, open = 1, closing = 2, closed = 3 };

struct client_options {
    std::vector<client_transport> transports;  ///< allowed transports; empty = all
    /// How long one transport may take to deliver `o` before it counts as failed. 0 = derive
    /// from the /info round trip as sockjs-client does (max(rtt * 4? , 300 ms) style rule is the
    /// adapter's business), so this default is a fixed safe value.
    millis transport_timeout{5000};
    /// Opt-in liveness watchdog: no frame (including `h`) for this long closes with 4000-range
    /// code 4900 "Liveness timeout". 0 = off (sockjs-client behaviour).
    millis liveness_timeout{0};
};

struct client_event {
    enum kind_t {
        open,            ///< `o` received: readyState is open
        message,         ///< one message from an `a` frame
        heartbeat,       ///< `h` received
        close,           ///< the session is closed: code, reason, was_clean
        start_transport, ///< the adapter must (re)connect using `transport` (fallback step)
        stop_transport,  ///< the adapter must abort the current transport's I/O
    } kind = open;
    std::string data;
    int code = 0;
    std::string reason;
    bool was_clean = false;
    client_transport transport = client_transport::websocket;
};

class client_session {
public:
    client_session(client_options opts, time_point now);

    ready_state state() const noexcept { return state_; }
    /// The transport in use (or being tried).
    std::optional<client_transport> current_transport() const noexcept { return current_; }

    /// /info answered (or failed: pass nullopt and the session assumes websocket allowed if
    /// the adapter could not reach /info: it closes with 1002 "Cannot connect to server").
    /// Emits start_transport for the first transport, or close 2000 if none is possible.
    void on_info(std::optional<server_info> info, time_point now);
    /// The current transport delivered a bare frame.
    /// Errors: bad_frame, unexpected_frame (a second `o`: closes with 1006 "Server lost session").
    errc on_frame(std::string_view frame, time_point now);
    /// The current transport ended without a close frame (network error, HTTP error,
    /// WebSocket closed). Before open: falls back to the next transport (start_transport) or
    /// closes with 2000. After open: closes with 1006 "Server lost session"
    /// (or the `code` given, for a WebSocket close with a code).
    void on_transport_closed(time_point now, std::optional<int> code = std::nullopt,
                             std::string_view reason = {});
    /// A polling receiver ended normally (xhr-polling/jsonp after one frame; streaming after
    /// response_limit): the adapter reopens the receiver; nothing changes in the session.

    /// Application: queue a message. Errors: session_not_open (also while connecting; the
    /// browser glue turns that into the InvalidStateError sockjs-client throws).
    errc send(std::string_view message);
    /// Messages to transmit now, as one client payload `["a","b"]` (HTTP transports send it as
    /// one xhr_send body; WebSocket sends it as one message). Empty when nothing is queued.
    std::string take_outgoing();
    /// Application close: validates code (1000 or 3000-4999) and reason (<= 123 bytes), then
    /// closes (was_clean=true) and emits stop_transport + close.
    errc close(int code = 1000, std::string_view reason = "Normal closure");

    std::optional<client_event> next_event();
    std::optional<time_point> next_deadline() const noexcept;
    /// Transport timeout (2007 / fallback) and liveness watchdog.
    void on_deadline(time_point now);

private:
    void fail_transport(time_point now);
    void finish(int code, std::string_view reason, bool was_clean);

    client_options opts_;
    ready_state state_ = ready_state::connecting;
    std::vector<client_transport> plan_;
    std::size_t next_ = 0;
    std::optional<client_transport> current_;
    std::deque<client_event> events_;
    std::vector<std::string> outgoing_;
    std::optional<time_point> transport_deadline_;
    time_point last_frame_{0};
};

}  // namespace sockjs
