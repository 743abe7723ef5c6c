#include "net/http_exchange.hpp"

#include "net/tcp_connection.hpp"
#include "net/response_writer.hpp"

#include <utility>

namespace sockjs::net {

exchange_impl::exchange_impl(const std::shared_ptr<tcp_connection>& c, std::uint64_t id,
                             const http_request& req)
    : conn_(c),
      loop_(c->owner()),
      id_(id),
      http10_(req.http10),
      head_(req.method == "HEAD"),
      keep_alive_(req.keep_alive) {}

exchange_impl::~exchange_impl() {
    if (state_ == state::done) return;
    if (auto c = conn_.lock()) {
        // Not answered: the connection would wait forever. Tell it from the loop, outside
        // whatever code is dropping the last reference.
        const bool started = state_ == state::streaming;
        c->owner().post([w = std::weak_ptr<tcp_connection>(c), id = id_, started] {
            if (auto conn = w.lock()) conn->orphaned_exchange(id, started);
        });
    }
}

void exchange_impl::finish(bool keep_alive) {
    state_ = state::done;
    listener_.reset();
    if (auto c = conn_.lock()) c->finish_exchange(id_, keep_alive);
}

void exchange_impl::respond(int status, const header_list& headers, std::string_view body) {
    if (state_ != state::fresh) return;
    auto c = conn_.lock();
    if (!c || !c->writable()) {
        state_ = state::done;
        return;
    }
    const bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
    std::string& out = c->out();
    append_status_line(out, status);
    const bool close = append_user_headers(out, headers) || !keep_alive_ || c->draining();
    if (!no_body) append_content_length(out, body.size());
    if (close) append_header(out, "Connection", "close");
    else if (http10_) append_header(out, "Connection", "keep-alive");
    out.append("\r\n");
    if (!no_body && !head_) out.append(body);
    c->wrote();
    finish(!close);
}

void exchange_impl::begin_stream(int status, const header_list& headers) {
    if (state_ != state::fresh) return;
    auto c = conn_.lock();
    if (!c || !c->writable()) {
        state_ = state::done;
        return;
    }
    state_ = state::streaming;
    std::string& out = c->out();
    append_status_line(out, status);
    const bool close = append_user_headers(out, headers) || !keep_alive_ || c->draining();
    if (http10_) {
        // HTTP/1.0 has no chunking: the body ends when the connection does.
        stream_closes_ = true;
        append_header(out, "Connection", "close");
    } else {
        append_header(out, "Transfer-Encoding", "chunked");
        stream_closes_ = close;
        if (close) append_header(out, "Connection", "close");
    }
    out.append("\r\n");
    c->wrote();
}

bool exchange_impl::write(std::string_view bytes) {
    if (state_ != state::streaming) return false;
    auto c = conn_.lock();
    if (!c || !c->writable()) return false;
    if (bytes.empty() || head_) return true;  // an empty chunk would end the stream
    std::string& out = c->out();
    if (http10_) out.append(bytes);
    else append_chunk(out, bytes);
    c->wrote();
    return c->writable();
}

void exchange_impl::end_stream() {
    if (state_ != state::streaming) return;
    auto c = conn_.lock();
    if (c && c->writable() && !http10_ && !head_) {
        c->out().append(last_chunk);
        c->wrote();
    }
    finish(!stream_closes_);
}

std::size_t exchange_impl::buffered() const {
    auto c = conn_.lock();
    return c ? c->buffered() : 0;
}

void exchange_impl::listen(std::weak_ptr<exchange_listener> listener) {
    if (state_ != state::done) listener_ = std::move(listener);
}

loop& exchange_impl::owner() {
    return loop_;
}

void exchange_impl::fire_abort() {
    if (state_ == state::done) return;
    state_ = state::done;
    auto l = std::exchange(listener_, {}).lock();
    if (l) l->on_exchange_aborted();
}

void exchange_impl::fire_drain() {
    if (state_ == state::done) return;
    if (auto l = listener_.lock()) l->on_exchange_drained();
}

std::shared_ptr<tcp_connection> exchange_impl::connection_for_upgrade() const {
    if (state_ != state::fresh) return nullptr;
    auto c = conn_.lock();
    return c && c->writable() ? c : nullptr;
}

void exchange_impl::mark_upgraded() {
    state_ = state::done;
    listener_.reset();
}

}  // namespace sockjs::net
