#include "event_loop.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bench {

tcp_connection::~tcp_connection() { close(); }

void tcp_connection::connect() {
    if (fd_ >= 0 || queued_) return;
    queued_ = true;
    loop_->queue_.push_back(this);
}

void tcp_connection::open_now() {
    queued_ = false;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        fail(std::string("socket: ") + std::strerror(errno));
        return;
    }
    int one = 1;
    // Closed-loop echo sends one small message and waits: Nagle would add its delay to it.
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connected_ = false;
    out_.clear();
    out_pos_ = 0;
    sockaddr_in to = loop_->server_;
    if (port_ != 0) to.sin_port = htons(port_);
    int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    if (rc < 0 && errno != EINPROGRESS) {
        int e = errno;
        ::close(fd_);
        fd_ = -1;
        fail(std::string("connect: ") + std::strerror(e));
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.ptr = this;
    writing_ = true;
    ::epoll_ctl(loop_->epfd_, EPOLL_CTL_ADD, fd_, &ev);
    ++loop_->connecting_;
    ++loop_->open_;
}

void tcp_connection::close() noexcept {
    if (queued_) {
        // Not opened yet: drop the queued connect (rare, so a scan is fine).
        auto& q = loop_->queue_;
        std::replace(q.begin() + static_cast<std::ptrdiff_t>(loop_->queue_head_), q.end(), this,
                     static_cast<tcp_connection*>(nullptr));
        queued_ = false;
    }
    if (fd_ < 0) return;
    if (!connected_) --loop_->connecting_;
    --loop_->open_;
    ::epoll_ctl(loop_->epfd_, EPOLL_CTL_DEL, fd_, nullptr);
    ::close(fd_);
    fd_ = -1;
    connected_ = false;
    writing_ = false;
    out_.clear();
    out_pos_ = 0;
}

void tcp_connection::fail(std::string_view why) {
    close();
    on_closed(why);
}

void tcp_connection::want_write(bool on) {
    if (writing_ == on) return;
    writing_ = on;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0u);
    ev.data.ptr = this;
    ::epoll_ctl(loop_->epfd_, EPOLL_CTL_MOD, fd_, &ev);
}

void tcp_connection::write(std::string_view bytes) {
    if (fd_ < 0) return;
    if (!connected_ || out_pos_ < out_.size()) {
        out_.append(bytes);
        return;
    }
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            fail(std::string("send: ") + std::strerror(errno));
            return;
        }
        n = 0;
    }
    if (static_cast<std::size_t>(n) < bytes.size()) {
        out_.assign(bytes.substr(static_cast<std::size_t>(n)));
        out_pos_ = 0;
        want_write(true);
    }
}

void tcp_connection::flush() {
    while (out_pos_ < out_.size()) {
        ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            fail(std::string("send: ") + std::strerror(errno));
            return;
        }
        out_pos_ += static_cast<std::size_t>(n);
    }
    out_.clear();
    out_pos_ = 0;
    want_write(false);
}

void tcp_connection::handle(std::uint32_t events) {
    if (fd_ < 0) return;  // closed earlier in this batch
    if (!connected_) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            fail(std::string("connect: ") + std::strerror(err));
            return;
        }
        connected_ = true;
        --loop_->connecting_;
        on_connected();
        if (fd_ < 0) return;
        if (out_pos_ < out_.size()) flush();
        else want_write(false);
        return;
    }
    if (events & EPOLLOUT) {
        flush();
        if (fd_ < 0) return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
        ssize_t n = ::recv(fd_, loop_->buf_.data(), loop_->buf_.size(), 0);
        if (n > 0) {
            on_bytes(std::string_view(loop_->buf_.data(), static_cast<std::size_t>(n)));
        } else if (n == 0) {
            fail("closed by server");
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            fail(std::string("recv: ") + std::strerror(errno));
        }
    }
}

event_loop::event_loop(const sockaddr_in& server, std::size_t max_connecting)
    : server_(server), max_connecting_(max_connecting), epfd_(::epoll_create1(EPOLL_CLOEXEC)),
      now_(clock::now()), buf_(256 * 1024) {
    if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

event_loop::~event_loop() { ::close(epfd_); }

void event_loop::start_queued() {
    while (queue_head_ < queue_.size() && connecting_ < max_connecting_) {
        tcp_connection* c = queue_[queue_head_++];
        if (c != nullptr) c->open_now();
    }
    if (queue_head_ == queue_.size()) {
        queue_.clear();
        queue_head_ = 0;
    }
}

void event_loop::poll_once(int timeout_ms) {
    start_queued();
    epoll_event events[512];
    int n = ::epoll_wait(epfd_, events, 512, timeout_ms);
    now_ = clock::now();
    for (int i = 0; i < n; ++i) static_cast<tcp_connection*>(events[i].data.ptr)->handle(events[i].events);
}

bool event_loop::run_until(const std::function<bool()>& done, clock::time_point deadline) {
    while (!done()) {
        auto now = clock::now();
        if (now >= deadline) return done();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
        poll_once(static_cast<int>(std::clamp<long long>(left, 0, 5)));
    }
    return true;
}

void event_loop::run_for(clock::duration d, const std::function<bool()>& stop) {
    auto deadline = clock::now() + d;
    run_until([&] { return stop && stop(); }, deadline);
}

}  // namespace bench
