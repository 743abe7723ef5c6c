#pragma once
// One accepted TCP connection on an event loop: non-blocking reads into the loop's scratch
// buffer, HTTP/1.x request parsing and dispatch (tcp_connection_http.cpp), buffered writes with
// backpressure, deadlines (slow heads, idle keep-alive, lingering close), and after a
// WebSocket upgrade, a stream_handler that takes over its bytes.

#include "net/event_loop.hpp"
#include "net/http_parser.hpp"
#include "net/net.hpp"
#include "net/out_buffer.hpp"
#include "net/peer_address.hpp"
#include "net/tls.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sockjs::net {

class exchange_impl;

/// What takes over a connection after an upgrade (the WebSocket channels).
class stream_handler {
public:
    virtual ~stream_handler() = default;
    /// Bytes from the peer.
    virtual void on_bytes(std::string_view bytes) = 0;
    /// The connection is gone or going (peer closed, error, server stop): fire on_close once.
    virtual void on_transport_closed() = 0;
    /// The write buffer fell to the low watermark after having been above it.
    virtual void on_drained() = 0;
    /// A deadline set with tcp_connection::set_handler_deadline expired.
    virtual void on_deadline() = 0;

    /// Memory the handler's events touch besides its own (its listener's object), which the
    /// loop prefetches ahead of them; null when not set.
    const void* prefetch_hint() const noexcept { return prefetch_hint_; }

protected:
    const void* prefetch_hint_ = nullptr;
};

class tcp_connection final : public std::enable_shared_from_this<tcp_connection> {
public:
    using clock = std::chrono::steady_clock;

    tcp_connection(event_loop& owner, Poco::Net::StreamSocket socket, const Poco::Net::SocketAddress& peer);
    ~tcp_connection();
    tcp_connection(const tcp_connection&) = delete;
    tcp_connection& operator=(const tcp_connection&) = delete;

    /// Where the loop keeps this connection (event_loop::connections_).
    std::size_t live_slot = 0;
    event_loop& owner() { return loop_; }

    // --- driven by the loop ---
    void start();
    void on_readable();
    void on_writable();
    void flush();
    /// The loop handles an event of this connection (on_readable/on_writable): output the
    /// event writes to it is flushed by end_event(), not gathered in the loop's dirty list.
    /// Output written to it while another connection's event runs still is.
    void begin_event() noexcept { in_event_ = true; }
    void end_event();
    bool deadline_due(clock::time_point now) const { return deadline_kind_ != deadline::none && now >= deadline_; }
    void on_deadline();
    /// Hints that an event for this connection comes up soon, one hop of its memory at a
    /// time (each reads a pointer from what the one before asked for): what took over its
    /// bytes (the WebSocket), then that handler's prefetch_hint() (the session).
    void prefetch_handler() const noexcept {
        if (handler_) prefetch_object(handler_.get(), 4);
    }
    void prefetch_listener() const noexcept {
        if (handler_) prefetch_object(handler_->prefetch_hint(), 8);
    }
    /// `lines` cache lines from 16 bytes before `p` (a make_shared control block's counts,
    /// which a weak_ptr lock touches, sit right before its object).
    static void prefetch_object(const void* p, int lines) noexcept {
        if (!p) return;
        const char* at = static_cast<const char*>(p) - 16;
        for (int line = 0; line < lines; ++line) __builtin_prefetch(at + 64 * line);
    }

    // --- output (loop thread) ---
    /// Append to this, then call wrote().
    std::string& out() { return out_.tail(); }
    /// Schedules the flush; a buffer over write_hard_limit dooms the connection (logged).
    void wrote();
    /// `bytes` to the socket at once when nothing is waiting before them on a plain TCP
    /// connection (what the socket does not take is buffered as by out() and wrote()); else
    /// the same as appending them and calling wrote(). For a broadcast, which writes one
    /// frame to thousands of connections that each have nothing else to send: copying it into
    /// each buffer and flushing them in a second pass cost as much as the send itself (see
    /// docs/benchmarks.md). A send error is handled at the next flush, as a doomed buffer is:
    /// the caller is in the middle of a write and must not see close callbacks inside it.
    void send_now(std::string_view bytes);
    /// send_batch::add() may take this connection: open, plain TCP, nothing queued.
    bool batchable() const { return phase_ == phase::open && !tls_ && out_.empty(); }
    int fd() const { return fd_; }
    /// A send() of `bytes` straight to the socket (send_now(), send_batch) returned `result`,
    /// not all of them: the rest is buffered, or on an error the connection is doomed (closed
    /// at the flush, not inside the caller's write).
    void after_short_send(long result, std::string_view bytes);
    std::size_t buffered() const { return out_.size() + (tls_ ? tls_->cipher().size() : 0); }
    /// Can still take output and callbacks (not closed, not closing).
    bool writable() const { return phase_ == phase::open; }
    bool closed() const { return phase_ == phase::closed; }

    // --- teardown ---
    /// Closes the socket now; pending output is dropped; aborts and closes are reported.
    void close_now();
    /// Sends what is buffered, then FIN, then reads and discards until the peer closes (or a
    /// short linger time passes), so the peer sees the last response instead of a reset.
    void close_graceful();

