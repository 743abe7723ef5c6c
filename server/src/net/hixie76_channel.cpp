// hixie-76 WebSockets on a connection: the 101 head was written by accept_websocket(); the
// 16-byte challenge answer follows once the client's 8 key bytes are in.

#include "net/websocket_channel.hpp"

#include <sockjs/utf8.hpp>

#include <algorithm>

namespace sockjs::net {

hixie76_channel::hixie76_channel(const std::shared_ptr<tcp_connection>& c, std::string key1,
                                 std::string key2, std::size_t max_message)
    : ws_channel_base(c), key1_(std::move(key1)), key2_(std::move(key2)), parser_(max_message) {}

bool hixie76_channel::send_text(std::string_view utf8) {
    if (state_ == state::closed) return false;
    // Frames are UTF-8 between 0x00 and 0xFF: ill-formed text (a lone surrogate kept as WTF-8,
    // or a stray 0xFF that would end the frame early) goes out with U+FFFD instead.
    std::string fixed;
    if (!utf8_valid(utf8)) {
        fixed = utf8_replace_invalid(utf8);
        utf8 = fixed;
    }
    if (state_ == state::awaiting_key) {
        hixie76_append_frame(pending_, utf8);
        return true;
    }
    auto c = live();
    if (!c) return false;
    hixie76_append_frame(c->out(), utf8);
    c->wrote();
    return c->writable();
}

void hixie76_channel::close(int code, std::string_view reason) {
    if (state_ == state::closed) return;
    const bool answered = state_ == state::open;
    state_ = state::closed;
    // hixie-76 has no close handshake to wait for: send the closing frame and go. The
    // teardown (and on_ws_closed) runs after the caller's close() returns.
    loop_.defer([self = std::static_pointer_cast<hixie76_channel>(shared_from_this()),
                 answered, code, reason = std::string(reason)] {
        auto c = self->live();
        if (c && answered) self->append_to(*c, hixie76_close_frame);
        self->fire_close(code, reason);
        if (c) c->close_graceful();
    });
}

void hixie76_channel::on_bytes(std::string_view bytes) {
    if (state_ == state::closed) return;
    if (state_ == state::awaiting_key) {
        const std::size_t take = std::min(bytes.size(), 8 - key3_.size());
        key3_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (key3_.size() < 8) return;
        auto c = live();
        if (!c) return;
        const auto answer = hixie76_answer(key1_, key2_, key3_);
        if (!answer) {
            fail(ws_close_protocol_error);
            return;
        }
        c->clear_deadline();
        state_ = state::open;
        c->out().append(*answer);
        c->out().append(pending_);
        std::string().swap(pending_);
        c->wrote();
    }
    if (const int code = parser_.feed(bytes, *this)) fail(code);
}

void hixie76_channel::fail(int code) {
    auto c = live();
    if (state_ == state::open && c) append_to(*c, hixie76_close_frame);
    state_ = state::closed;
    fire_close(code, {});
    if (c) c->close_graceful();
}

bool hixie76_channel::on_hixie_message(std::string&& msg) {
    if (state_ == state::open) deliver(std::move(msg));
    return state_ != state::closed;
}

bool hixie76_channel::on_hixie_close() {
    auto c = live();
    if (state_ == state::open && c) append_to(*c, hixie76_close_frame);
    state_ = state::closed;
    fire_close(ws_close_no_status, {});
    if (c) c->close_graceful();
    return false;
}

void hixie76_channel::on_transport_closed() {
    state_ = state::closed;
    fire_close(ws_close_abnormal, {});
}

void hixie76_channel::on_deadline() {
    // The 8 key bytes never came.
    state_ = state::closed;
    fire_close(ws_close_abnormal, {});
    if (auto c = conn_.lock()) c->close_now();
}

}  // namespace sockjs::net
