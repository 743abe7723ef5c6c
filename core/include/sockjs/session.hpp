#pragma once
/// @file
/// The server-side session state machine: the one place where session state changes.
///
/// Sans-IO: the adapter tells the session what happened (a receiver arrived or went away, the
/// client sent a payload, the application sent or closed, time passed) and the session answers
/// with bytes to write (already frame-encoded and transport-wrapped), whether to end the
/// response, events for the application, and its next deadline.
///
/// States (spec names): connecting (created, no frame sent yet), open (`o` sent), closing
/// (close frame decided; replayed to every later receiver), closed (expired: the adapter drops
/// it). The application's `closed` event fires once, on leaving `open`.
///
/// Rules this enforces:
/// - `o` is sent once, to the first receiver; the `opened` event follows it.
/// - One receiver at a time: a second gets `c[2010,"Another connection still open"]` and
///   ends; the first keeps the session.
/// - A receiver aborted by the client closes the session with 1002 "Connection interrupted".
/// - Polling receivers (xhr, jsonp) end after exactly one frame; streaming receivers
///   (xhr_streaming, eventsource, htmlfile) end once the wrapped frame bytes written to them
///   (the prelude not counted) reach response_limit; websocket receivers end only on close.
/// - `h` after heartbeat_delay without a frame while a receiver is attached.
/// - disconnect_delay without a receiver: the session closes with 1000 "Session timed out"
///   (the `closed` event), and later expires.
/// - Outgoing messages queue (escaped once) up to max_queued_bytes, then the session closes
///   itself with 1013 "Send queue overflow" (the queue is dropped).
/// - Closing: the close frame goes to the current receiver (which ends) and is replayed to
///   every later receiver until the session expires: disconnect_delay after closing began or
///   after the last receiver left, whichever is later (as sockjs-node).
///   An application close() first delivers the messages still queued; the other closes
///   (1002, 1013, timeout) drop them.
///
/// Calling convention for adapters: after any call, write what it returned, drain
/// next_event(), and re-read next_deadline() (every call may move it). Output for a
/// websocket receiver is one frame (one WebSocket message) per call: call pull() until it
/// returns nothing. HTTP streaming output may hold several wrapped frames in one write.

#include <sockjs/error.hpp>
#include <sockjs/options.hpp>
#include <sockjs/payload.hpp>
#include <sockjs/time.hpp>
#include <sockjs/transport.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs {

enum class session_state { connecting, open, closing, closed };

/// What the adapter must write to the current (or just-arrived) receiver.
struct receiver_output {
    std::string bytes;  ///< wrapped bytes to write now; may be empty. For websocket, one message.
    bool end = false;   ///< after writing, end the response (or close the WebSocket).
                        ///< The session has already released that receiver: do not detach it.
};

/// Something the application must hear about.
struct session_event {
    // The event kind `message` is unrelated to the function sockjs::message(errc); clang's
    // -Wshadow flags the pair.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wshadow"
#endif
    enum kind_t { opened, message, closed } kind = opened;
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
    /// message: the decoded message; closed: the close reason. One string for both keeps
    /// the event (and the slot a session's event queue keeps for the next one) small.
    std::string data;
    int code = 0;  ///< closed: the close code (1000 normal, 1002 interrupted, ...)
};

class server_session {
public:
    server_session(const session_limits& limits, time_point now);

    session_state state() const noexcept { return state_; }
    bool has_receiver() const noexcept { return receiver_.has_value(); }
    /// The close code and reason once closing (for the WebSocket close handshake).
    int close_code() const noexcept { return close_code_; }
    const std::string& close_reason() const noexcept { return close_reason_; }

    /// A receiving request arrived. The adapter has already written prelude(t, callback) (HTTP).
    /// Returns the first output: `o`, queued messages, a close frame (replay), or 2010.
    /// On a closing or expired session the close frame is replayed (even while another
    /// receiver is still attached); 2010 only answers a second receiver of a live session.
    receiver_output attach(transport t, std::string_view callback, time_point now);
    /// The current receiver's connection went away before the session ended it.
    /// `aborted`: the client dropped it (closes the session with 1002). False: the adapter
    /// ended it for its own reasons (e.g. server shutdown), which starts the disconnect timer.
    /// No-op when no receiver is attached. (A websocket session's WebSocket ending is
    /// websocket_closed().)
    void detach(bool aborted, time_point now);
    /// The peer closed the WebSocket of a websocket session (or its connection dropped:
    /// pass 1006). A clean close (1000 Normal closure, 1001 Going away) ends the session with
    /// 1000 "Normal closure"; any other code is an interrupted connection, 1002 "Connection
    /// interrupted", as for an aborted HTTP receiver. Either way the receiver is released and
    /// the session is closing (`closed` fires if it was open). No-op when no receiver is
    /// attached.
    void websocket_closed(int code, time_point now);
    /// Next output for the attached receiver: queued messages as one `a[...]` frame, a close
    /// frame, or a due heartbeat. Empty bytes and end=false when there is nothing to do.
    /// Call after send/close/on_deadline, and again until it returns nothing.
    receiver_output pull(time_point now);
    /// WebSocket fast path, instead of pull(): the size in bytes of the `a[...]` frame of
    /// queued messages that pull() would return now for a websocket receiver; 0 when pull()
    /// would return anything else (nothing, a heartbeat, a close frame) or the receiver is
    /// not a websocket. The adapter can then frame the message before it is built (an RFC 6455
    /// header needs its length) and have pull_websocket_frame() build it in place.
    std::size_t websocket_frame_size() const noexcept {
        return receiver_ && receiver_->t == transport::websocket && !queue_.empty() ? queue_.size() + 1 : 0;
    }
    /// Appends that frame, exactly websocket_frame_size() bytes, to `out` (the connection's
    /// output, say), and accounts for it as pull() would have. Only after
    /// websocket_frame_size() returned non-zero, with no call to the session in between.
    /// Returns whether pull() may have more now (a closing session's close frame); false:
    /// nothing else is due, the frame having restarted the heartbeat's silence.
    bool pull_websocket_frame(std::string& out, time_point now);
    /// Optional: gives back the bytes of a websocket output once written, so that the next
    /// frame is built in the same buffer instead of a new allocation per message.
    void recycle(std::string&& bytes) noexcept;

