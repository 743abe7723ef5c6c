#include "net/event_loop.hpp"

#include "net/direct_syscalls.hpp"

#include "net/tcp_connection.hpp"

#include <Poco/Net/NetException.h>

#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace sockjs::net {

using Poco::Net::PollSet;

namespace {

constexpr auto accept_backoff = std::chrono::milliseconds(100);
constexpr int accepts_per_wakeup = 128;
constexpr int deferred_rounds = 16;

constexpr int max_events_per_wait = 1024;
// How far ahead, in ready events, a connection's memory is prefetched, and how much of it (a
// tcp_connection is ~220 bytes).
constexpr int prefetch_ahead = 3;
constexpr int prefetch_lines = 4;

void log_error(const event_loop& loop, const char* what, const char* detail) {
    loop.log("level=error event=loop_error loop=" + std::to_string(loop.index()) + " what=\"" + what +
             "\" detail=\"" + detail + "\"");
}

std::uint32_t epoll_bits(int mode) {
    std::uint32_t bits = 0;
    if (mode & PollSet::POLL_READ) bits |= EPOLLIN;
    if (mode & PollSet::POLL_WRITE) bits |= EPOLLOUT;
    return bits;  // EPOLLERR and EPOLLHUP are always reported
}

int poll_mode(std::uint32_t events) {
    int mode = 0;
    // A hang-up is read as such: recv() returns 0 or the error.
    if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) mode |= PollSet::POLL_READ;
    if (events & EPOLLOUT) mode |= PollSet::POLL_WRITE;
    if (events & EPOLLERR) mode |= PollSet::POLL_ERROR;
    return mode;
}

}  // namespace

event_loop::event_loop(std::size_t index, server_shared& shared)
    : index_(index), shared_(shared), epfd_(::epoll_create1(EPOLL_CLOEXEC)), ready_(max_events_per_wait),
      scratch_(64u << 10) {
    if (epfd_ < 0) throw Poco::IOException("epoll_create1 failed", errno);
    // POCO 1.11's PollSet has no wakeUp(): other threads send a datagram to this socket.
    wake_.bind(Poco::Net::SocketAddress("127.0.0.1", 0), false);
    wake_.setBlocking(false);
    wake_address_ = wake_.address();
    watch(wake_, PollSet::POLL_READ);
    epoll_event alarm_event{};
    alarm_event.events = EPOLLIN;
    alarm_event.data.ptr = &alarm_;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, alarm_.fd(), &alarm_event) != 0)
        throw Poco::IOException("epoll_ctl(ADD) failed", errno);

    now_ = clock::now();
    const auto& o = shared_.opts;
    const auto shortest = std::min(o.header_timeout, o.keep_alive_timeout);
    sweep_interval_ = std::clamp<clock::duration>(shortest / 4, std::chrono::milliseconds(10),
                                                  std::chrono::milliseconds(1000));
    next_sweep_ = now_ + sweep_interval_;
    next_due_ = next_sweep_;
}

event_loop::~event_loop() {
    stop_and_join();
    // Tasks posted after the loop ended are dropped here; destroying one (an exchange it
    // holds, say) may post again, so take the queue out of the lock a few times over.
    for (int round = 0; round < 8; ++round) {
        std::vector<std::function<void()>> dropped;
        {
            std::lock_guard<std::mutex> lock(posted_mutex_);
            dropped.swap(posted_);
        }
        if (dropped.empty()) break;
    }
    ::close(epfd_);
}

void event_loop::listen(const Poco::Net::SocketAddress& address) {
    listener_.bind(address, true, true);
    listener_.listen(4096);
    listener_.setBlocking(false);
    watch(listener_, PollSet::POLL_READ);
    listening_ = true;
}

std::uint16_t event_loop::port() const {
    return listening_ ? listener_.address().port() : 0;
}

void event_loop::start() {
    thread_ = std::thread([this] {
        thread_id_ = std::this_thread::get_id();
        const std::string name = "sockjs-net-" + std::to_string(index_);
        pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
        run();
    });
}

void event_loop::stop_and_join() {
    if (!thread_.joinable()) return;
    post([this] { stop_ = true; });
    thread_.join();
}

void event_loop::post(std::function<void()> fn) {
    {
        std::lock_guard<std::mutex> lock(posted_mutex_);
        posted_.push_back(std::move(fn));
    }
    // One datagram per batch: whoever flips the flag sends it; the loop clears the flag
    // before taking the queue, so nothing posted after that can be missed.
    if (!wake_pending_.exchange(true)) {
        try {
            wake_.sendTo("w", 1, wake_address_);
        } catch (const Poco::Exception&) {
            // A full socket buffer means the loop has wake-ups pending anyway.
        }
    }
}

std::uint64_t event_loop::add_timer(clock::time_point deadline, std::function<void()> fn) {
    const std::uint64_t id = next_timer_id_.fetch_add(1);
    if (in_loop_thread()) {
        add_timer_here(id, deadline, std::move(fn));
    } else {
        post([this, id, deadline, fn = std::move(fn)]() mutable { add_timer_here(id, deadline, std::move(fn)); });
    }
    return id;
}

