#pragma once
// The driver behind sockjs::client::connection: one thread that owns the core's
// client_session, feeds it what the I/O threads report, carries out what it asks for (start
// or stop a transport, send a payload) and hands its events to the application.
//
// Locking: m_ guards the session and everything the application's threads can reach. The
// driver never holds it while it starts, stops or joins I/O threads or calls a handler, since
// those threads and handlers take it too.

#include <sockjs/client/connection.hpp>
#include <sockjs/reconnect.hpp>

#include "endpoint.hpp"
#include "info_fetch.hpp"
#include "io_event.hpp"
#include "transport_io.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <thread>
#include <vector>

namespace sockjs::client {

class connection::impl final : public detail::io_sink, public std::enable_shared_from_this<impl> {
public:
    impl(detail::endpoint ep, options opts, event_handlers h);
    ~impl();

    /// Starts the driver thread (it keeps the impl alive while it runs).
    void start();
    /// Asks the driver to stop and joins it, unless called on the driver thread itself (a
    /// handler destroying its connection), where the thread is left to finish on its own.
    void shutdown();

    void post(detail::io_event e) override;

    errc send(std::string_view message);
    errc close(int code, std::string_view reason);
    bool flush(millis timeout);
    std::optional<event> next_event(millis timeout);
    sockjs::ready_state state() const;
    std::string transport() const;
    std::string last_error() const;
    const std::string& url() const noexcept { return ep_.url; }

private:
    using clock = std::chrono::steady_clock;

    // An event for the application and the readyState it sees while the event is dispatched:
    // the session's as of that event (it may have decided more since: a close frame that
    // came in the same chunk as a message).
    struct dispatch {
        event e;
        sockjs::ready_state state;
    };

    struct action {
        enum kind_t { start_info, stop_info, start_transport, stop_transport, reopen_receiver, send } kind;
        client_transport transport = client_transport::websocket;
        detail::transport_context ctx;
        std::string payload;
    };

    time_point now() const;
    clock::time_point to_clock(time_point t) const;

    // All with m_ held.
    void new_session(time_point now);
    detail::transport_context context(std::uint64_t generation) const;
    std::optional<time_point> next_wake() const;
    void apply(detail::io_event& e, time_point now);
    void collect(std::vector<action>& acts, std::vector<dispatch>& out, time_point now);
    void start_waiting(time_point now);

    // Driver thread only, without m_.
    void run();
    void execute(std::vector<action>& acts);
    void deliver(std::vector<dispatch>& out);

    const detail::endpoint ep_;
    const options opts_;
    const event_handlers handlers_;
    const clock::time_point epoch_ = clock::now();

    mutable std::mutex m_;
    std::condition_variable cv_;         // wakes the driver
    std::condition_variable events_cv_;  // wakes next_event() and flush()
    std::optional<client_session> session_;
    reconnect_policy reconnect_;
    std::mt19937_64 random_;
    std::deque<detail::io_event> inbox_;
    std::deque<event> events_;
    std::uint64_t generation_ = 0;      // last one handed out
    std::uint64_t info_gen_ = 0;        // the /info request that counts (0: none)
    std::uint64_t transport_gen_ = 0;   // the transport that counts (0: none)
    bool wake_ = false;                 // the application changed something
    bool shutdown_ = false;
    bool finished_ = false;             // the final close event was handed out
    bool send_in_flight_ = false;       // a payload is with the transport's send thread
    bool closed_by_application_ = false;  // close() was called on this session
    time_point info_started_{};         // for the /info round trip
    std::optional<millis> reconnect_delay_;  // the policy's wait, once the close event is out
    std::optional<std::pair<int, std::string>> deferred_close_;  // close() before the next session exists
    std::optional<time_point> reconnect_at_;
    std::optional<sockjs::ready_state> dispatching_;  // while a handler runs: what state() says
    std::string transport_name_;
    std::string last_error_;

    // Driver thread only.
    std::unique_ptr<detail::info_fetch> info_;
    std::unique_ptr<detail::transport_io> transport_;
    std::thread driver_;
};

}  // namespace sockjs::client