    // --- HTTP exchanges (tcp_connection_http.cpp) ---
    /// The response of exchange `id` is complete; keep the connection for the next request.
    void finish_exchange(std::uint64_t id, bool keep_alive);
    /// Exchange `id` was dropped without a response: answer 500 (or cut a begun stream).
    void orphaned_exchange(std::uint64_t id, bool response_started);
    bool draining() const;

    // --- upgrade ---
    /// Hands the connection to `h` (WebSocket); unread input goes to it next.
    void upgrade(std::shared_ptr<stream_handler> h);
    void set_handler_deadline(clock::time_point t);
    void clear_deadline() { deadline_kind_ = deadline::none; }

private:
    // What an emptied output buffer may keep while the connection may idle for long (held
    // WebSockets, streams, long polls). Freeing it entirely cost a broadcast to 1000 sessions
    // 60 % more instructions per delivery (a malloc/free pair per session per flush); 128
    // bytes hold a small message's frame.
    static constexpr std::size_t idle_keep_capacity = 128;

    enum class deadline : std::uint8_t { none, head, body, idle, flush, linger, handler };
    enum class http_state : std::uint8_t { idle, head, body };

    void on_bytes(const char* data, std::size_t n);
    // TLS (net/tls.hpp): ciphertext in, plaintext to on_bytes; plaintext out_ to ciphertext.
    void on_cipher(const char* data, std::size_t n);
    bool flush_tls();
    void tls_failed();
    /// The first bytes on the TLS port are a plain HTTP request: a plain 400 that says so.
    void refuse_plain_http();
    /// Output not yet handed to the socket (plaintext that can be encrypted now, ciphertext).
    bool has_output() const;
    /// Sends the buffered output now (before the loop's flush); what the socket does not take
    /// stays buffered. A failed send dooms the connection (closed at the flush).
    void send_early();
    void on_peer_eof();
    void begin_linger();
    void notify_gone();
    void update_interest();
    /// The flush is due: at end_event() inside this connection's own event, else at the end
    /// of the loop's iteration (event_loop::mark_dirty).
    void schedule_flush();
    void set_deadline(deadline kind, clock::duration d);
    void fire_drain();
    void feed_upgrade_input();

    // tcp_connection_http.cpp
    void process_http();
    void schedule_process();
    void dispatch();
    void fail_request(int status);
    void compact_input();
    bool charge_body(std::size_t total);
    void release_body();

    event_loop& loop_;
    Poco::Net::StreamSocket socket_;
    // The descriptor, read once: every recv and send would otherwise load POCO's SocketImpl,
    // a separate allocation (a cache miss per message with thousands of connections).
    int fd_;
    int interest_ = 0;
    peer_address peer_;

    // The lifecycle; every phase after `open` takes no more user output or input.
    enum class phase : std::uint8_t {
        open,
        closing,    // graceful close under way: pending output is sent, then FIN
        doomed,     // over the write hard limit: output dropped, closed at the next flush
        lingering,  // FIN sent: input is read and discarded until the peer closes
        closed,
    };
    bool closing() const { return phase_ != phase::open; }
    phase phase_ = phase::open;
    // Independent of the phase:
    bool peer_eof_ = false;
    bool dirty_ = false;
    bool in_event_ = false;  // between begin_event() and end_event()
    bool drain_armed_ = false;
    bool read_paused_ = false;
    bool blocked_on_output_ = false;  // pipelined requests wait for the client to read
    bool processing_ = false;         // in process_http()
    bool tls_input_seen_ = false;     // the first bytes of a TLS connection were looked at
    bool process_scheduled_ = false;
    bool send_blocked_ = false;       // send_early() left bytes: no more until the flush
    deadline deadline_kind_ = deadline::none;

    out_buffer out_;          // plaintext (encrypted at the flush on a TLS connection)
    std::unique_ptr<tls_session> tls_;
    clock::time_point deadline_{};

    // HTTP input, allocated when bytes of a request arrive and freed while nothing is left
    // to read: thousands of held streams, long polls and WebSockets do not each keep a
    // request, its headers and a parser (tcp_connection_http.cpp).
    struct http_input {
        explicit http_input(reader_limits limits) : reader(limits) {}
        std::string in;          // unparsed input
        std::size_t pos = 0;     // parsed up to here
        http_state state = http_state::idle;
        http_request req;
        request_reader reader;
        bool unread() const { return pos < in.size(); }
    };
    http_input& http();
    /// Frees the HTTP input unless process_http() is using it (it frees it when done).
    void release_http();
    std::unique_ptr<http_input> http_;
    std::size_t body_charged_ = 0;  // our share of server_shared::body_bytes
    std::weak_ptr<exchange_impl> active_;
    std::uint64_t active_id_ = 0;  // 0: no exchange in progress
    std::uint64_t next_id_ = 1;

    // Upgraded
    std::shared_ptr<stream_handler> handler_;
    // Bytes read before the upgrade, not yet handed over; rare and brief, so behind a
    // pointer (24 bytes less in every connection, held or not).
    std::unique_ptr<std::string> upgrade_input_;
};

}  // namespace sockjs::net
