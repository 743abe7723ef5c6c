#pragma once
// One event loop: a thread, an epoll set, a listening socket of its own
// (SO_REUSEPORT: the kernel spreads accepted connections over the loops), a wake-up socket
// for post(), timers, and the connections accepted on it.

#include "net/live_set.hpp"
#include "net/loop_alarm.hpp"
#include "net/net.hpp"
#include "net/tls.hpp"
#include "net/timer_heap.hpp"

#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/PollSet.h>  // the POLL_* interest bits connections pass to watch()
#include <Poco/Net/ServerSocket.h>

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sockjs::net {

class tcp_connection;

/// What every loop of one net_server shares.
struct server_shared {
    net_options opts;
    http_handler handler;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::uint64_t> refused{0};  ///< connections closed at accept: over max_connections
    std::atomic<bool> stopping{false};
    std::unique_ptr<tls_context> tls;  ///< set when opts.tls is enabled
    /// Request body bytes held by all connections (bounded by net_options::max_total_body_bytes).
    std::atomic<std::size_t> body_bytes{0};
};

class event_loop final : public loop {
public:
    using clock = std::chrono::steady_clock;

    event_loop(std::size_t index, server_shared& shared);
    ~event_loop() override;
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;

    /// Binds and listens (SO_REUSEADDR + SO_REUSEPORT). Call before start().
    void listen(const Poco::Net::SocketAddress& address);
    std::uint16_t port() const;
    void start();
    /// Stops accepting, closes every connection (callbacks fire on the loop thread), joins.
    void stop_and_join();

    void post(std::function<void()> fn) override;
    std::uint64_t add_timer(clock::time_point deadline, std::function<void()> fn) override;
    void cancel_timer(std::uint64_t id) override;
    std::size_t index() const override { return index_; }
    bool is_current() const noexcept override { return in_loop_thread(); }

    // For connections; loop thread only.
    const net_options& options() const { return shared_.opts; }
    server_shared& shared() { return shared_; }
    clock::time_point now() const noexcept override { return now_; }
    char* scratch() { return scratch_.data(); }
    std::size_t scratch_size() const { return scratch_.size(); }
    /// Interest in `socket` as PollSet::POLL_* bits. Events come back tagged with `c`, the
    /// connection the socket belongs to (null: the loop's own sockets, tagged with
    /// socket.impl()), so that an event reaches its connection without a map lookup.
    void watch(const Poco::Net::Socket& socket, int mode, tcp_connection* c = nullptr);
    void rewatch(const Poco::Net::Socket& socket, int mode, tcp_connection* c = nullptr);
    void unwatch(const Poco::Net::Socket& socket);
    /// The connection has output to send: flushed once at the end of this iteration, which
    /// gathers every write made while handling this iteration's events into one send().
    /// Output a connection's own event writes to it skips the list: the loop flushes it when
    /// that event ends (tcp_connection::begin_event).
    void mark_dirty(std::shared_ptr<tcp_connection> c);
    /// Runs `fn` later in this iteration, outside the caller's stack.
    void defer(std::function<void()> fn);
    /// The connection is closed: the loop lets go of it at the end of this iteration, not
    /// before, since events of this iteration's wait may still name it (they find it closed).
    void forget(tcp_connection* c);
    bool in_loop_thread() const { return std::this_thread::get_id() == thread_id_.load(); }
    std::size_t local_connections() const { return connections_.size(); }
    /// One line to net_options::log (stderr without one).
    void log(std::string_view line) const;

private:
    void run();
    void iterate();
    void accept_ready();
    void drain_wakeup();
    void run_posted();
    void run_deferred();
    void flush_dirty();
    /// The open connection the ready event `i` names (null: one of the loop's own sockets).
    const tcp_connection* connection_at(int i) const;
    /// Timers due, the end of an accept pause, the sweep; then the next time any is due.
    void run_due();
    void add_timer_here(std::uint64_t id, clock::time_point deadline, std::function<void()> fn);
    void sweep();
    void close_all();
    /// The epoll_wait timeout: 0 when work is pending, else -1 with the alarm set by the
    /// loop's next deadline.
    int wait_timeout();

    std::size_t index_;
    server_shared& shared_;
    // epoll directly rather than Poco::Net::PollSet: PollSet::poll() builds a std::map of
    // Socket copies (an allocation and two atomic counts per ready socket) under a mutex on
    // every wait, ~400 instructions per echoed message (callgrind).
    int epfd_ = -1;
    std::vector<epoll_event> ready_;
    Poco::Net::ServerSocket listener_;
    bool listening_ = false;
    clock::time_point accept_paused_until_{};
    Poco::Net::DatagramSocket wake_;
    Poco::Net::SocketAddress wake_address_;
    std::atomic<bool> wake_pending_{false};

    std::mutex posted_mutex_;
    std::vector<std::function<void()>> posted_;
    std::vector<std::function<void()>> running_;  // swapped with posted_, reused
    std::vector<std::function<void()>> deferred_;
    std::vector<std::shared_ptr<tcp_connection>> dirty_;
    std::vector<std::shared_ptr<tcp_connection>> flushing_;

    timer_heap timers_;
    loop_alarm alarm_;
    std::atomic<std::uint64_t> next_timer_id_{1};
    clock::time_point now_;
    clock::time_point next_sweep_;
    // The earliest of the next timer, the sweep and the end of an accept pause (or earlier:
    // a cancelled timer's time): one comparison per iteration when nothing is due, where
    // the three checks and the timer heap's look-up each took a few code lines of their own.
    clock::time_point next_due_;
    clock::duration sweep_interval_;

    // Owns the loop's connections (an epoll event names its connection directly). A vector
    // with swap-remove, not a hash map keyed by socket: a held connection costs 16 bytes here
    // instead of a 32-byte node, its bucket and malloc's overhead.
    live_set<tcp_connection> connections_;
    std::vector<std::shared_ptr<tcp_connection>> retired_;  // forgotten this iteration
    std::vector<char> scratch_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::atomic<std::thread::id> thread_id_{};
};

}  // namespace sockjs::net
