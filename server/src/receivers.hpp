#pragma once
// Where a session's output goes: one receiving HTTP response (which may live on another loop
// than the session) or the session's WebSocket (always on the session's loop).
//
// A session calls write() on its home loop; the receiver moves the bytes to its connection on
// the connection's loop and reports back (abort, drain) by posting to the session's loop,
// tagged with its id so that a late report about a receiver the session already let go of is
// ignored.

#include "conn_backend.hpp"
#include "net/net.hpp"

#include <sockjs/http.hpp>
#include <sockjs/transport.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sockjs::detail {

class receiver {
public:
    virtual ~receiver() = default;
    std::uint64_t id() const noexcept { return id_; }
    /// One output of the session, from the session's loop. `end`: the last one (the session
    /// has let go of this receiver); a WebSocket then closes with `close_code`/`close_reason`.
    /// The receiver may take `bytes`; what it leaves, the session reuses for its next frame.
    virtual void write(std::string&& bytes, bool end, int close_code, std::string_view close_reason) = 0;
    /// True while the connection's unsent bytes are above the high watermark: the session
    /// stops pulling until the receiver reports a drain.
    virtual bool congested() const noexcept = 0;
    /// The loop its connection lives on.
    virtual net::loop& loop() const noexcept = 0;

protected:
    receiver();

private:
    std::uint64_t id_;
};

/// A receiving HTTP request (xhr, xhr_streaming, eventsource, htmlfile, jsonp).
/// Streaming transports: head and prelude go out on the first write (the prelude as its own
/// chunk), every later output as one chunk. Polling transports: one response with
/// Content-Length when the session ends the receiver.
class http_receiver final : public receiver,
                            public std::enable_shared_from_this<http_receiver>,
                            private net::exchange_listener {
public:
    /// On the exchange's loop. `session` is told (on `home`) when the client goes away or
    /// the connection drains.
    http_receiver(std::shared_ptr<net::exchange> ex, transport t, http_response head,
                  std::string prelude, std::weak_ptr<conn_backend> session, net::loop& home,
                  std::size_t high_watermark);
    /// Listens to the exchange (needs shared_from_this, hence not in the constructor).
    void arm();

    void write(std::string&& bytes, bool end, int close_code, std::string_view close_reason) override;
    bool congested() const noexcept override { return congested_.load(std::memory_order_acquire); }
    net::loop& loop() const noexcept override { return ex_loop_; }

private:
    void write_here(std::string bytes, bool end);
    // The exchange's listener (exchange loop).
    void on_exchange_aborted() override { lost(); }
    void on_exchange_drained() override;
    void lost();

    // What the response needs until it starts (a stream: its head and prelude) or ends (a
    // poll: its head, and in head.body what the session wrote so far). Freed then: a held
    // stream keeps none of it (a held xhr-streaming session's RSS, docs/benchmarks.md).
    struct unsent {
        http_response head;
        std::string prelude;
    };

    std::shared_ptr<net::exchange> ex_;
    net::loop& ex_loop_;
    std::weak_ptr<conn_backend> session_;
    net::loop& home_;
    std::size_t high_watermark_;
    std::atomic<bool> congested_{false};
    bool streaming_;
    // Exchange loop only:
    bool done_ = false;
    std::unique_ptr<unsent> unsent_;  // null once a stream started or a poll answered
};

/// The WebSocket of a SockJS WebSocket session: each output is one text message. A member
/// of its session (no allocation of its own; the session hands it out with the aliasing
/// shared_ptr constructor), which owns the channel and, as its listener, reports drains.
class ws_receiver final : public receiver {
public:
    ws_receiver(net::ws_channel& ws, std::size_t high_watermark) : ws_(&ws), high_watermark_(high_watermark) {}

    void write(std::string&& bytes, bool end, int close_code, std::string_view close_reason) override;
    /// One message (`payload`) whose RFC 6455 frame (`frame`) was built by the caller; with a
    /// `batch` (of that frame), the channel may leave the send to it.
    void write_framed(std::string_view payload, std::string_view frame, net::send_batch* batch = nullptr);
    bool congested() const noexcept override { return congested_; }
    net::loop& loop() const noexcept override { return ws_->owner(); }
    net::ws_channel& channel() noexcept { return *ws_; }
    /// The channel drained (ws_listener::on_ws_drained): the session may pull again.
    void drained() noexcept { congested_ = false; }
    /// After a message went to the channel without write() (session_backend::pump()).
    void check_congestion();

private:
    net::ws_channel* ws_;
    std::size_t high_watermark_;
    bool congested_ = false;
};

}  // namespace sockjs::detail
