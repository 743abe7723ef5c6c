// The server-side session state machine. Every state change of a server session happens in
// this file; session.hpp documents the rules.
#include <sockjs/session.hpp>

#include <sockjs/frame.hpp>
#include <sockjs/json_escape.hpp>
#include <sockjs/wrap.hpp>

#include "payload_decode.hpp"

#include <utility>

namespace sockjs {

namespace {

constexpr int code_another_connection = 2010;
constexpr std::string_view reason_another_connection = "Another connection still open";
constexpr int code_interrupted = 1002;
constexpr std::string_view reason_interrupted = "Connection interrupted";
constexpr int code_normal = 1000;
constexpr std::string_view reason_normal = "Normal closure";
constexpr int code_overflow = 1013;
constexpr std::string_view reason_overflow = "Send queue overflow";
// A client that stops receiving (including a polling client that closed) is only noticed
// by the disconnect timeout; for the application that is the normal end of a session.
constexpr int code_timeout = 1000;
constexpr std::string_view reason_timeout = "Session timed out";

// A queue that grew this large for a burst is given back rather than kept per session.
constexpr std::size_t keep_capacity = 64 * 1024;

// The queue is the `a[...]` frame being built: `a[`, then the escaped messages. Makes it
// ready for one more.
void open_slot(std::string& queue) {
    // append, not assign: on an empty string they do the same, and append is the one
    // string member the rest of the per-message path already runs (a WebSocket echo's code
    // lines, docs/benchmarks.md).
    if (queue.empty())
        queue.append("a[", 2);
    else
        queue += ',';
}

}  // namespace

server_session::server_session(const session_limits& limits, time_point now)
    : limits_(limits), now_(now), last_frame_(now), detached_at_(now), closing_at_(now) {}

void server_session::seen(time_point now) noexcept {
    if (now > now_) now_ = now;
}

receiver_output server_session::attach(transport t, std::string_view callback, time_point now) {
    seen(now);
    receiver_output out;
    if (state_ == session_state::closing || state_ == session_state::closed) {
        // Replay: the new receiver gets the close frame (after any messages an application
        // close left queued, if it is the first to come) and ends. It never becomes *the*
        // receiver, so the session's own receiver, if any, is untouched.
        if (receiver_) {
            append_wrapped(out.bytes, t, close_frame(close_code_, close_reason_), callback);
            out.end = true;
            return out;
        }
        receiver_ = receiver{t, std::string(callback), 0};
        last_frame_ = now;
        produce(out, now);
        return out;
    }
    if (receiver_) {
        append_wrapped(out.bytes, t,
                       close_frame(code_another_connection, reason_another_connection), callback);
        out.end = true;
        return out;
    }
    receiver_ = receiver{t, std::string(callback), 0};
    last_frame_ = now;
    heartbeat_due_ = false;
    if (state_ == session_state::connecting) {
        state_ = session_state::open;
        events_.push_back(session_event{session_event::opened, {}, 0});
        write_frame(out, open_frame, now);
        // Polling ends after its one frame; websocket carries one frame per message.
        if (!is_streaming(t)) {
            release_receiver(out, now);
            return out;
        }
        if (t == transport::websocket) return out;
    }
    produce(out, now);
    return out;
}

void server_session::detach(bool aborted, time_point now) {
    seen(now);
    if (!receiver_) return;
    receiver_.reset();
    detached_at_ = now;
    heartbeat_due_ = false;
    if (aborted && state_ == session_state::open)
        enter_closing(code_interrupted, reason_interrupted, false, now);
}

void server_session::websocket_closed(int code, time_point now) {
    seen(now);
    if (!receiver_) return;
    if (code == 1000 || code == 1001) close(code_normal, reason_normal);
    detach(true, now);
}

receiver_output server_session::pull(time_point now) {
    seen(now);
    receiver_output out;
    if (receiver_) produce(out, now);
    return out;
}

void server_session::produce(receiver_output& out, time_point now) {
    while (receiver_) {
        const transport t = receiver_->t;
        if (!queue_.empty()) {
            queue_.push_back(']');  // the queue is now the whole frame
            if (t == transport::websocket && out.bytes.empty()) {
                // The frame is the WebSocket message: hand the queue's buffer over without a
                // copy (recycle() gives it back for the next one).
                out.bytes.swap(queue_);
                queue_.clear();
                receiver_->bytes_sent += out.bytes.size();
                last_frame_ = now;
                heartbeat_due_ = false;
            } else {
                write_frame(out, queue_, now);
                if (queue_.capacity() > keep_capacity)
                    std::string().swap(queue_);
                else
                    queue_.clear();  // keeps its buffer for the next burst
            }
        } else if (state_ == session_state::closing || state_ == session_state::closed) {
            write_frame(out, close_frame(close_code_, close_reason_), now);
            release_receiver(out, now);
            return;
        } else if (heartbeat_due_ || now >= last_frame_ + limits_.heartbeat_delay) {
            write_frame(out, heartbeat_frame, now);
        } else {
            return;
        }
        if (!is_streaming(t) ||
            (t != transport::websocket && receiver_->bytes_sent >= limits_.response_limit)) {
            release_receiver(out, now);
            return;
        }
        if (t == transport::websocket) return;
    }
}

bool server_session::pull_websocket_frame(std::string& out, time_point now) {
    seen(now);
    // What produce() does for a websocket receiver with messages queued, built in the
    // caller's buffer instead of handed over in the queue's.
    // In the queue's buffer: `out` grows once, to the frame's size. append, not push_back:
    // the frame's path then runs one std::string function out of line, not two (two code
    // lines fewer per echoed message, bench/footprint.py).
    queue_.append("]", 1);
    out.append(queue_);
    receiver_->bytes_sent += queue_.size();
    last_frame_ = now;
    heartbeat_due_ = false;
    if (queue_.capacity() > keep_capacity)
        std::string().swap(queue_);
    else
        queue_.clear();  // keeps its buffer for the next message
    // What produce() would find next: with the queue empty and a heartbeat just restarted,
    // only a close frame (or a heartbeat configured to follow every frame).
    return state_ != session_state::open || limits_.heartbeat_delay <= millis::zero();
}

void server_session::write_frame(receiver_output& out, std::string_view f, time_point now) {
    const std::size_t before = out.bytes.size();
    append_wrapped(out.bytes, receiver_->t, f, receiver_->callback);
    receiver_->bytes_sent += out.bytes.size() - before;
    last_frame_ = now;
    heartbeat_due_ = false;
}

void server_session::release_receiver(receiver_output& out, time_point now) {
    out.end = true;
    receiver_.reset();
    detached_at_ = now;
    heartbeat_due_ = false;
}

void server_session::recycle(std::string&& bytes) noexcept {
    if (queue_.empty() && bytes.capacity() > queue_.capacity() && bytes.capacity() <= keep_capacity) {
        bytes.clear();
        queue_.swap(bytes);
    }
}

errc server_session::send(std::string_view message) {
    if (state_ != session_state::open) return errc::session_not_open;
    const std::size_t before = queue_.size();
    open_slot(queue_);
    append_json_string(queue_, message);
    if (queued_bytes() > limits_.max_queued_bytes) {
        queue_.resize(before);
        enter_closing(code_overflow, reason_overflow, false, now_);
        return errc::queue_full;
    }
    return errc::ok;
}

errc server_session::send_escaped(std::string_view json_literal) {
    if (state_ != session_state::open) return errc::session_not_open;
    const std::size_t needed = queued_bytes() + (queue_.empty() ? 0 : 1) + json_literal.size();
    if (needed > limits_.max_queued_bytes) {
        enter_closing(code_overflow, reason_overflow, false, now_);
        return errc::queue_full;
    }
    open_slot(queue_);
    queue_ += json_literal;
    return errc::ok;
}

bool server_session::send_escaped_direct(std::size_t frame_bytes, time_point now) noexcept {
    if (state_ != session_state::open || !receiver_ || receiver_->t != transport::websocket || !queue_.empty())
        return false;
    seen(now);
    receiver_->bytes_sent += frame_bytes;
    last_frame_ = now;
    heartbeat_due_ = false;
    return true;
}

void server_session::terminate(int code, std::string_view reason, time_point now) {
    seen(now);
    if (receiver_) {
        receiver_.reset();
        detached_at_ = now;
        heartbeat_due_ = false;
    }
    if (state_ == session_state::closing || state_ == session_state::closed) return;
    enter_closing(code, reason, false, now);
}

void server_session::close(int code, std::string_view reason) {
    if (state_ == session_state::closing || state_ == session_state::closed) return;
    enter_closing(code, reason, true, now_);
}

void server_session::enter_closing(int code, std::string_view reason, bool keep_queue,
                                   time_point now) {
    const bool was_open = state_ == session_state::open;
    state_ = session_state::closing;
    close_code_ = code;
    close_reason_.assign(reason);
    heartbeat_due_ = false;
    closing_at_ = now;
    if (!keep_queue) std::string().swap(queue_);
    if (was_open) push_closed_event();
}

void server_session::push_closed_event() {
    events_.push_back(session_event{session_event::closed, close_reason_, close_code_});
}

errc server_session::receive(std::string_view body, payload_format format, time_point now) {
    seen(now);
    // Straight into the event queue (no vector per message); dropped again on error, or when
    // the session is not open (the body is still checked).
    const std::size_t before = events_.size();
    const errc e = detail::decode_messages_with(
        body, format,
        [this]() -> std::string& {
            return events_.emplace_back(session_event{session_event::message, {}, 0}).data;
        },
        limits_.max_message_size);
    if (e != errc::ok || state_ != session_state::open) events_.resize(before);
    return e;
}

errc server_session::receive_direct(std::string_view body, payload_format format, time_point now,
                                    std::string& scratch, std::optional<std::string_view>& message) {
    message.reset();
    std::string_view lone;
    if (state_ == session_state::open && events_head_ == events_.size() &&
        detail::decode_lone_message(body, format, scratch, limits_.max_message_size, lone)) {
        seen(now);
        message = lone;
        return errc::ok;
    }
    return receive(body, format, now);
}

std::optional<session_event> server_session::next_event() {
    if (events_head_ >= events_.size()) return std::nullopt;
    session_event e = std::move(events_[events_head_++]);
    if (events_head_ == events_.size()) {
        events_head_ = 0;
        // A burst (a POST carrying many messages) does not stay allocated once taken.
        if (events_.capacity() > 4) std::vector<session_event>().swap(events_);
        else events_.clear();
    }
    return e;
}

std::optional<time_point> server_session::next_deadline() const noexcept {
    switch (state_) {
    case session_state::connecting:
        return detached_at_ + limits_.disconnect_delay;
    case session_state::open:
        if (!receiver_) return detached_at_ + limits_.disconnect_delay;
        if (heartbeat_due_) return std::nullopt;
        return last_frame_ + limits_.heartbeat_delay;
    case session_state::closing:
        return expiry();
    case session_state::closed:
        break;
    }
    return std::nullopt;
}

time_point server_session::expiry() const noexcept {
    // Like sockjs-node, a closing session lives on for disconnect_delay after closing began
    // or after its last receiver left, whichever is later, so that the close frame reaches a
    // client that reconnects promptly.
    return (closing_at_ > detached_at_ ? closing_at_ : detached_at_) + limits_.disconnect_delay;
}

void server_session::on_deadline(time_point now) {
    seen(now);
    switch (state_) {
    case session_state::connecting:
        // Never attached: nothing was opened, so nothing to report; just expire.
        if (now >= detached_at_ + limits_.disconnect_delay) {
            state_ = session_state::closed;
            close_code_ = code_timeout;
            close_reason_.assign(reason_timeout);
        }
        return;
    case session_state::open:
        if (receiver_) {
            if (now >= last_frame_ + limits_.heartbeat_delay) heartbeat_due_ = true;
        } else if (now >= detached_at_ + limits_.disconnect_delay) {
            enter_closing(code_timeout, reason_timeout, false, now);
        }
        return;
    case session_state::closing:
        if (now >= expiry()) {
            state_ = session_state::closed;
            std::string().swap(queue_);
        }
        return;
    case session_state::closed:
        return;
    }
}

}  // namespace sockjs
