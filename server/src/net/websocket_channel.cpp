#include "net/websocket_channel.hpp"

namespace sockjs::net {

ws_channel_base::ws_channel_base(const std::shared_ptr<tcp_connection>& c)
    : conn_(c), loop_(c->owner()) {}

std::size_t ws_channel_base::buffered() const {
    auto c = conn_.lock();
    return c ? c->buffered() : 0;
}

void ws_channel_base::on_message(std::function<void(std::string&&)> fn) {
    if (!close_fired_) on_message_ = std::move(fn);
}

void ws_channel_base::on_close(std::function<void(int, std::string)> fn) {
    if (!close_fired_) on_close_ = std::move(fn);
}

void ws_channel_base::on_drain(std::function<void()> fn) {
    if (!close_fired_) on_drain_ = std::move(fn);
}

loop& ws_channel_base::owner() {
    return loop_;
}

std::shared_ptr<tcp_connection> ws_channel_base::live() const {
    auto c = conn_.lock();
    return c && c->writable() ? c : nullptr;
}

void ws_channel_base::append_to(tcp_connection& c, std::string_view bytes) {
    c.out().append(bytes);
    c.wrote();
}

void ws_channel_base::deliver(std::string&& msg) {
    if (close_fired_ || !on_message_) return;
    ++in_callback_;
    on_message_(std::move(msg));
    if (--in_callback_ == 0 && close_fired_) release_callbacks();
}

void ws_channel_base::on_drained() {
    if (close_fired_ || !on_drain_) return;
    ++in_callback_;
    on_drain_();
    if (--in_callback_ == 0 && close_fired_) release_callbacks();
}

void ws_channel_base::fire_close(int code, std::string_view reason) {
    if (close_fired_) return;
    close_fired_ = true;
    auto fn = std::move(on_close_);
    on_close_ = nullptr;
    if (in_callback_ == 0) release_callbacks();
    if (fn) fn(code, std::string(reason));
}

void ws_channel_base::release_callbacks() {
    on_message_ = nullptr;
    on_drain_ = nullptr;
    on_close_ = nullptr;
}

}  // namespace sockjs::net
