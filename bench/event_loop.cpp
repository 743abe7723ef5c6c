#include "event_loop.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bench {

namespace {

std::string tls_error(std::string_view what) {
    std::string s(what);
    char buf[256];
    for (unsigned long e; (e = ERR_get_error()) != 0;) {
        ERR_error_string_n(e, buf, sizeof buf);
        s.append(": ").append(buf);
    }
    return s;
}

}  // namespace

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
    // No close_notify: the benchmark ends its sessions by closing the socket, as before.
    SSL_free(ssl_);
    ssl_ = nullptr;
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
    std::string why;
    long n = send_some(bytes.data(), bytes.size(), why);
    if (n < 0) {
        fail(why);
        return;
    }
    if (static_cast<std::size_t>(n) < bytes.size()) {
        out_.assign(bytes.substr(static_cast<std::size_t>(n)));
        out_pos_ = 0;
        want_write(true);
    }
}

void tcp_connection::flush() {
    while (out_pos_ < out_.size()) {
        std::string why;
        long n = send_some(out_.data() + out_pos_, out_.size() - out_pos_, why);
        if (n < 0) {
            fail(why);
            return;
        }
        if (n == 0) return;
        out_pos_ += static_cast<std::size_t>(n);
    }
    out_.clear();
    out_pos_ = 0;
    want_write(false);
}

long tcp_connection::send_some(const char* data, std::size_t n, std::string& why) {
    if (ssl_ == nullptr) {
        ssize_t sent = ::send(fd_, data, n, MSG_NOSIGNAL);
        if (sent >= 0) {
            loop_->bytes_out_ += static_cast<std::uint64_t>(sent);
            return sent;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        why = std::string("send: ") + std::strerror(errno);
        return -1;
    }
    ERR_clear_error();
    int sent = SSL_write(ssl_, data, static_cast<int>(std::min<std::size_t>(n, 1 << 30)));
    if (sent > 0) {
        loop_->bytes_out_ += static_cast<std::uint64_t>(sent);
        return sent;
    }
    int e = SSL_get_error(ssl_, sent);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) return 0;
    why = tls_error(e == SSL_ERROR_SYSCALL ? std::string("send: ") + std::strerror(errno) : "tls write");
    return -1;
}

long tcp_connection::recv_some(char* data, std::size_t n, std::string& why) {
    if (ssl_ == nullptr) {
        ssize_t got = ::recv(fd_, data, n, 0);
        if (got > 0) {
            loop_->bytes_in_ += static_cast<std::uint64_t>(got);
            return got;
        }
        if (got == 0) return -1;  // why stays empty: the peer closed
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
        why = std::string("recv: ") + std::strerror(errno);
        return -1;
    }
    ERR_clear_error();
    int got = SSL_read(ssl_, data, static_cast<int>(std::min<std::size_t>(n, 1 << 30)));
    if (got > 0) {
        loop_->bytes_in_ += static_cast<std::uint64_t>(got);
        return got;
    }
    int e = SSL_get_error(ssl_, got);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    // A close_notify, or the socket closed without one: both end the connection.
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)) return -1;
    why = tls_error(e == SSL_ERROR_SYSCALL ? std::string("recv: ") + std::strerror(errno) : "tls read");
    return -1;
}

void tcp_connection::connected() {
    connected_ = true;
    --loop_->connecting_;
    on_connected();
    if (fd_ < 0) return;
    if (out_pos_ < out_.size()) flush();
    else want_write(false);
}

bool tcp_connection::start_tls() {
    ssl_ = SSL_new(loop_->tls_);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1 ||
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), loop_->tls_host_.c_str()) != 1) {
        fail(tls_error("tls setup"));
        return false;
    }
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_connect_state(ssl_);
    return true;
}

void tcp_connection::handshake() {
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
        connected();
        return;
    }
    int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_READ) want_write(false);
    else if (e == SSL_ERROR_WANT_WRITE) want_write(true);
    else {
        long v = SSL_get_verify_result(ssl_);
        std::string why = tls_error("tls handshake");
        if (v != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(v) + ")";
        fail(why);
    }
}

void tcp_connection::handle(std::uint32_t events) {
    if (fd_ < 0) return;  // closed earlier in this batch
    if (!connected_) {
        if (ssl_ != nullptr) {
            handshake();
            return;
        }
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            fail(std::string("connect: ") + std::strerror(err));
            return;
        }
        if (loop_->tls_ == nullptr) connected();
        else if (start_tls()) handshake();
        return;
    }
    if (events & EPOLLOUT) {
        flush();
        if (fd_ < 0) return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
        // One read per event (the socket is level-triggered), but TLS may hold decrypted bytes
        // the socket no longer signals: those are read at once.
        do {
            std::string why;
            long n = recv_some(loop_->buf_.data(), loop_->buf_.size(), why);
            if (n < 0) fail(why.empty() ? "closed by server" : why);
            if (n <= 0) return;
            on_bytes(std::string_view(loop_->buf_.data(), static_cast<std::size_t>(n)));
        } while (fd_ >= 0 && ssl_ != nullptr && SSL_pending(ssl_) > 0);
    }
}

event_loop::event_loop(const sockaddr_in& server, std::size_t max_connecting)
    : server_(server), max_connecting_(max_connecting), epfd_(::epoll_create1(EPOLL_CLOEXEC)),
      now_(clock::now()), buf_(256 * 1024) {
    if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

event_loop::~event_loop() {
    ::close(epfd_);
    SSL_CTX_free(tls_);
}

void event_loop::use_tls(const std::string& ca_file) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) throw std::runtime_error(tls_error("SSL_CTX_new"));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
        SSL_CTX_free(ctx);
        throw std::runtime_error(tls_error("cannot load the CA file " + ca_file));
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    char host[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &server_.sin_addr, host, sizeof host);
    tls_host_ = host;
    SSL_CTX_free(tls_);
    tls_ = ctx;
}

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
