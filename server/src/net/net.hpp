#pragma once
// The contract between the event-driven network front end (server/src/net/, POCO sockets and
// PollSet, HTTP/1.x and WebSocket on non-blocking sockets) and the SockJS layer above it.
// Everything here is internal to the server library.
//
// Refinements since the first version of this contract (all source-compatible):
// - net_options::write_low_watermark (64 KiB): the level drains are reported at, once per
//   crossing (see exchange_listener::on_exchange_drained).
// - http_handler: the request is valid during the call only.
// - accept_websocket: set the channel's listener before returning to the loop.
// - ws_channel: one ws_listener instead of three std::function callbacks, and exchange one
//   exchange_listener instead of two (a held session's memory, see docs/benchmarks.md
//   "Memory per held session").
// - Writes are gathered: bytes written while the loop handles one round of events go out in
//   one send() at the end of that round (so buffered() counts them until then).
//
// Threading: a net_server runs N loops (one thread each, one PollSet each, a listening socket
// each with SO_REUSEPORT). A connection lives on one loop for its whole life. exchange and
// ws_channel methods must be called on their loop's thread; from any other thread, use
// loop::post. Callbacks are always invoked on the owning loop's thread.

#include "net/peer_address.hpp"

#include <sockjs/http.hpp>  // header_list
#include <sockjs/tls_options.hpp>
#include <sockjs/websocket_deflate.hpp>

#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sockjs::net {

/// A parsed HTTP request (head parsed strictly by request_reader, body complete).
struct http_request {
    std::string method;              ///< "GET", "POST", ...
    std::string path;                ///< URI path, percent-decoding NOT applied
    std::string query;               ///< after '?', without it; empty if none
    bool http10 = false;             ///< HTTP/1.0 request
    bool keep_alive = true;          ///< what the request asked for (1.1 default yes, 1.0 default no)
    Poco::Net::NameValueCollection headers;  ///< case-insensitive lookups
    std::string body;                ///< complete body (Content-Length, chunked, or empty)
    /// Inline, not POCO's SocketAddress: that one allocates on every construction and copy,
    /// which were four of a keep-alive request's allocations (`peer.get()` makes one).
    peer_address peer;

    /// Empties the request for the next one on its connection. The strings and the header
    /// list keep their capacity, so a keep-alive client's requests reuse them.
    void clear() {
        method.clear();
        path.clear();
        query.clear();
        http10 = false;
        keep_alive = true;
        headers.clear();
        body.clear();
        peer = {};
    }
};

class loop;
class send_batch;  // net/send_batch.hpp

/// What an exchange tells the code producing its response, on the exchange's loop.
class exchange_listener {
public:
    /// The write buffer drained to net_options::write_low_watermark after having been above
    /// it (pull more then). Fires once per such crossing, so wait for it only after seeing
    /// exchange::buffered() above write_low_watermark (e.g. above write_high_watermark).
    virtual void on_exchange_drained() {}
    /// The peer closed or the connection failed before the response ended (the client
    /// aborted a long-poll or a stream). Once; never after a normal end.
    virtual void on_exchange_aborted() = 0;

protected:
    ~exchange_listener() = default;
};

/// One request/response exchange on a connection. Exactly one of respond, begin_stream or
/// accept_websocket is called per request (the handler may defer it: keep the shared_ptr).
class exchange {
public:
    virtual ~exchange() = default;

    /// A complete response. Adds Content-Length (and Connection: close when the connection
    /// will close: HTTP/1.0 without keep-alive, or the server is draining). Status 204/304
    /// get no body and no Content-Length.
    virtual void respond(int status, const header_list& headers, std::string_view body) = 0;

    /// Starts a streaming response: HTTP/1.1 chunked; HTTP/1.0 no length, connection closes at
    /// end_stream. Each write() is sent as exactly one chunk (the protocol suite checks that).
    virtual void begin_stream(int status, const header_list& headers) = 0;
    /// Returns false if the connection is gone (nothing was written).
    virtual bool write(std::string_view bytes) = 0;
    /// Ends the stream (terminating chunk; closes the connection on HTTP/1.0).
    virtual void end_stream() = 0;