void event_loop::add_timer_here(std::uint64_t id, clock::time_point deadline, std::function<void()> fn) {
    timers_.add(id, deadline, std::move(fn));
    next_due_ = std::min(next_due_, deadline);
}

void event_loop::cancel_timer(std::uint64_t id) {
    if (in_loop_thread()) timers_.cancel(id);
    else post([this, id] { timers_.cancel(id); });
}

void event_loop::watch(const Poco::Net::Socket& socket, int mode, tcp_connection* c) {
    epoll_event ev{};
    ev.events = epoll_bits(mode);
    ev.data.ptr = c != nullptr ? static_cast<void*>(c) : static_cast<void*>(socket.impl());
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, socket.impl()->sockfd(), &ev) != 0)
        throw Poco::IOException("epoll_ctl(ADD) failed", errno);
}

void event_loop::rewatch(const Poco::Net::Socket& socket, int mode, tcp_connection* c) {
    epoll_event ev{};
    ev.events = epoll_bits(mode);
    ev.data.ptr = c != nullptr ? static_cast<void*>(c) : static_cast<void*>(socket.impl());
    if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, socket.impl()->sockfd(), &ev) != 0)
        throw Poco::IOException("epoll_ctl(MOD) failed", errno);
}

void event_loop::unwatch(const Poco::Net::Socket& socket) {
    epoll_event ev{};  // ignored, but kernels before 2.6.9 wanted one
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, socket.impl()->sockfd(), &ev);
}

void event_loop::log(std::string_view line) const {
    if (shared_.opts.log) shared_.opts.log(line);
    else std::fprintf(stderr, "sockjs net: %.*s\n", static_cast<int>(line.size()), line.data());
}

void event_loop::mark_dirty(std::shared_ptr<tcp_connection> c) { dirty_.push_back(std::move(c)); }
void event_loop::defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }
void event_loop::forget(tcp_connection* c) {
    if (!connections_.contains(*c)) return;
    retired_.push_back(c->shared_from_this());
    connections_.erase(*c);
}

void event_loop::run() {
    while (!stop_) iterate();
    close_all();
    // Callbacks fired by the closes may have queued work; let it see the closed connections.
    run_deferred();
    if (wake_pending_) run_posted();
    flush_dirty();
    dirty_.clear();
    retired_.clear();
}

int event_loop::wait_timeout() {
    if (!deferred_.empty() || !dirty_.empty() || next_due_ <= now_) return 0;
    alarm_.ring_by(next_due_);
    return -1;
}

void event_loop::iterate() {
    int n = sys::epoll_wait(epfd_, ready_.data(), static_cast<int>(ready_.size()), wait_timeout());
    if (n < 0) {
        if (errno != EINTR) log_error(*this, "epoll_wait failed", std::strerror(errno));
        n = 0;
    }
    now_ = clock::now();

    for (int i = 0; i < n; ++i) {
        // With thousands of connections each is cold in the cache when its event comes up:
        // ask for the memory of a connection a few events ahead (a wasted hint for the loop's
        // own sockets), so the waits overlap this one's work.
        // Then, one event ahead, the memory that connection points to (read from the lines
        // prefetched before).
        if (i + prefetch_ahead < n)
            tcp_connection::prefetch_object(ready_[static_cast<std::size_t>(i + prefetch_ahead)].data.ptr, prefetch_lines);
        if (i + 2 < n) {
            if (const auto* c = connection_at(i + 2)) c->prefetch_handler();
        }
        if (i + 1 < n) {
            if (const auto* c = connection_at(i + 1)) c->prefetch_listener();
        }
        const void* key = ready_[static_cast<std::size_t>(i)].data.ptr;
        const int mode = poll_mode(ready_[static_cast<std::size_t>(i)].events);
        if (key == wake_.impl()) {
            drain_wakeup();
            continue;
        }
        if (key == &alarm_) {
            alarm_.rang();
            continue;
        }
        if (key == listener_.impl()) {
            if (listening_) accept_ready();
            continue;
        }
        // A connection's own tag: it stays allocated until the end of this iteration even if
        // an earlier event closed it (forget() retires it), and then it reads closed(). For
        // the same reason its event needs no reference of its own (two locked instructions
        // and a call each way, per event).
        auto* c = static_cast<tcp_connection*>(const_cast<void*>(key));
        if (c->closed()) continue;
        try {
            c->begin_event();
            if (mode & (PollSet::POLL_READ | PollSet::POLL_ERROR)) c->on_readable();
            if ((mode & PollSet::POLL_WRITE) && !c->closed()) c->on_writable();
            c->end_event();  // what the event wrote to c goes out now
        } catch (const std::exception& e) {
            log_error(*this, "connection event failed", e.what());
            c->close_now();
            c->end_event();  // closed: nothing is sent
        }
    }

    if (wake_pending_.load(std::memory_order_acquire)) run_posted();
    if (now_ >= next_due_) run_due();
    // Called only with work to do: most iterations have none, their connections' output
    // having gone out at the end of each one's event (tcp_connection::begin_event).
    if (!deferred_.empty()) run_deferred();
    if (!dirty_.empty()) flush_dirty();
    if (!retired_.empty()) retired_.clear();
}

