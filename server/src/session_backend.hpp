#pragma once
// One SockJS session on its home loop: the core's server_session plus the I/O around it
// (current receiver, one loop timer, application events).
//
// Threading decision: a session is owned by one loop (the loop of the request that created
// it) and only that loop's thread touches it, so it needs no lock. A request for the session
// that arrives on another loop (SO_REUSEPORT spreads connections) is handed to the home loop
// with post(); the session's output for a receiver on another loop is posted back to the
// receiver's loop (see receivers.hpp). Posts are FIFO, so frames keep their order.
//
// After every change (attach, detach, receive, send, close, timer) settle() delivers the
// core's events to the application, pumps output into the receiver until the core has nothing
// more (or the receiver is congested), and re-arms the timer at the core's next deadline. An
// expired session leaves the registry and frees everything.

#include "conn_backend.hpp"
#include "receivers.hpp"

#include <sockjs/session.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sockjs::detail {

class session_backend final : public conn_backend, private net::ws_listener {
public:
    /// `sid` empty: a WebSocket session (not registered).
    session_backend(service_impl& svc, net::loop& home, std::string sid, transport opened_by);
    ~session_backend() override;

    const std::string& sid() const noexcept { return sid_; }
    /// The IP address of the request that created the session, kept only under
    /// service_options::bind_session_to_address (null otherwise: most sessions need none); set
    /// before the session is registered, constant afterwards.
    std::unique_ptr<const std::string> opener_address;

    // ---- home loop ----
    /// A receiving request (its head/prelude not yet written; see http_receiver).
    void attach(std::shared_ptr<receiver> r, transport t, std::string callback);
    /// The WebSocket of a WebSocket session (accepted on this loop).
    void attach_websocket(std::shared_ptr<net::ws_channel> ws);
    /// The receiver `id` went away before the session ended it.
    void receiver_gone(std::uint64_t id, bool aborted);
    /// The receiver `id` drained: pull again.
    void resume(std::uint64_t id);
    /// An xhr_send / jsonp_send body (already unwrapped from a form). Returns the core's
    /// verdict for send_response().
    errc receive(std::string_view body);

    void deliver_broadcast(const broadcast_message& m, net::send_batch& batch) override;
    void shutdown(int code, std::string_view reason) override;
    bool has_connection() const noexcept override { return sid_.empty() ? !finished_ : rx_ != nullptr; }

protected:
    bool send_here(std::string_view message) override;
    void close_here(int code, std::string_view reason) override;

private:
    /// attach(), once any receiver the session still holds had its chance to report its end.
    void attach_in_order(std::shared_ptr<receiver> r, transport t, const std::string& callback);
    // The WebSocket's listener (home loop).
    void on_ws_message(std::string&& message) override;
    void on_ws_closed(int code, std::string_view reason) override;
    void on_ws_drained() override;
    /// True while the WebSocket is this session's receiver.
    bool ws_attached() const noexcept { return ws_rx_ && rx_.get() == &*ws_rx_; }
    void settle() {
        if (settling_) dirty_ = true;  // the outer round goes round once more (no clock read)
        else settle(now(), std::nullopt);
    }
    /// `t`: the time the round runs at, read by the caller when it has just read the clock.
    /// `first`: a message the core let through without queueing it (receive_direct()), handed
    /// to the application before any event.
    void settle(time_point t, const std::optional<std::string_view>& first);
    void pump(time_point t);
    void dispatch(session_event& ev);
    void arm_timer();
    void on_timer();
    void finish();
    void write_to(receiver& r, receiver_output&& out);
    time_point now() const noexcept;

    std::string sid_;
    server_session core_;
    std::shared_ptr<receiver> rx_;
    /// A WebSocket session's channel, held until its on_ws_closed (not just while it is the
    /// receiver): net must not find itself without an owner while closing.
    std::shared_ptr<net::ws_channel> ws_;
    /// A WebSocket session's receiver, a member rather than an allocation of its own (held
    /// sessions' memory): rx_ points here without owning anything (see attach_websocket).
    std::optional<ws_receiver> ws_rx_;
    std::uint64_t timer_id_ = 0;
    time_point timer_at_{};
    bool settling_ = false;
    bool dirty_ = false;
    bool finished_ = false;
};

}  // namespace sockjs::detail