    /// Bytes accepted by write() and not yet sent to the socket (backpressure).
    virtual std::size_t buffered() const = 0;
    /// Sets the one listener (replacing any earlier one; null: none; ignored once the
    /// exchange is over). Held weakly, as ws_channel::listen holds its listener: the listener
    /// (a receiver) usually owns the exchange. One pointer in place of a function per
    /// callback: a held stream's memory, see docs/benchmarks.md "Memory per held session".
    virtual void listen(std::weak_ptr<exchange_listener> listener) = 0;

    /// Loop that owns this exchange.
    virtual loop& owner() = 0;
};

/// What a ws_channel tells its user, on the channel's loop.
/// Guarantees: on_ws_closed fires exactly once, for any reason, and nothing fires after it;
/// the listener may release the channel (drop its last reference) or close it from inside
/// any callback (the connection keeps the channel until its own teardown ends). Each callback
/// runs on a reference the channel locked for it, so the listener outlives its own callback
/// even if everything else lets go of it meanwhile.
class ws_listener {
public:
    /// Each complete (reassembled, UTF-8 validated) text message. Binary messages are
    /// treated the same way (bytes passed through).
    virtual void on_ws_message(std::string&& msg) = 0;
    /// The channel closed. `code` is the peer's close code (1005 none, 1006 abnormal: TCP
    /// dropped, 1002 protocol error, 1007 bad UTF-8, 1009 too big). `reason` is valid during
    /// the call only.
    virtual void on_ws_closed(int code, std::string_view reason) = 0;
    /// The write buffer drained; same rule as exchange_listener::on_exchange_drained.
    virtual void on_ws_drained() {}

protected:
    ~ws_listener() = default;
};

/// A WebSocket (RFC 6455; hixie-76 too, for old proxies, as the protocol suite requires).
class ws_channel {
public:
    virtual ~ws_channel() = default;
    /// Queues one text message. Returns false if the channel is closing/closed.
    virtual bool send_text(std::string_view utf8) = 0;
    /// send_text() for text the caller knows is well-formed UTF-8, which the channel then
    /// does not check again: the SockJS frames the core builds (every string in them went
    /// through the core's JSON escaping, which writes anything ill-formed as an escape). The
    /// check was ~4 % of an echo's instructions per message.
    virtual bool send_valid_text(std::string_view utf8) { return send_text(utf8); }
    /// The same message with its RFC 6455 frame (header + `utf8`) already built by the caller:
    /// a broadcast frames once for many channels. Channels that frame otherwise (hixie-76)
    /// send `utf8` as send_text() does. With a `batch` (whose frame is `frame`), a channel
    /// that can may leave the send to batch->send_all().
    virtual bool send_text_framed(std::string_view utf8, std::string_view /*frame*/, send_batch* /*batch*/ = nullptr) {
        return send_text(utf8);
    }
    /// One text message of exactly `size` bytes of well-formed UTF-8 (as for send_valid_text),
    /// built in place: returns the string to append those bytes to (the connection's output,
    /// the frame's header already in it), then the caller calls end_text(), with nothing in
    /// between but the appending. The SockJS frames the core builds go out this way without
    /// a buffer of their own (docs/benchmarks.md, "Seventh session"). Null when the channel
    /// cannot take output now or frames the message otherwise (compressed, hixie-76): then
    /// send_valid_text().
    virtual std::string* begin_text(std::size_t /*size*/) { return nullptr; }
    /// Ends the message begun by begin_text(). Returns false if the channel is closing/closed.
    virtual bool end_text() { return false; }
    /// Starts the close handshake (close frame with code and reason; hixie-76: closes).
    virtual void close(int code, std::string_view reason) = 0;
    virtual std::size_t buffered() const = 0;
    /// Sets the one listener (replacing any earlier one; ignored once closed). Held weakly:
    /// the listener (a session) usually owns the channel, so a strong reference would be a
    /// cycle, and a raw pointer would make every listener clear itself on the loop thread
    /// before it dies, which a session released from another thread cannot promise. The
    /// lock per callback is what the closures this replaces paid too.
    virtual void listen(std::weak_ptr<ws_listener> listener) = 0;
    virtual loop& owner() = 0;
    /// Optional: the object the listener's callbacks work on (a session), which the loop then
    /// prefetches ahead of the channel's events, as it does the connection and the channel:
    /// with a thousand busy connections each is cold in the cache when its event comes up.
    virtual void prefetch_with(const void* /*object*/) noexcept {}
};

