#include "receivers.hpp"

#include "session_backend.hpp"

#include <atomic>

namespace sockjs::detail {

namespace {
std::atomic<std::uint64_t> next_receiver_id{1};
}  // namespace

receiver::receiver() : id_(next_receiver_id.fetch_add(1, std::memory_order_relaxed)) {}

// ---- http_receiver --------------------------------------------------------------------------

http_receiver::http_receiver(std::shared_ptr<net::exchange> ex, transport t, http_response head,
                             std::string prelude, std::weak_ptr<conn_backend> session,
                             net::loop& home, std::size_t high_watermark)
    : ex_(std::move(ex)),
      ex_loop_(ex_->owner()),
      session_(std::move(session)),
      home_(home),
      high_watermark_(high_watermark),
      streaming_(is_streaming(t)),
      unsent_(std::make_unique<unsent>(unsent{std::move(head), std::move(prelude)})) {}

void http_receiver::arm() {
    ex_->listen(std::shared_ptr<net::exchange_listener>(shared_from_this(),
                                                         static_cast<net::exchange_listener*>(this)));
}

void http_receiver::write(std::string&& bytes, bool end, int, std::string_view) {
    if (on_loop(ex_loop_)) {
        write_here(std::move(bytes), end);
        return;
    }
    post_to(ex_loop_, [self = shared_from_this(), b = std::move(bytes), end]() mutable {
        self->write_here(std::move(b), end);
    });
}

void http_receiver::write_here(std::string bytes, bool end) {
    if (done_) return;
    if (!streaming_) {
        http_response& r = unsent_->head;
        r.body += bytes;
        if (end) {
            done_ = true;
            ex_->respond(r.status, r.headers, r.body);
            unsent_.reset();
        }
        return;
    }
    if (unsent_) {
        // Written once: a held stream keeps neither the head nor the 2 KiB prelude.
        const std::unique_ptr<unsent> u = std::move(unsent_);
        ex_->begin_stream(u->head.status, u->head.headers);
        // The prelude is a chunk of its own: the suite reads it with one read().
        if (!u->prelude.empty() && !ex_->write(u->prelude)) return lost();
    }
    if (!bytes.empty() && !ex_->write(bytes)) return lost();
    if (end) {
        done_ = true;
        ex_->end_stream();
        return;
    }
    if (!congested_.load(std::memory_order_relaxed) && ex_->buffered() > high_watermark_)
        congested_.store(true, std::memory_order_release);
}

void http_receiver::lost() {
    if (done_) return;
    done_ = true;
    // Always posted, even on the same loop: the session may be in the middle of a write.
    post_to(home_, [s = session_, id = id()] {
        if (auto p = s.lock()) static_cast<session_backend&>(*p).receiver_gone(id, true);
    });
}

void http_receiver::on_exchange_drained() {
    // The connection reports every crossing of its low watermark; the session waits for one
    // only after this receiver said it was congested.
    if (!congested_.load(std::memory_order_relaxed)) return;
    congested_.store(false, std::memory_order_release);
    if (done_) return;
    post_to(home_, [s = session_, id = id()] {
        if (auto p = s.lock()) static_cast<session_backend&>(*p).resume(id);
    });
}

// ---- ws_receiver ----------------------------------------------------------------------------

void ws_receiver::write(std::string&& bytes, bool end, int close_code, std::string_view close_reason) {
    if (!bytes.empty()) ws_->send_valid_text(bytes);  // a SockJS frame: JSON, every string escaped
    if (end) {
        ws_->close(close_code != 0 ? close_code : 1000, close_reason);
        return;
    }
    check_congestion();
}

void ws_receiver::write_framed(std::string_view payload, std::string_view frame, net::send_batch* batch) {
    ws_->send_text_framed(payload, frame, batch);
    check_congestion();
}

void ws_receiver::check_congestion() {
    // The channel reports the drain once per crossing of its low watermark, to its listener.
    if (!congested_ && ws_->buffered() > high_watermark_) congested_ = true;
}

}  // namespace sockjs::detail
