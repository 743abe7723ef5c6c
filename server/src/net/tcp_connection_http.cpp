// HTTP/1.x on a connection: heads, bodies, dispatch to the handler, pipelining (one request
// at a time, in order), and the error answers that end a connection (400/408/413/431/...).

#include "net/tcp_connection.hpp"
#include "net/http_exchange.hpp"
#include "net/response_writer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sockjs::net {

namespace {

// Pipelined input is kept while a response is pending, up to this much; then reading pauses
// until the response is done (a well-behaved client never gets near it).
std::size_t pipeline_limit(const net_options& o) {
    return std::max<std::size_t>(64u << 10, o.max_header_bytes);
}

// glibc keeps freed heap memory (and raises its mmap threshold after a large free, so the next
// big buffers come from the heap too): after a burst (a large body, thousands of sessions
// expiring) RSS would stay at its peak. So the loops hand free pages back with malloc_trim:
// right after a request with a large body, else at most every trim_interval while requests
// come in. Process-wide, since the heap is.
constexpr std::int64_t trim_interval_ms = 2000;

// A body buffer up to this size stays with a keep-alive connection for its next request.
constexpr std::size_t kept_body_capacity = 16u << 10;

void give_back_memory(bool large_body) {
#if defined(__GLIBC__)
    static std::atomic<std::int64_t> last_ms{0};
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    std::int64_t last = last_ms.load(std::memory_order_relaxed);
    if (now - last < (large_body ? 200 : trim_interval_ms)) return;
    if (!last_ms.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
    malloc_trim(0);
#else
    (void)large_body;
#endif
}

}  // namespace

tcp_connection::http_input& tcp_connection::http() {
    if (!http_) {
        const auto& o = loop_.options();
        http_ = std::make_unique<http_input>(reader_limits{o.max_header_bytes, o.max_body_bytes});
    }
    return *http_;
}

void tcp_connection::release_http() {
    if (!processing_) http_.reset();
}

bool tcp_connection::draining() const {
    return loop_.shared().stopping.load(std::memory_order_relaxed);
}

void tcp_connection::schedule_process() {
    if (process_scheduled_ || processing_ || closed()) return;
    process_scheduled_ = true;
    loop_.defer([w = weak_from_this()] {
        if (auto c = w.lock()) {
            c->process_scheduled_ = false;
            c->process_http();
        }
    });
}

void tcp_connection::process_http() {
    if (processing_ || closed() || closing() || handler_) return;
    processing_ = true;
    auto self = shared_from_this();
    const auto& o = loop_.options();
    // Not freed before processing_ is cleared below (release_http()): the handler reads h.req.
    http_input& h = http();
    auto& in = h.in;
    auto& pos = h.pos;
    auto& reader = h.reader;
    auto& req = h.req;
    blocked_on_output_ = false;
    while (!closed() && !closing() && !handler_ && active_id_ == 0) {
        if (h.state == http_state::idle) {
            if (out_.size() > o.write_high_watermark) {
                blocked_on_output_ = true;  // the client pipelines but does not read
                break;
            }
            // Empty lines before a request line are allowed (RFC 9112 section 2.2).
            while (pos < in.size() && (in[pos] == '\r' || in[pos] == '\n')) ++pos;
            if (pos >= in.size()) break;
            req.clear();
            reader.start(req);
            h.state = http_state::head;
        }
        std::size_t used = 0;
        const auto r = reader.feed(std::string_view(in).substr(pos), used);
        pos += used;
        if (r == request_reader::result::error) {
            fail_request(reader.error_status());
            break;
        }
        if (h.state == http_state::body && !reader.content_length() && !charge_body(req.body.size())) {
            fail_request(503);  // chunked: charged as it grows
            break;
        }
        if (r == request_reader::result::need_more) break;
        if (r == request_reader::result::head) {
            req.peer = peer_;
            const auto length = reader.content_length();
            if (!reader.chunked() && length.value_or(0) == 0) continue;  // no body
            // A declared length is charged whole, up front: the total stays bounded however
            // slowly the bodies arrive.
            if (length && !charge_body(static_cast<std::size_t>(*length))) {
                fail_request(503);
                break;
            }
            h.state = http_state::body;
            set_deadline(deadline::body, o.header_timeout);
            if (reader.expect_continue()) {
                out().append("HTTP/1.1 100 Continue\r\n\r\n");
                wrote();
            }
            continue;
        }
        // result::message
        h.state = http_state::idle;
        dispatch();
    }
    processing_ = false;
    if (closed() || handler_) {
        http_.reset();
        return;
    }
    read_paused_ = !closing() && active_id_ != 0 && in.size() - pos > pipeline_limit(o);
    compact_input();  // may free h
    update_interest();
}

// Request bodies held by all connections of the server are bounded together
// (net_options::max_total_body_bytes): many slow uploads cannot take the memory of the host.
bool tcp_connection::charge_body(std::size_t total) {
    if (total <= body_charged_) return true;
    const std::size_t more = total - body_charged_;
    auto& held = loop_.shared().body_bytes;
    const std::size_t before = held.fetch_add(more, std::memory_order_relaxed);
    if (before + more > loop_.options().max_total_body_bytes) {
        held.fetch_sub(more, std::memory_order_relaxed);
        loop_.log("level=warn event=body_limit peer=" + peer_.to_string() +
                  " reason=\"request bodies in progress would exceed max_total_body_bytes (" +
                  std::to_string(loop_.options().max_total_body_bytes) + ")\"");
        return false;
    }
    body_charged_ = total;
    return true;
}

void tcp_connection::release_body() {
    if (body_charged_ == 0) return;
    loop_.shared().body_bytes.fetch_sub(body_charged_, std::memory_order_relaxed);
    body_charged_ = 0;
}

void tcp_connection::compact_input() {
    if (!http_) return;
    auto& in = http_->in;
    auto& pos = http_->pos;
    if (http_->state == http_state::idle && pos >= in.size() && active_id_ != 0) {
        // A response is pending (a long poll, a stream) and nothing else was sent: the
        // connection may idle for long, so the HTTP input goes until bytes arrive. Between
        // keep-alive requests it is kept for the next one.
        http_.reset();
        return;
    }
    if (pos == 0) return;
    if (pos >= in.size()) {
        if (in.capacity() > (16u << 10)) std::string().swap(in);
        else in.clear();
    } else {
        in.erase(0, pos);
        if (in.capacity() > (64u << 10) && in.size() < in.capacity() / 4) in.shrink_to_fit();
    }
    pos = 0;
}

void tcp_connection::dispatch() {
    http_request& req = http_->req;
    const std::uint64_t id = next_id_++;
    auto ex = std::make_shared<exchange_impl>(shared_from_this(), id, req);
    active_ = ex;
    active_id_ = id;
    deadline_kind_ = deadline::none;  // a response may take as long as it takes (long polls)
    const auto& handler = loop_.shared().handler;
    if (!handler) {
        ex->respond(404, {}, "");
        return;
    }
    try {
        handler(ex, req);
    } catch (const std::exception& e) {
        loop_.log(std::string("level=error event=handler_threw what=\"") + e.what() + "\"");
        if (ex->fresh()) ex->respond(500, {}, "Internal Server Error\n");
    }
    // The request was the handler's to copy from. A pending long poll need not keep its
    // headers alive (thousands of them may wait at once), nor anyone a large body; else the
    // next request on the connection reuses the buffers.
    const std::size_t body_size = req.body.capacity();
    if (active_id_ == id || body_size > kept_body_capacity) req = http_request{};
    else req.clear();
    release_body();
    give_back_memory(body_size >= (1u << 20));
}

void tcp_connection::finish_exchange(std::uint64_t id, bool keep_alive) {
    if (id != active_id_ || closed()) return;
    active_id_ = 0;
    active_.reset();
    if (!keep_alive || peer_eof_ || draining()) {
        close_graceful();
        return;
    }
    const auto& o = loop_.options();
    if (http_ && http_->unread()) set_deadline(deadline::head, o.header_timeout);
    else set_deadline(deadline::idle, o.keep_alive_timeout);
    schedule_process();  // pipelined requests, or resume reading
}

void tcp_connection::orphaned_exchange(std::uint64_t id, bool response_started) {
    if (id != active_id_ || closed()) return;
    loop_.log("level=error event=request_dropped peer=" + peer_.to_string() + " reason=\"no response\"");
    active_id_ = 0;
    active_.reset();
    if (response_started) close_graceful();
    else fail_request(500);
}

void tcp_connection::fail_request(int status) {
    if (closed() || closing()) return;
    const std::string_view text = reason_phrase(status);
    std::string& o = out();
    append_status_line(o, status);
    append_header(o, "Content-Type", "text/plain; charset=UTF-8");
    append_content_length(o, text.size() + 1);
    append_header(o, "Connection", "close");
    if (status == 503) append_header(o, "Retry-After", "1");
    o.append("\r\n");
    o.append(text);
    o.push_back('\n');
    wrote();
    release_body();
    if (http_) {
        http_->state = http_state::idle;
        http_->req = http_request{};
    }
    close_graceful();
}

}  // namespace sockjs::net
