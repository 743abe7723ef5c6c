#include "net/tcp_connection.hpp"

#include "net/direct_syscalls.hpp"
#include "net/http_exchange.hpp"
#include "net/response_writer.hpp"
#include "net/send_batch.hpp"

#include <Poco/Net/PollSet.h>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>

namespace sockjs::net {

using Poco::Net::PollSet;

namespace {

// After our FIN, how long we keep reading (and discarding) so the peer is not reset before it
// has read the last response.
constexpr auto linger_time = std::chrono::seconds(1);
constexpr int reads_per_event = 8;

// Reads and writes go to the descriptor directly, not through StreamSocket's
// receiveBytes/sendBytes: POCO 1.11 throws on EAGAIN even for a non-blocking socket (so a
// full socket buffer cost an exception), and its checks and error mapping were ~150 of the
// ~750 instructions per delivery of a broadcast (callgrind). The result: the byte count, or
// io_would_block, or io_failed (reset, or any other error: the peer is gone).
constexpr long io_would_block = -1;
constexpr long io_failed = -2;

long io_result(ssize_t n) {
    if (n >= 0) return static_cast<long>(n);
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return io_would_block;
    return io_failed;
}

long send_some(int fd, const char* data, std::size_t n) {
    return io_result(sys::send(fd, data, std::min<std::size_t>(n, INT_MAX / 2), MSG_NOSIGNAL));
}

}  // namespace

tcp_connection::tcp_connection(event_loop& owner, Poco::Net::StreamSocket socket,
                               const Poco::Net::SocketAddress& peer)
    : loop_(owner), socket_(std::move(socket)), fd_(socket_.impl()->sockfd()), peer_(peer) {}

tcp_connection::~tcp_connection() {
    if (!closed()) {
        // Only reachable if the loop died without close_all(); still release the descriptor.
        try {
            socket_.close();
        } catch (const Poco::Exception&) {
        }
        loop_.shared().connections.fetch_sub(1);
        release_body();
    }
}

void tcp_connection::start() {
    if (loop_.shared().tls) tls_ = std::make_unique<tls_session>(*loop_.shared().tls);
    interest_ = PollSet::POLL_READ | PollSet::POLL_ERROR;
    loop_.watch(socket_, interest_, this);
    set_deadline(deadline::head, loop_.options().header_timeout);
}

void tcp_connection::set_deadline(deadline kind, clock::duration d) {
    deadline_kind_ = kind;
    deadline_ = loop_.now() + d;
}

void tcp_connection::set_handler_deadline(clock::time_point t) {
    deadline_kind_ = deadline::handler;
    deadline_ = t;
}

void tcp_connection::on_readable() {
    // No reference held here: the loop keeps a connection closed during its event until
    // the iteration ends (event_loop::forget).
    for (int round = 0; round < reads_per_event && !closed() && !peer_eof_; ++round) {
        const long n = io_result(sys::recv(fd_, loop_.scratch(), loop_.scratch_size(), 0));
        if (n == io_would_block) return;
        if (n == io_failed) {
            close_now();  // reset or other error: the peer is gone
            return;
        }
        if (n == 0) {
            on_peer_eof();
            return;
        }
        if (tls_) {
            on_cipher(loop_.scratch(), static_cast<std::size_t>(n));
            if (closed() || peer_eof_) return;
        } else if (!closing()) {
            on_bytes(loop_.scratch(), static_cast<std::size_t>(n));
        }
        if (static_cast<std::size_t>(n) < loop_.scratch_size()) return;
    }
}

void tcp_connection::on_bytes(const char* data, std::size_t n) {
    if (handler_) {
        if (upgrade_input_) feed_upgrade_input();
        // No reference taken for the call: a handler the call closes is let go of only later
        // in the loop's iteration (notify_gone()).
        if (handler_ && !closing()) handler_->on_bytes({data, n});
        return;
    }
    const auto& o = loop_.options();
    http_input& h = http();
    if (h.state == http_state::body) {
        set_deadline(deadline::body, o.header_timeout);  // a body must keep arriving
    } else if (deadline_kind_ == deadline::idle) {
        set_deadline(deadline::head, o.header_timeout);  // a new head starts its clock
    }
    h.in.append(data, n);
    process_http();
}

void tcp_connection::on_cipher(const char* data, std::size_t n) {
    if (!tls_input_seen_ && n > 0) {
        tls_input_seen_ = true;
        // A TLS connection opens with a handshake record (content type 22); an uppercase
        // letter is an HTTP method: someone typed http:// for an https:// URL.
        if (data[0] >= 'A' && data[0] <= 'Z') {
            refuse_plain_http();
            return;
        }
    }
    tls_->feed(data, n);
    // Plaintext goes through a buffer of its own: the scratch buffer still holds `data`. One
    // TLS record is at most 16 KiB of plaintext.
    thread_local char plain[16384];
    const bool was_done = tls_->handshake_done();
    for (;;) {
        std::size_t got = 0;
        const auto st = tls_->read(plain, sizeof plain, got);
        if (st == tls_session::status::data) {
            if (!closing()) on_bytes(plain, got);
            if (closed()) return;
            continue;
        }
        if (st == tls_session::status::peer_closed) {
            on_peer_eof();  // close_notify: the peer's end of the stream
            return;
        }
        if (st == tls_session::status::error) {
            tls_failed();
            return;
        }
        break;
    }
    // Handshake records, session tickets, or plaintext written before the handshake ended.
    if (!tls_->cipher().empty() || (!was_done && tls_->handshake_done() && !out_.empty())) {
        schedule_flush();
    }
}

// A failed handshake (no shared protocol, an untrusted client certificate, not TLS at all)
// or a broken record: the alert OpenSSL queued is sent, then the connection closes.
void tcp_connection::tls_failed() {
    loop_.log("level=info event=tls_failed peer=" + peer_.to_string() + " reason=\"" + tls_->error_text() + "\"");
    out_.clear();
    if (tls_->cipher().empty()) {
        close_now();
        return;
    }
    peer_eof_ = true;  // nothing more will be read from it
    close_graceful();
}

void tcp_connection::refuse_plain_http() {
    loop_.log("level=info event=plain_http_on_tls peer=" + peer_.to_string());
    // Answered in plain text, as nginx and Go's net/http do, so the user sees why instead of
    // an empty reply; then the connection closes without reading the request.
    tls_.reset();
    constexpr std::string_view body = "This port speaks HTTPS: the request was sent in plain HTTP.\n";
    std::string& out = out_.tail();
    append_status_line(out, 400);
    append_header(out, "Content-Type", "text/plain; charset=UTF-8");
    append_header(out, "Content-Length", std::to_string(body.size()));
    append_header(out, "Connection", "close");
    out.append("\r\n").append(body);
    wrote();
    peer_eof_ = true;  // nothing more will be read from it
    close_graceful();
}

bool tcp_connection::has_output() const {
    if (!tls_) return !out_.empty();
    return !tls_->cipher().empty() || (!out_.empty() && tls_->handshake_done());
}

// Encrypts at most a few records ahead of the socket, so a large plaintext buffer is not
// doubled in memory; returns false when the connection was closed.
bool tcp_connection::flush_tls() {
    constexpr std::size_t encrypt_ahead = 64u << 10;
    auto& cipher = tls_->cipher();
    if (closing() && out_.empty() && phase_ != phase::lingering) tls_->close_notify();
    for (;;) {
        if (cipher.empty()) {
            if (out_.empty() || !tls_->handshake_done()) return true;
            const std::size_t chunk = std::min(out_.size(), encrypt_ahead);
            if (!tls_->encrypt(out_.data(), chunk)) {
                close_now();
                return false;
            }
            out_.consume(chunk);
            if (closing() && out_.empty() && phase_ != phase::lingering) tls_->close_notify();
            continue;
        }
        const long n = send_some(fd_, cipher.data(), cipher.size());
        if (n == io_failed) {
            close_now();
            return false;
        }
        if (n <= 0) return true;
        cipher.consume(static_cast<std::size_t>(n));
    }
}

void tcp_connection::feed_upgrade_input() {
    if (closed() || closing() || !handler_ || !upgrade_input_) return;
    const std::unique_ptr<std::string> bytes = std::move(upgrade_input_);
    auto h = handler_;
    h->on_bytes(*bytes);
}

void tcp_connection::on_peer_eof() {
    peer_eof_ = true;
    if (closing()) {
        if (!has_output() || phase_ == phase::lingering) close_now();
        else update_interest();  // keep flushing, stop reading
        return;
    }
    if (handler_) {
        close_now();  // the channel reports 1006
        return;
    }
    // Requests already received are still answered if they can be answered now; a response
    // still pending means the peer gave up on it (an aborted long poll or stream).
    process_http();
    if (closed()) return;
    if (active_id_ != 0) {
        close_now();
        return;
    }
    close_graceful();
}

void tcp_connection::on_writable() {
    flush();
}

void tcp_connection::wrote() {
    if (phase_ == phase::closed || phase_ == phase::doomed) return;
    // Output larger than an emptied buffer keeps goes to the socket now, not at the end of the
    // loop's iteration: a burst of new streams in one iteration (each a head and a 2 KiB
    // prelude) would otherwise hold all their buffers at once, and that peak of the heap stays
    // in the process as RSS (2,000 held xhr-streaming sessions: 2,758 -> 2,525 bytes each,
    // docs/benchmarks.md). Small writes still wait for the flush, which batches them. A
    // socket that did not take everything (a slow reader) is not tried again per write: the
    // flush and POLLOUT take over.
    if (!tls_ && !send_blocked_ && out_.size() > out_buffer::keep_capacity && !(interest_ & PollSet::POLL_WRITE))
        send_early();
    const auto& o = loop_.options();
    if (phase_ == phase::doomed) {
        // the peer is gone: closed at the flush below
    } else if (out_.size() > o.write_hard_limit) {
        loop_.log("level=warn event=write_limit peer=" + peer_.to_string() + " unsent=" + std::to_string(out_.size()) +
                  " write_hard_limit=" + std::to_string(o.write_hard_limit) + " reason=\"the peer is not reading\"");
        // Closed at the flush, not here: the caller is in the middle of a write and must not
        // see its abort/close callbacks fire inside it.
        phase_ = phase::doomed;
        out_.clear();
    } else if (out_.size() > o.write_low_watermark) {
        drain_armed_ = true;
    }
    schedule_flush();
}

void tcp_connection::schedule_flush() {
    if (dirty_) return;
    dirty_ = true;
    // Inside its own event the loop flushes it when the event ends: no reference taken, no
    // entry in the dirty list (a one-client echo's loop ran that list for one connection).
    if (!in_event_) loop_.mark_dirty(shared_from_this());
}

void tcp_connection::send_early() {
    const long n = send_some(fd_, out_.data(), out_.size());
    if (n == io_failed) {
        // Closed at the flush, not here: the writer must not see its callbacks fire inside it.
        phase_ = phase::doomed;
        out_.clear();
        return;
    }
    if (n > 0) out_.consume(static_cast<std::size_t>(n));  // emptied: its memory goes back
    send_blocked_ = !out_.empty();
}

void tcp_connection::send_now(std::string_view bytes) {
    if (phase_ != phase::open) return;
    if (!tls_ && out_.empty()) {
        const long n = send_some(fd_, bytes.data(), bytes.size());
        if (n != static_cast<long>(bytes.size())) after_short_send(n, bytes);
        return;
    }
    out_.tail().append(bytes);
    wrote();
}

void tcp_connection::after_short_send(long result, std::string_view bytes) {
    if (result == io_failed) {
        phase_ = phase::doomed;
        schedule_flush();
        return;
    }
    const std::size_t sent = result > 0 ? static_cast<std::size_t>(result) : 0;
    out_.tail().append(bytes.substr(sent));
    wrote();
}

// ---- send_batch (net/send_batch.hpp) -------------------------------------------------------

void send_batch::add(tcp_connection& c) { items_.push_back({c.fd(), &c}); }

void send_batch::send_all() {
    const long want = static_cast<long>(frame_.size());
    for (const item& i : items_) {
        const long n = send_some(i.fd, frame_.data(), frame_.size());
        if (n != want) i.conn->after_short_send(n, frame_);
    }
    items_.clear();
}

void tcp_connection::flush() {
    dirty_ = false;
    send_blocked_ = false;
    if (closed()) return;
    if (phase_ == phase::doomed) {
        close_now();
        return;
    }
    if (tls_) {
        if (!flush_tls()) return;
    }
    while (!tls_ && !out_.empty()) {
        const long n = send_some(fd_, out_.data(), out_.size());
        if (n == io_failed) {
            close_now();
            return;
        }
        if (n <= 0) break;  // the socket buffer is full: wait for POLLOUT
        out_.consume(static_cast<std::size_t>(n));
    }
    const auto& o = loop_.options();
    if (drain_armed_ && buffered() <= o.write_low_watermark) {
        drain_armed_ = false;
        fire_drain();
        if (closed()) return;
    }
    if (closing() && !has_output() && phase_ != phase::lingering) {
        if (peer_eof_) close_now();
        else begin_linger();
        return;
    }
    // Upgraded or waiting for a response to continue (a stream): small messages still fit.
    if (handler_ || active_id_ != 0) out_.trim(idle_keep_capacity);
    if (blocked_on_output_ && out_.size() <= o.write_high_watermark) schedule_process();
    update_interest();
}

// Not inlined: inside the loop's function its few hot instructions were spread over as many
// code lines again (bench/footprint.py: 141 lines per echoed message out of line, 153 inlined).
[[gnu::noinline]] void tcp_connection::end_event() {
    in_event_ = false;
    if (!dirty_) return;
    // The usual end of an echo's event in a few code lines rather than flush()'s many
    // branches: an open plain connection that is reading, with no drain armed and no request
    // waiting on its output, whose socket takes the whole buffer. flush() would do exactly
    // this and leave the interest as it is; anything else goes through it.
    constexpr int reading = PollSet::POLL_READ | PollSet::POLL_ERROR;
    if (phase_ == phase::open && !tls_ && !out_.empty() && interest_ == reading && !drain_armed_ &&
        !blocked_on_output_ && !peer_eof_ && !read_paused_) {
        const long n = send_some(fd_, out_.data(), out_.size());
        if (n == static_cast<long>(out_.size())) {
            dirty_ = false;
            send_blocked_ = false;
            out_.clear();  // all of it sent: what consume(n) would do, without its other cases
            if (handler_ || active_id_ != 0) out_.trim(idle_keep_capacity);
            return;
        }
        if (n > 0) out_.consume(static_cast<std::size_t>(n));  // flush() sends the rest or waits
    }
    flush();
}

void tcp_connection::fire_drain() {
    if (handler_) {
        auto h = handler_;
        h->on_drained();
    } else if (auto ex = active_.lock()) {
        ex->fire_drain();
    }
}

void tcp_connection::update_interest() {
    if (closed()) return;
    int want = PollSet::POLL_ERROR;
    if (!peer_eof_ && !read_paused_) want |= PollSet::POLL_READ;
    // While a flush is scheduled, it decides about POLLOUT itself.
    if (has_output() && !dirty_) want |= PollSet::POLL_WRITE;
    if (want == interest_) return;
    try {
        loop_.rewatch(socket_, want, this);
        interest_ = want;
    } catch (const Poco::Exception&) {
        close_now();
    }
}

void tcp_connection::close_graceful() {
    if (phase_ != phase::open) return;
    auto self = shared_from_this();
    phase_ = phase::closing;
    read_paused_ = false;  // keep reading: EOF or reset ends the linger early
    notify_gone();
    if (closed()) return;
    set_deadline(deadline::flush, loop_.options().keep_alive_timeout);
    if (tls_ && out_.empty()) tls_->close_notify();
    if (!has_output()) {
        if (peer_eof_) close_now();
        else begin_linger();
        return;
    }
    update_interest();
}

// The connection is going away: the pending response (if any) hears an abort and an upgraded
// handler hears that its transport closed, each exactly once.
void tcp_connection::notify_gone() {
    if (active_id_ != 0) {
        active_id_ = 0;
        if (auto ex = active_.lock()) ex->fire_abort();
    }
    active_.reset();
    if (handler_) {
        auto h = std::move(handler_);
        h->on_transport_closed();
        // Released later in this iteration, not here: its own on_bytes() may be what closed
        // the connection, still on the stack.
        loop_.defer([h = std::move(h)] {});
    }
}

void tcp_connection::begin_linger() {
    phase_ = phase::lingering;
    try {
        socket_.shutdownSend();
    } catch (const Poco::Exception&) {
        close_now();
        return;
    }
    set_deadline(deadline::linger, linger_time);
    update_interest();
}

void tcp_connection::close_now() {
    if (closed()) return;
    auto self = shared_from_this();
    phase_ = phase::closed;
    deadline_kind_ = deadline::none;
    try {
        loop_.unwatch(socket_);
    } catch (const Poco::Exception&) {
    }
    try {
        socket_.close();
    } catch (const Poco::Exception&) {
    }
    fd_ = -1;
    loop_.forget(this);
    loop_.shared().connections.fetch_sub(1);
    out_.clear();
    upgrade_input_.reset();
    release_http();
    release_body();
    notify_gone();
}

void tcp_connection::on_deadline() {
    auto self = shared_from_this();
    const deadline kind = deadline_kind_;
    deadline_kind_ = deadline::none;
    switch (kind) {
    case deadline::none:
        return;
    case deadline::head:
        // Part of a head arrived but not all of it in time (slowloris): 408. A connection
        // that never sent anything is just closed.
        if (http_ && (http_->state == http_state::head || http_->unread())) fail_request(408);
        else close_now();
        return;
    case deadline::body:
        fail_request(408);
        return;
    case deadline::idle:
        if (has_output()) set_deadline(deadline::idle, loop_.options().keep_alive_timeout);
        else close_now();
        return;
    case deadline::flush:
    case deadline::linger:
        close_now();
        return;
    case deadline::handler:
        if (handler_) {
            auto h = handler_;
            h->on_deadline();
        } else {
            close_now();
        }
        return;
    }
}

void tcp_connection::upgrade(std::shared_ptr<stream_handler> h) {
    handler_ = std::move(h);
    active_id_ = 0;
    active_.reset();
    deadline_kind_ = deadline::none;
    read_paused_ = false;
    blocked_on_output_ = false;
    if (http_) {
        // The request itself is still the handler's to read: process_http() frees it.
        if (http_->unread()) upgrade_input_ = std::make_unique<std::string>(http_->in, http_->pos);
        std::string().swap(http_->in);
        http_->pos = 0;
        http_->state = http_state::idle;
    }
    if (upgrade_input_) {
        // Handed over after the caller of accept_websocket() has set its callbacks.
        loop_.defer([w = weak_from_this()] {
            if (auto c = w.lock()) c->feed_upgrade_input();
        });
    }
    update_interest();
}

}  // namespace sockjs::net
