#include "session_backend.hpp"

#include "clock_and_entropy.hpp"
#include "net/send_batch.hpp"
#include "server_impl.hpp"
#include "service_impl.hpp"

#include <sockjs/frame.hpp>
#include <sockjs/payload.hpp>
#include <sockjs/wrap.hpp>

#include <utility>

namespace sockjs::detail {

session_backend::session_backend(service_impl& svc, net::loop& home, std::string sid, transport opened_by)
    : conn_backend(svc, home, transport_index(opened_by)),
      sid_(std::move(sid)),
      core_(svc.opts, from_steady(home.now())) {}  // the loop's time, as every later call (now())

session_backend::~session_backend() {
    if (ws_) release_on_next_turn(home_, std::move(ws_));
}

// The time of the home loop's turn, not a clock read of its own: an echo's message read the
// clock through the server's clock object (a virtual call and four data lines) on top of the
// loop's read for the same turn. Deadlines stay to the millisecond; a turn is far shorter.
time_point session_backend::now() const noexcept { return from_steady(home_.now()); }

void session_backend::write_to(receiver& r, receiver_output&& out) {
    add(counters().bytes_out, out.bytes.size());
    r.write(std::move(out.bytes), out.end, core_.close_code(), core_.close_reason());
    // A WebSocket receiver copies the frame to its connection and leaves the buffer: the
    // core builds the next frame in it (no allocation per message).
    core_.recycle(std::move(out.bytes));
}

void session_backend::attach(std::shared_ptr<receiver> r, transport t, std::string callback) {
    auto self = shared_from_this();
    if (rx_ && !finished_) {
        // A second receiver gets 2010 "Another connection still open", but the first may be
        // gone already with its loop not yet having noticed: a client that aborts a poll and
        // polls again sends FIN then the new request, and the two can be handled on
        // different loops in either order. A round trip through the first receiver's loop
        // lets that loop process what arrived before this request (an abort is posted here
        // before the round trip returns), so the answer follows the order the client acted in.
        post_to(rx_->loop(), [self, r = std::move(r), t, cb = std::move(callback), home = &home_]() mutable {
            post_to(*home, [self, r = std::move(r), t, cb = std::move(cb)]() mutable {
                static_cast<session_backend&>(*self).attach_in_order(std::move(r), t, cb);
            });
        });
        return;
    }
    attach_in_order(std::move(r), t, callback);
}

void session_backend::attach_in_order(std::shared_ptr<receiver> r, transport t, const std::string& callback) {
    auto self = shared_from_this();
    auto out = core_.attach(t, callback, now());
    if (finished_) {
        // The session expired while this request was on its way here: the core answers as the
        // closed session the client knew (the close frame replay), and nothing re-arms.
        write_to(*r, std::move(out));
        return;
    }
    // end: the core answered and let go of this receiver at once (polling frame, close replay,
    // or 2010 for a second receiver, in which case the first one stays attached).
    if (!out.end) rx_ = r;
    write_to(*r, std::move(out));
    settle();
}

void session_backend::attach_websocket(std::shared_ptr<net::ws_channel> ws) {
    auto self = shared_from_this();
    ws_ = std::move(ws);
    ws_rx_.emplace(*ws_, server().options().write_high_watermark);
    ws_->listen(std::shared_ptr<net::ws_listener>(self, static_cast<net::ws_listener*>(this)));
    ws_->prefetch_with(static_cast<const conn_backend*>(this));  // the start of this object
    // Non-owning (aliasing an empty owner): the receiver is part of this session, and rx_
    // owning the session would be a cycle that a session never closed (a server torn down
    // without stopping) never breaks. Copies of rx_ live only inside this session's calls.
    attach(std::shared_ptr<receiver>(std::shared_ptr<void>(), &*ws_rx_), transport::websocket, {});
}

void session_backend::receiver_gone(std::uint64_t id, bool aborted) {
    if (!rx_ || rx_->id() != id) return;  // already let go of
    auto self = shared_from_this();
    rx_.reset();
    core_.detach(aborted, now());
    settle();
}

void session_backend::resume(std::uint64_t id) {
    if (!rx_ || rx_->id() != id) return;
    auto self = shared_from_this();
    settle();
}

errc session_backend::receive(std::string_view body) {
    if (finished_) return errc::session_not_open;
    auto self = shared_from_this();
    auto e = core_.receive(body, payload_format::array, now());
    settle();
    return e;
}

namespace {

struct direct_scratch {
    std::string text;
    bool in_use = false;
};

}  // namespace

void session_backend::on_ws_message(std::string&& message) {
    // No `self` here: the channel calls its listener on a locked reference (net.hpp).
    if (finished_ || !ws_attached()) return;
    // A lone message goes to the application without the event queue (no allocation, no
    // copy when it needs no unescaping: a view into the frame). Only from outside a settle
    // round, so that it cannot overtake events, and with the loop thread's decode buffer not
    // in use by a message still being handled further up the stack.
    thread_local direct_scratch scratch;
    std::optional<std::string_view> direct;
    const time_point t = now();  // one clock read for the message and the round it starts
    const errc e = settling_ || scratch.in_use
                       ? core_.receive(message, payload_format::array_or_string, t)
                       : core_.receive_direct(message, payload_format::array_or_string, t, scratch.text, direct);
    if (auto close = websocket_error_close(e)) {
        // The client broke the framing: end the WebSocket at once with the close the core
        // names, without a SockJS close frame first (the client cannot be trusted to parse
        // one; the protocol suite expects the socket to go away right after).
        auto [code, reason] = *close;
        rx_.reset();
        core_.terminate(code, reason, t);
        ws_->close(code, reason);
    }
    if (!direct) {
        settle(t, std::nullopt);
        return;
    }
    scratch.in_use = true;
    struct release {
        bool& flag;
        ~release() { flag = false; }
    } done{scratch.in_use};
    settle(t, direct);
}

void session_backend::on_ws_closed(int code, std::string_view) {
    auto self = shared_from_this();
    if (ws_attached()) {
        rx_.reset();
        core_.websocket_closed(code, now());
    }
    settle();
    finish();  // a WebSocket session lives exactly as long as its WebSocket
    release_on_next_turn(home_, std::move(ws_));
}

void session_backend::on_ws_drained() {
    if (!ws_rx_ || !ws_rx_->congested()) return;
    auto self = shared_from_this();
    ws_rx_->drained();
    if (ws_attached()) settle();
}

bool session_backend::send_here(std::string_view message) {
    if (finished_) return false;
    // Inside settle() (the application answering a message, the common case) the outer call
    // already holds the session; else hold it here.
    std::shared_ptr<conn_backend> self;
    if (!settling_) self = shared_from_this();
    auto e = core_.send(message);
    if (e == errc::ok) add(counters().messages_out);
    settle();
    return e == errc::ok;
}

void session_backend::close_here(int code, std::string_view reason) {
    if (finished_) return;
    auto self = shared_from_this();
    core_.close(code, reason);
    settle();
}

void session_backend::deliver_broadcast(const broadcast_message& m, net::send_batch& batch) {
    if (finished_) return;
    // The fast path (framing and queueing per session cost more than a third of a broadcast
    // fan-out's user time, see docs/benchmarks.md): an open WebSocket session with nothing
    // queued takes the frame built once for all. Its receiver is rx_ while sid_ is empty.
    const std::string_view payload = std::string_view(m.ws_frame).substr(m.ws_header);
    if (sid_.empty() && rx_ && !rx_->congested() && core_.send_escaped_direct(payload.size(), now())) {
        auto& st = counters();
        add(st.messages_out);
        add(st.bytes_out, payload.size());
        static_cast<ws_receiver&>(*rx_).write_framed(payload, m.ws_frame, &batch);
        return;
    }
    batch.send_all();  // what follows may run application code (settle())
    auto self = shared_from_this();
    if (core_.send_escaped(m.literal) == errc::ok) add(counters().messages_out);
    settle();
}

void session_backend::shutdown(int code, std::string_view reason) { close_here(code, reason); }

void session_backend::settle(time_point t, const std::optional<std::string_view>& first) {
    if (settling_) {
        dirty_ = true;  // the outer settle() goes round once more
        return;
    }
    // Every caller holds the session (its own `self`, or the channel's locked listener) for
    // as long as this runs: application code called here may drop every other reference.
    // (Each shared_from_this() is two locked instructions; an echo went through five.)
    settling_ = true;
    // One clock read for the whole round (the caller's): the output it pulls is due at the
    // moment the round began (an echo read the clock three times here; with receive()'s and
    // the loop's reads, ~15 % of the server's user-space samples in a profile of echo).
    if (first) app_message(*first);
    for (;;) {
        dirty_ = false;
        bool any = false;
        while (auto ev = core_.next_event()) {
            any = true;
            dispatch(*ev);
        }
        pump(t);
        if (!any && !dirty_) break;
    }
    settling_ = false;
    if (core_.state() == session_state::closed)
        finish();
    else
        arm_timer();
}

void session_backend::pump(time_point t) {
    while (rx_ && !rx_->congested()) {
        // Queued messages for the WebSocket: the core builds their frame in the connection's
        // buffer behind the header the channel wrote for it, instead of in a buffer of its
        // own passed through the receiver to the channel (a one-client echo's path ran ~25
        // distinct code lines fewer, docs/benchmarks.md "Seventh session").
        if (ws_attached()) {
            if (const std::size_t n = core_.websocket_frame_size()) {
                if (std::string* out = ws_->begin_text(n)) {
                    add(counters().bytes_out, n);
                    const bool more = core_.pull_websocket_frame(*out, t);
                    ws_->end_text();
                    ws_rx_->check_congestion();
                    if (!more) return;
                    continue;
                }
            }
        }
        auto out = core_.pull(t);
        if (out.bytes.empty() && !out.end) return;
        auto r = rx_;
        if (out.end) rx_.reset();  // the core has already released it
        write_to(*r, std::move(out));
    }
}

void session_backend::dispatch(session_event& ev) {
    switch (ev.kind) {
    case session_event::opened: app_open(); break;
    case session_event::message: app_message(ev.data); break;
    case session_event::closed: app_close(ev.code, ev.data); break;
    }
}

void session_backend::arm_timer() {
    if (finished_) return;
    auto deadline = core_.next_deadline();
    if (!deadline) {
        if (timer_id_ != 0) home_.cancel_timer(std::exchange(timer_id_, 0));
        return;
    }
    // A timer that fires no later than needed stays: on_timer() re-arms for what is due next.
    // That keeps the common case (the heartbeat deadline moving later with every frame) free
    // of timer churn.
    if (timer_id_ != 0 && timer_at_ <= *deadline) return;
    if (timer_id_ != 0) home_.cancel_timer(timer_id_);
    timer_at_ = *deadline;
    std::weak_ptr<conn_backend> weak = weak_from_this();
    timer_id_ = home_.add_timer(to_steady(*deadline), [weak] {
        if (auto s = weak.lock()) static_cast<session_backend&>(*s).on_timer();
    });
}

void session_backend::on_timer() {
    timer_id_ = 0;
    if (finished_) return;
    auto self = shared_from_this();
    const auto t = now();
    if (auto d = core_.next_deadline(); d && *d <= t) core_.on_deadline(t);
    settle(t, std::nullopt);
}

void session_backend::finish() {
    if (finished_) return;
    auto self = shared_from_this();
    finished_ = true;
    if (timer_id_ != 0) home_.cancel_timer(std::exchange(timer_id_, 0));
    if (!sid_.empty()) svc_.registry.erase(sid_, this);
    // Defensive: the core announces its close before it expires, so this finds nothing open.
    if (is_open()) app_close(core_.close_code(), core_.close_reason());
    rx_.reset();
    release();
}

}  // namespace sockjs::detail