void event_loop::run_due() {
    try {
        timers_.run_due(now_);
    } catch (const std::exception& e) {
        log_error(*this, "timer callback threw", e.what());
    }
    if (accept_paused_until_ != clock::time_point{} && now_ >= accept_paused_until_) {
        accept_paused_until_ = {};
        if (listening_) rewatch(listener_, PollSet::POLL_READ);
    }
    if (now_ >= next_sweep_) {
        sweep();
        next_sweep_ = now_ + sweep_interval_;
    }
    // Recomputed from scratch: timers added meanwhile are in timers_, and a cancelled timer
    // that made next_due_ early is gone from its front.
    next_due_ = next_sweep_;
    if (auto t = timers_.next()) next_due_ = std::min(next_due_, *t);
    if (accept_paused_until_ != clock::time_point{}) next_due_ = std::min(next_due_, accept_paused_until_);
}

const tcp_connection* event_loop::connection_at(int i) const {
    const void* key = ready_[static_cast<std::size_t>(i)].data.ptr;
    if (key == wake_.impl() || key == listener_.impl() || key == &alarm_) return nullptr;
    const auto* c = static_cast<const tcp_connection*>(key);
    return c->closed() ? nullptr : c;
}

void event_loop::drain_wakeup() {
    char buf[256];
    for (;;) {
        try {
            if (wake_.receiveBytes(buf, sizeof buf) <= 0) return;
        } catch (const Poco::Exception&) {
            return;
        }
    }
}

void event_loop::run_posted() {
    wake_pending_.store(false, std::memory_order_release);
    {
        std::lock_guard<std::mutex> lock(posted_mutex_);
        running_.swap(posted_);
    }
    for (auto& fn : running_) {
        try {
            fn();
        } catch (const std::exception& e) {
            log_error(*this, "posted task threw", e.what());
        }
    }
    running_.clear();
}

void event_loop::run_deferred() {
    std::vector<std::function<void()>> batch;
    for (int round = 0; round < deferred_rounds && !deferred_.empty(); ++round) {
        batch.swap(deferred_);
        for (auto& fn : batch) {
            try {
                fn();
            } catch (const std::exception& e) {
                log_error(*this, "deferred task threw", e.what());
            }
        }
        batch.clear();
    }
}

void event_loop::flush_dirty() {
    flushing_.swap(dirty_);
    for (auto& c : flushing_) {
        try {
            c->flush();
        } catch (const std::exception& e) {
            log_error(*this, "flush failed", e.what());
            c->close_now();
        }
    }
    flushing_.clear();
}

void event_loop::accept_ready() {
    const auto& o = shared_.opts;
    for (int i = 0; i < accepts_per_wakeup; ++i) {
        Poco::Net::SocketAddress peer;
        Poco::Net::StreamSocket socket;
        try {
            socket = listener_.acceptConnection(peer);
        } catch (const Poco::Exception& e) {
            const int err = e.code();
            if (err == EAGAIN || err == EWOULDBLOCK) return;
            if (err == ECONNABORTED || err == EINTR || err == EPROTO) continue;
            // Out of descriptors or memory: the listener stays readable, so stop polling it
            // for a moment instead of spinning.
            log_error(*this, "accept failed, pausing", e.displayText().c_str());
            rewatch(listener_, 0);
            accept_paused_until_ = now_ + accept_backoff;
            next_due_ = std::min(next_due_, accept_paused_until_);
            return;
        }
        // Over the limit: accept and close at once, so the backlog does not fill with
        // connections that would wait forever.
        bool refuse = shared_.stopping.load();
        if (!refuse && shared_.connections.fetch_add(1) >= o.max_connections) {
            shared_.connections.fetch_sub(1);
            shared_.refused.fetch_add(1, std::memory_order_relaxed);
            refuse = true;
        }
        if (refuse) {
            try {
                socket.close();
            } catch (const Poco::Exception&) {
            }
            continue;
        }
        try {
            socket.setBlocking(false);
            socket.setNoDelay(true);
        } catch (const Poco::Exception&) {
            shared_.connections.fetch_sub(1);
            continue;  // the peer is already gone
        }
        auto c = std::make_shared<tcp_connection>(*this, std::move(socket), peer);
        connections_.insert(c);
        c->start();
    }
}

void event_loop::sweep() {
    std::vector<std::shared_ptr<tcp_connection>> due;
    for (const auto& c : connections_)
        if (c->deadline_due(now_)) due.push_back(c);
    for (auto& c : due) c->on_deadline();
}

void event_loop::close_all() {
    if (listening_) {
        try {
            unwatch(listener_);
            listener_.close();
        } catch (const Poco::Exception&) {
        }
        listening_ = false;
    }
    for (auto& c : connections_.snapshot()) c->close_now();
}

}  // namespace sockjs::net