    /// Application: queue a message. Errors: session_not_open (connecting, closing, closed),
    /// queue_full (the message is not queued and the session closes itself with 1013).
    errc send(std::string_view message);
    /// Application: queue an already-escaped JSON string literal (from append_json_string),
    /// so a broadcast escapes once for many sessions.
    errc send_escaped(std::string_view json_literal);
    /// Broadcast fast path: true when the next frame may bypass the queue, i.e. the session
    /// is open, its receiver is a websocket and nothing is queued. The session then counts
    /// one `a[...]` frame of `frame_bytes` as sent now (what pull() would have produced for a
    /// send_escaped() message) and the adapter writes that frame itself, framed once for
    /// every session of a broadcast. False: nothing changed; use send_escaped().
    bool send_escaped_direct(std::size_t frame_bytes, time_point now) noexcept;
    /// The adapter tears the current receiver down itself, with no close frame: a WebSocket
    /// that sent broken JSON must be dropped abruptly (the suite's Websocket.test_broken_json
    /// fails if `c[...]` arrives first). The receiver is released (do not detach it), the
    /// session closes with `code`/`reason` (e.g. websocket_error_close(e)), firing `closed`
    /// if it was open, and later receivers get that close frame. Queued messages are dropped.
    void terminate(int code, std::string_view reason, time_point now);
    /// Application (or server shutdown): close with `code` and `reason`. No-op once closing.
    /// Messages already queued are still delivered, before the close frame. Fires `closed`
    /// if the session was open (a session closed before its first receiver never opens, and
    /// its first receiver gets the close frame instead of `o`).
    void close(int code, std::string_view reason);

    /// The client sent `body` (xhr_send/jsonp_send with format array; a WebSocket message with
    /// array_or_string). Decoded messages become `message` events, in order.
    /// Errors: empty_payload, broken_json, message_too_large; nothing is queued on error.
    /// On a session that is not open the body is still checked (so the adapter answers
    /// errors the same way) but its messages are dropped, as sockjs-node does: xhr_send on a
    /// closing session answers 204. `max_message_size` bounds each decoded message; the
    /// adapter bounds the request body when reading it.
    errc receive(std::string_view body, payload_format format, time_point now);

    /// receive() for an adapter that hands a message to the application at once (the
    /// WebSocket path: no event queued, no allocation per message). When the session is open
    /// with no event waiting and `body` is one message, that message is not queued: `message`
    /// is set to it, a view into `body` or into `scratch` (valid while both are), and the
    /// adapter must hand it to the application before taking any event, exactly as if
    /// next_event() had given it. Any other body goes through receive(), `message` empty.
    errc receive_direct(std::string_view body, payload_format format, time_point now, std::string& scratch,
                        std::optional<std::string_view>& message);

    /// Pops the next application event.
    std::optional<session_event> next_event();

    /// When on_deadline must be called next (heartbeat, disconnect timeout or expiry).
    /// nullopt when closed, or while a heartbeat is due and waits for pull().
    std::optional<time_point> next_deadline() const noexcept;
    /// Time passed: may queue a heartbeat (then pull), time the session out, or expire it.
    void on_deadline(time_point now);

    /// Queued outgoing bytes (escaped messages not yet pulled).
    std::size_t queued_bytes() const noexcept { return queue_.empty() ? 0 : queue_.size() - 2; }  // less `a[`

private:
    struct receiver {
        transport t;
        std::string callback;
        std::size_t bytes_sent = 0;
    };

    /// Appends the frames now due to the attached receiver, releasing it when it must end.
    void produce(receiver_output& out, time_point now);
    /// Appends one bare frame wrapped for the attached receiver and accounts for it.
    void write_frame(receiver_output& out, std::string_view frame, time_point now);
    void release_receiver(receiver_output& out, time_point now);
    void enter_closing(int code, std::string_view reason, bool keep_queue, time_point now);
    void push_closed_event();
    void seen(time_point now) noexcept;
    time_point expiry() const noexcept;

    session_limits limits_;
    time_point now_;  ///< the latest time any call passed in (close() and send() take none)
    session_state state_ = session_state::connecting;
    std::optional<receiver> receiver_;
    std::string queue_;  ///< empty, or `a[` and the comma-separated escaped JSON string literals
    // A vector read from events_head_, not a deque: libstdc++'s deque allocates a 512-byte
    // node up front, which thousands of held sessions each paid for a queue that is nearly
    // always empty.
    std::vector<session_event> events_;
    std::size_t events_head_ = 0;
    int close_code_ = 0;
    std::string close_reason_;
    bool heartbeat_due_ = false;
    time_point last_frame_{};   ///< last frame written (or receiver attached): heartbeat base
    time_point detached_at_{};  ///< no receiver since: disconnect timeout base
    time_point closing_at_{};   ///< closing began: expiry base
};

}  // namespace sockjs
