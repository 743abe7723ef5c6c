#pragma once
// One client session of the load generator, over one of the transports the benchmark rows
// use. The SockJS framing is the core's: parse_frame and stream_unwrapper on the way in,
// append_json_string on the way out.

#include "event_loop.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

enum class transport_kind {
    websocket,      ///< SockJS over WebSocket: /<service>/<server>/<session>/websocket
    raw_websocket,  ///< plain WebSocket, no SockJS framing: /<service>/websocket
    xhr_streaming,  ///< receive on xhr_streaming, send on xhr_send
    xhr_polling,    ///< receive on xhr (one frame per response), send on xhr_send
};

/// "websocket", "raw-websocket", "xhr-streaming", "xhr-polling" (as on the command line).
bool parse_transport_kind(std::string_view s, transport_kind& out);

class session;

struct session_events {
    virtual ~session_events() = default;
    virtual void on_open(session& s) = 0;
    virtual void on_message(session& s, std::string_view message) = 0;
    /// The session ended or broke (a close frame, a lost connection, a bad frame or HTTP
    /// status). No further callbacks follow.
    virtual void on_failed(session& s, std::string_view why) = 0;
};

struct session_target {
    std::string host;     ///< "127.0.0.1:PORT", for the Host header
    std::string service;  ///< e.g. "/echo"
    std::string id_prefix;  ///< session ids are id_prefix + index
    /// Several server processes: session i connects to ports[i % size] (empty: the loop's).
    std::vector<std::uint16_t> ports = {};
    bool deflate = false;  ///< WebSocket transports: offer (and require) permessage-deflate
};

class session {
public:
    explicit session(std::size_t index) noexcept : index_(index) {}
    virtual ~session() = default;
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    /// Opens the session (asynchronously: on_open or on_failed follows).
    virtual void start() = 0;
    /// Sends one message (queued while a previous xhr_send is pending).
    virtual void send(std::string_view message) = 0;
    /// Closes every socket of the session; no callbacks follow.
    virtual void stop() = 0;

    std::size_t index() const noexcept { return index_; }

private:
    std::size_t index_;
};

/// Delivers one bare SockJS frame's text to `ev`: `o` (a second one fails the session, as a
/// client must treat it as a lost session), `h`, each message of `a[...]`, and `c[...]` or an
/// unparsable frame as a failure. Returns false when the session is over.
bool deliver_frame(session& s, session_events& ev, std::string_view text, bool& opened);

std::unique_ptr<session> make_session(transport_kind kind, event_loop& loop, session_events& ev,
                                      const session_target& target, std::size_t index);

}  // namespace bench
