#pragma once
/// @file
/// The client-side session state machine and the decisions every SockJS client makes the same
/// way (browser via wasm, native C++): the /info decision, the transport fallback order, frame
/// interpretation, close-code rules and timeouts as deadlines. The adapter owns the I/O: it
/// opens the transport the session names, feeds it bare frames (after stream_unwrapper for
/// HTTP transports), sends what take_outgoing() returns, and calls on_deadline when due.
///
/// Follows sockjs-client 1.6 (lib/main.js):
/// - readyState 0..3; close(code, reason) accepts 1000 and 3000-4999 and a reason of at most
///   123 bytes; send() fails while connecting and is ignored once closing.
/// - /info failing (or not answering within info_timeout, 8 s as sockjs-client's
///   InfoReceiver): close 1002 "Cannot connect to server".
/// - A transport that fails before `o` (ends, errors, or times out: "2007 Transport timed
///   out" is the reason of that fallback step) falls back to the next one; when none is left
///   the session closes with 2000 "All transports failed". As in sockjs-client, 2007 is never
///   the final close code. A transport that ends before `o` with an application close code
///   (1000, 3000-4999; a WebSocket closed by the server) closes the session with that code.
/// - `c[code,"reason"]` closes with the server's code and reason, wasClean true (also before
///   `o`: no fallback). A second `o` closes with 1006 "Server lost session". A transport
///   ending after `o` closes with 1006 "Server lost session", or with the WebSocket's code.
/// - Frames the client cannot parse are ignored (on_frame reports bad_frame so the adapter
///   can log it), as sockjs-client does: a broken frame never closes the session.
///
/// - Every input from the network comes through this class, so the decisions on it are made
///   here once: an /info answer (status and body), a receiving response's status, bytes and
///   end, an xhr_send's status. The adapters only move bytes and report what happened.
///
/// Adapter duties, in one place: start /info when constructing and report its outcome with
/// on_info_response; on start_transport open the named transport at path(false) (sending to
/// path(true)); report each receiving response with on_receiver_response (HTTP status),
/// on_receiver_data (body bytes, or one WebSocket message) and on_receiver_end; an
/// EventSource's joined `data` with on_receiver_event; on reopen_receiver start the next
/// receiving request; send take_outgoing() whenever it is non-empty (after every call) and
/// report HTTP sends with on_send_result; on stop_transport abort all I/O; after dispatching
/// the close event call on_close_dispatched; after every call drain next_event() and re-arm
/// the timer at next_deadline().

#include <sockjs/error.hpp>
#include <sockjs/result.hpp>
#include <sockjs/time.hpp>
#include <sockjs/transport.hpp>

#include <sockjs/wrap.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs {

/// The parsed /info answer. Fields absent or of another type keep these defaults, as in
/// sockjs-client (only `"websocket": false` disables WebSocket).
struct server_info {
    bool websocket = true;
    bool cookie_needed = false;
    std::vector<std::string> origins;
    std::uint32_t entropy = 0;
};
/// Parses an /info body. Errors: bad_frame (not a JSON object).
/// sockjs-client treats a 200 answer whose body is not a JSON object as `{}` (all defaults);
/// an adapter that wants the same passes `server_info{}` to on_info in that case.
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

/// Session URL path: `/<server>/<session>/<transport>` to append to the base URL.
std::string session_path(std::string_view server_id, std::string_view session_id, transport t);

/// sockjs-client's retransmission timeout from the /info round trip: 4 * rtt above 100 ms,
/// else 300 ms + rtt.
millis round_trip_timeout(millis rtt) noexcept;
/// How many round trips a transport needs to open (sockjs-client's `roundTrips`): 1 for
/// jsonp-polling, 2 for the others.
int round_trips(client_transport t) noexcept;

/// sockjs-client's readyState values. A session is closing from the moment the adapter takes
/// its close event until it has dispatched that event (on_close_dispatched), as sockjs-client
/// reports CLOSING until its close event fires.
enum class ready_state { connecting = 0, open = 1, closing = 2, closed = 3 };

