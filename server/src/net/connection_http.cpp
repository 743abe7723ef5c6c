// HTTP/1.x on a connection: heads, bodies, dispatch to the handler, pipelining (one request
// at a time, in order), and the error answers that end a connection (400/408/413/431/...).

#include "net/connection.hpp"
#include "net/http_exchange.hpp"
#include "net/response_writer.hpp"

#include <algorithm>
#include <cstdio>

namespace sockjs::net {

namespace {

// Pipelined input is kept while a response is pending, up to this much; then reading pauses
// until the response is done (a well-behaved client never gets near it).
std::size_t pipeline_limit(const net_options& o) {
    return std::max<std::size_t>(64u << 10, o.max_header_bytes);
}

}  // namespace

bool connection::draining() const {
    return loop_.shared().stopping.load(std::memory_order_relaxed);
}

void connection::schedule_process() {
    if (process_scheduled_ || processing_ || closed_) return;
    process_scheduled_ = true;
    loop_.defer([w = weak_from_this()] {
        if (auto c = w.lock()) {
            c->process_scheduled_ = false;
            c->process_http();
        }
    });
}

void connection::process_http() {
    if (processing_ || closed_ || closing_ || handler_) return;
    processing_ = true;
    auto self = shared_from_this();
    const auto& o = loop_.options();
    blocked_on_output_ = false;
    while (!closed_ && !closing_ && !handler_ && active_id_ == 0) {
        if (state_ == http_state::head) {
            if (out_.size() > o.write_high_watermark) {
                blocked_on_output_ = true;  // the client pipelines but does not read
                break;
            }
            // Empty lines before a request line are allowed (RFC 9112 section 2.2).
            while (in_pos_ < in_.size() && (in_[in_pos_] == '\r' || in_[in_pos_] == '\n')) ++in_pos_;
            if (in_pos_ >= in_.size()) break;
            const std::string_view avail(in_.data() + in_pos_, in_.size() - in_pos_);
            const std::size_t from = head_scan_ > in_pos_ + 3 ? head_scan_ - in_pos_ - 3 : 0;
            const std::size_t end = find_head_end(avail, from);
            if (end == std::string_view::npos) {
                if (avail.size() > o.max_header_bytes) fail_request(431);
                else head_scan_ = in_.size();
                break;
            }
            if (end > o.max_header_bytes) {
                fail_request(431);
                break;
            }
            req_ = http_request{};
            const int status = parse_request_head(avail.substr(0, end), req_, framing_);
            if (status != 0) {
                fail_request(status);
                break;
            }
            in_pos_ += end;
            head_scan_ = in_pos_;
            req_.peer = peer_;
            if (framing_.kind == body_kind::length) {
                if (framing_.length > o.max_body_bytes) {
                    fail_request(413);
                    break;
                }
                body_left_ = framing_.length;
                req_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, 64u << 10)));
                state_ = http_state::body_length;
            } else if (framing_.kind == body_kind::chunked) {
                dechunk_.emplace(o.max_body_bytes, o.max_header_bytes);
                state_ = http_state::body_chunked;
            }
            if (state_ != http_state::head) {
                set_deadline(deadline::body, o.header_timeout);
                if (framing_.expect_continue) {
                    out().append("HTTP/1.1 100 Continue\r\n\r\n");
                    wrote();
                }
            }
        }
        if (state_ == http_state::body_length) {
            const std::size_t n = static_cast<std::size_t>(
                std::min<std::uint64_t>(body_left_, in_.size() - in_pos_));
            req_.body.append(in_, in_pos_, n);
            in_pos_ += n;
            body_left_ -= n;
            if (body_left_ > 0) break;
        } else if (state_ == http_state::body_chunked) {
            std::size_t used = 0;
            const auto st = dechunk_->feed(std::string_view(in_).substr(in_pos_), req_.body, used);
            in_pos_ += used;
            if (st == chunked_decoder::status::need_more) break;
            if (st != chunked_decoder::status::done) {
                fail_request(st == chunked_decoder::status::too_large ? 413 : 400);
                break;
            }
            dechunk_.reset();
        }
        state_ = http_state::head;
        head_scan_ = in_pos_;
        dispatch();
    }
    processing_ = false;
    if (closed_ || handler_) return;
    compact_input();
    read_paused_ = !closing_ && active_id_ != 0 && in_.size() > pipeline_limit(o);
    update_interest();
}

void connection::compact_input() {
    if (in_pos_ == 0) return;
    if (in_pos_ >= in_.size()) {
        // While a response is pending (a long poll, a stream) the connection may stay idle
        // for long: give the buffer back. Between keep-alive requests it is reused.
        if (active_id_ != 0 || in_.capacity() > (16u << 10)) std::string().swap(in_);
        else in_.clear();
    } else {
        in_.erase(0, in_pos_);
    }
    head_scan_ = head_scan_ > in_pos_ ? head_scan_ - in_pos_ : 0;
    in_pos_ = 0;
}

void connection::dispatch() {
    const std::uint64_t id = next_id_++;
    auto ex = std::make_shared<exchange_impl>(shared_from_this(), id, req_);
    active_ = ex;
    active_id_ = id;
    deadline_kind_ = deadline::none;  // a response may take as long as it takes (long polls)
    const auto& handler = loop_.shared().handler;
    if (!handler) {
        ex->respond(404, {}, "");
        return;
    }
    try {
        handler(ex, req_);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sockjs net: request handler threw: %s\n", e.what());
        if (ex->fresh()) ex->respond(500, {}, "Internal Server Error\n");
    }
    // The request was the handler's to copy from; a pending long poll need not keep its
    // headers alive (thousands of them may wait at once).
    req_ = http_request{};
}

void connection::finish_exchange(std::uint64_t id, bool keep_alive) {
    if (id != active_id_ || closed_) return;
    active_id_ = 0;
    active_.reset();
    if (!keep_alive || peer_eof_ || draining()) {
        close_graceful();
        return;
    }
    const auto& o = loop_.options();
    if (in_pos_ < in_.size()) set_deadline(deadline::head, o.header_timeout);
    else set_deadline(deadline::idle, o.keep_alive_timeout);
    schedule_process();  // pipelined requests, or resume reading
}

void connection::orphaned_exchange(std::uint64_t id, bool response_started) {
    if (id != active_id_ || closed_) return;
    std::fprintf(stderr, "sockjs net: a request was dropped without a response\n");
    active_id_ = 0;
    active_.reset();
    if (response_started) close_graceful();
    else fail_request(500);
}

void connection::fail_request(int status) {
    if (closed_ || closing_) return;
    const std::string_view text = reason_phrase(status);
    std::string& o = out();
    append_status_line(o, status);
    append_header(o, "Content-Type", "text/plain; charset=UTF-8");
    append_content_length(o, text.size() + 1);
    append_header(o, "Connection", "close");
    o.append("\r\n");
    o.append(text);
    o.push_back('\n');
    wrote();
    state_ = http_state::head;
    close_graceful();
}

}  // namespace sockjs::net