/// Accepts a WebSocket upgrade on `ex`'s connection (the request was validated by the caller
/// as a GET with Upgrade: websocket). Writes the 101 (or for hixie-76, the 101 then the
/// challenge answer once the 8 key bytes arrive). Returns null (and has answered 400) when the
/// handshake headers are invalid. `max_message` bounds a reassembled message (close 1009).
/// Set the channel's listener before returning to the loop: bytes that arrived with the
/// handshake are delivered later in the same loop iteration. On hixie-76, send_text() before
/// the client's key bytes arrived is queued behind the challenge answer.
std::shared_ptr<ws_channel> accept_websocket(std::shared_ptr<exchange> ex, const http_request& req,
                                             std::size_t max_message);

/// One event loop thread.
class loop {
public:
    virtual ~loop() = default;
    /// Runs `fn` on this loop's thread soon (thread-safe; wakes the loop).
    virtual void post(std::function<void()> fn) = 0;
    /// Runs `fn` on this loop's thread at or after `deadline` (steady clock). Returns an id
    /// for cancel_timer. Loop thread only.
    virtual std::uint64_t add_timer(std::chrono::steady_clock::time_point deadline,
                                    std::function<void()> fn) = 0;
    virtual void cancel_timer(std::uint64_t id) = 0;
    virtual std::size_t index() const = 0;  ///< 0..N-1
    /// True when called on this loop's thread (thread-safe).
    virtual bool is_current() const noexcept = 0;
    /// The steady-clock time this loop's current turn began (read once per turn, after the
    /// wait, as libuv's uv_now()). Code on the loop thread that needs "now" to the millisecond
    /// (a session's deadlines) takes it from here instead of reading the clock again: one read
    /// per turn, not one per message. Loop thread only.
    virtual std::chrono::steady_clock::time_point now() const noexcept = 0;
};

/// Called on the loop thread for each complete request. `req` is valid during the call only
/// (move from it what you keep).
using http_handler = std::function<void(std::shared_ptr<exchange>, http_request&)>;

struct net_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8081;          ///< 0 = pick a free port (see net_server::port())
    std::size_t threads = 0;            ///< loops; 0 = hardware concurrency
    std::size_t max_connections = 20000;
    std::size_t max_header_bytes = 16 * 1024;   ///< larger heads get 431
    std::size_t max_body_bytes = 4u << 20;      ///< larger bodies get 413
    std::size_t max_total_body_bytes = 64u << 20;  ///< request bodies held by all connections together; a request that would exceed it gets 503
    std::chrono::milliseconds header_timeout{10000};     ///< slow heads (one byte a second): 408, close
    std::chrono::milliseconds keep_alive_timeout{60000}; ///< idle keep-alive connections close
    std::size_t write_high_watermark = 1u << 20;  ///< above this: stop producing (see buffered()); pipelined requests wait
    std::size_t write_low_watermark = 64u << 10;  ///< drains are reported when buffered() falls to this
    std::size_t write_hard_limit = 16u << 20;     ///< a connection whose buffer exceeds this is closed (logged)
    /// Where the front end's own events go (a failed TLS handshake, say): one `key=value`
    /// line each, starting with `level=`; null: stderr.
    std::function<void(std::string_view line)> log;
    tls_options tls;  ///< certificate set: every connection is TLS (https/wss), see net/tls.hpp
    websocket_deflate_options websocket_deflate;  ///< permessage-deflate on RFC 6455 WebSockets
};

class net_server {
public:
    net_server(net_options opts, http_handler handler);
    ~net_server();
    net_server(const net_server&) = delete;
    net_server& operator=(const net_server&) = delete;

    void start();                 ///< binds and starts the loop threads (throws std::runtime_error "address already in use: HOST:PORT" and the like)
    void stop();                  ///< stops accepting, closes every connection, joins threads
    std::uint16_t port() const;   ///< the bound port
    std::size_t loop_count() const;
    loop& loop_at(std::size_t i);
    std::size_t connection_count() const;
    /// Connections closed as soon as accepted because max_connections were open.
    std::uint64_t refused_count() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sockjs::net