struct client_options {
    std::vector<client_transport> transports;  ///< allowed transports; empty = all
    /// How long one transport may take to deliver `o` before it counts as failed. 0 = derive
    /// it as sockjs-client does: round_trip_timeout(rtt) * round_trips(transport), with the
    /// rtt of the /info request given to on_info (5 s when none was given).
    millis transport_timeout{5000};
    /// Opt-in liveness watchdog: no frame (including `h`) for this long while open closes
    /// with code 4900 "Liveness timeout", wasClean false. 0 = off (sockjs-client behaviour).
    /// Set it above the server's heartbeat delay (25 s by default).
    millis liveness_timeout{0};
    /// What the adapter's environment can run (e.g. no jsonp-polling outside a browser
    /// page); empty = all. Intersected with `transports` and /info.
    std::vector<client_transport> available;
    /// How long /info may take before the session closes with 1002 (sockjs-client: 8 s).
    /// 0 = no deadline (the adapter times /info out itself and calls on_info(nullopt)).
    millis info_timeout{8000};
    /// The server id in the session URLs (sticky load balancers route on it); empty = three
    /// random digits, chosen once per session as sockjs-client does.
    std::string server_id;
    /// A fixed session id; empty = a fresh random one per transport attempt, of
    /// session_id_length characters (at most 1024) from [a-z0-5] (sockjs-client's alphabet
    /// and default).
    std::string session_id;
    std::size_t session_id_length = 8;
    /// Entropy for the random ids, from the adapter's secure source (the ids come from a
    /// generator seeded with it; they name a session and need not be secret, sockjs-client
    /// draws them from Math.random).
    std::uint64_t random_seed = 0;
    /// The largest frame accepted from the server, and the most bytes held while waiting for
    /// the end of one: beyond it the transport has failed (it is never an unbounded buffer).
    std::size_t max_frame_bytes = 16u << 20;
};

struct client_event {
    // The event kind `message` is unrelated to the function sockjs::message(errc); clang's
    // -Wshadow flags the pair.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wshadow"
#endif
    enum kind_t {
        open,            ///< `o` received: readyState is open
        message,         ///< one message from an `a` frame
        heartbeat,       ///< `h` received
        close,           ///< the session is closed: code, reason, was_clean
        start_transport, ///< the adapter must connect using `transport` (first try or fallback
                         ///< step), with a fresh session id
        stop_transport,  ///< the adapter must abort the current transport's I/O (or the
                         ///< /info request while it is pending); emitted before `close` and
                         ///< before a fallback's start_transport, never for a transport that
                         ///< the adapter reported closed
        reopen_receiver, ///< the receiving response ended normally: start the next one
                         ///< (polling after each response, streaming after response_limit)
    } kind = open;
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
    std::string data;
    int code = 0;
    std::string reason;
    bool was_clean = false;
    client_transport transport = client_transport::websocket;
};

class client_session {
public:
    client_session(client_options opts, time_point now);

    /// readyState as the application sees it: as of the events taken with next_event() so
    /// far. A message that arrived in the same chunk as the close frame is dispatched while
    /// open, as sockjs-client dispatches each frame before it reads the next; send() and the
    /// other inputs follow the session's own phase, which is closing already.
    ready_state state() const noexcept { return shown_; }
    /// The transport in use (or being tried).
    std::optional<client_transport> current_transport() const noexcept { return current_; }

    /// The /info request's outcome: its HTTP status (0: no answer) and body. 200 with a JSON
    /// object is the server's info; 200 with anything else counts as `{}` (all defaults), as
    /// in sockjs-client; any other status closes with 1002 "Cannot connect to server".
    /// `rtt`, the request's round trip, as for on_info.
    void on_info_response(int status, std::string_view body, time_point now,
                          std::optional<millis> rtt = std::nullopt);
    /// /info answered (or failed: pass nullopt and the session closes with 1002 "Cannot
    /// connect to server", as sockjs-client does for a failed /info request).
    /// Emits start_transport for the first transport, or close 2000 if none is possible.
    /// `rtt`, the /info round trip, sets transport timeouts when transport_timeout is 0.
    /// Ignored unless /info is pending.
    void on_info(std::optional<server_info> info, time_point now,
                 std::optional<millis> rtt = std::nullopt);
    /// The current transport delivered a bare frame. `o` and `h` are recognised by their first
    /// letter, as sockjs-client does (so the xhr_streaming prelude `hhh...h` is a heartbeat).
    /// Errors: bad_frame (ignored, nothing changes), unexpected_frame (a second `o`: closes
    /// with 1006 "Server lost session"; an `a` before `o`, or any frame while no transport
    /// is current: ignored). Frames after the session closed are ignored and return ok.
    /// A frame larger than max_frame_bytes fails the transport (errc::message_too_large): the
    /// session emits stop_transport and falls back (before open) or closes with 1006.
    errc on_frame(std::string_view frame, time_point now);

    /// A receiving HTTP response began with `status`. 200 starts unwrapping its body (as the
    /// current transport wraps frames); anything else fails the transport (stop_transport,
    /// then fallback before open or 1006 after).
    void on_receiver_response(int status, time_point now);
    /// Bytes of the receiving response's body, split anywhere; for a WebSocket, one whole
    /// message. Every complete frame goes to on_frame; returns the first error. More than
    /// max_frame_bytes waiting for a frame's end fails the transport (message_too_large).
    errc on_receiver_data(std::string_view bytes, time_point now);
    /// One EventSource message's `data`, as the browser joined its data lines: one frame.
    errc on_receiver_event(std::string_view data, time_point now);
    /// The receiving response ended normally. One that carried at least one frame is
    /// followed by reopen_receiver; one without any fails the transport (a live SockJS
    /// server always sends something, and reopening at once would spin against a broken one).
    void on_receiver_end(time_point now);
    /// The current transport ended without a close frame (network error, HTTP error,
    /// WebSocket closed). Before open: falls back to the next transport (start_transport) or
    /// closes with 2000. After open: closes with 1006 "Server lost session"
    /// (or the `code` given, for a WebSocket close with a code).
    void on_transport_closed(time_point now, std::optional<int> code = std::nullopt,
                             std::string_view reason = {});

    /// Application: queue a message. Errors: session_not_open (also while connecting; the
    /// browser glue turns that into the InvalidStateError sockjs-client throws while
    /// connecting, and ignores it once closed, as sockjs-client does).
    errc send(std::string_view message);
    /// Messages to transmit now, as one client payload `["a","b"]` (HTTP transports send it as
    /// one xhr_send body; WebSocket sends it as one message). Empty when nothing is queued, and
    /// while an HTTP send is in flight: one at a time, so messages keep their order.
    std::string take_outgoing();
    /// The HTTP send (xhr_send, jsonp_send) of the last take_outgoing() answered `status`
    /// (0: no answer). 200 and 204 are success (the next take_outgoing() may return more);
    /// anything else closes with 1006 "Sending error: http status N", as sockjs-client.
    void on_send_result(int status, time_point now);
    /// Whether send() queued messages that take_outgoing() has not returned yet.
    bool has_outgoing() const noexcept { return !outgoing_.empty(); }
    /// Application close: validates code (1000 or 3000-4999; 0 means 1000) and reason
    /// (<= 123 bytes; empty means "Normal closure"), then closes (was_clean=true) and emits
    /// stop_transport + close. Nothing is sent to the server: as in sockjs-client, aborting
    /// the transport is how a client closes. A no-op (ok) once closed.
    /// Errors: invalid_close_code, reason_too_long (nothing changes).
    errc close(int code = 1000, std::string_view reason = "Normal closure");

    std::optional<client_event> next_event();
    /// The earliest of: the /info deadline, the current transport's timeout (before `o`),
    /// the liveness deadline (open, opt-in). nullopt once closed.
    std::optional<time_point> next_deadline() const noexcept;
    /// /info timeout (1002), transport timeout (stop_transport, then fallback or 2000) and
    /// liveness watchdog (4900).
    void on_deadline(time_point now);

    /// The adapter has dispatched the close event to the application: closing becomes closed.
    void on_close_dispatched() noexcept;

    /// The close event's code and reason once closing (0 and empty before).
    int close_code() const noexcept { return close_code_; }
    const std::string& close_reason() const noexcept { return close_reason_; }

    /// The ids in the current transport attempt's URLs.
    const std::string& server_id() const noexcept { return server_id_; }
    const std::string& session_id() const noexcept { return session_id_; }
    /// The current transport's URL path, `/<server>/<session>/<transport>`: of its receiving
    /// requests (the WebSocket's) or, `sending`, of its sends. Empty when none is current.
    std::string path(bool sending = false) const;

private:
    void start_next(time_point now);
    void stop_current();
    void fail_transport(time_point now);
    void finish(int code, std::string_view reason, bool was_clean);
    void push(client_event::kind_t kind);
    std::uint32_t random() noexcept;
    errc deliver_unwrapped(time_point now);

    client_options opts_;
    ready_state state_ = ready_state::connecting;  ///< the session's phase
    ready_state shown_ = ready_state::connecting;  ///< the phase of the events taken so far
    std::vector<client_transport> plan_;
    std::size_t next_ = 0;
    std::optional<client_transport> current_;
    // A vector read from events_read_ and emptied once drained (adapters drain after every
    // call): smaller than a deque in the wasm build.
    std::vector<client_event> events_;
    std::size_t events_read_ = 0;
    std::vector<std::string> outgoing_;
    std::optional<time_point> info_deadline_;  ///< set while /info is pending
    bool info_pending_ = true;
    std::optional<millis> rtt_;
    std::optional<time_point> transport_deadline_;
    time_point last_frame_{};
    int close_code_ = 0;
    std::string close_reason_;
    std::uint64_t random_state_;
    std::string server_id_;
    std::string session_id_;
    std::optional<stream_unwrapper> receiver_;  ///< the current receiving response's body
    std::string frame_;                         ///< scratch for unwrapped frames
    std::size_t response_frames_ = 0;           ///< frames in the current receiving response
    bool send_in_flight_ = false;
};

}  // namespace sockjs
