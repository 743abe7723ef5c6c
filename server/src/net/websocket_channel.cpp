#include "net/websocket_channel.hpp"

#include <utility>

namespace sockjs::net {

ws_channel_base::ws_channel_base(const std::shared_ptr<tcp_connection>& c)
    : conn_(c), raw_conn_(c.get()), loop_(c->owner()) {}

std::size_t ws_channel_base::buffered() const {
    return conn_.expired() ? 0 : raw_conn_->buffered();  // no reference taken, as in live_here()
}

void ws_channel_base::listen(std::weak_ptr<ws_listener> listener) {
    if (!close_fired_) listener_ = std::move(listener);
}

loop& ws_channel_base::owner() {
    return loop_;
}

std::shared_ptr<tcp_connection> ws_channel_base::live() const {
    auto* c = live_here();  // one rule for "can still take output"
    return c ? c->shared_from_this() : nullptr;
}

void ws_channel_base::append_to(tcp_connection& c, std::string_view bytes) {
    c.out().append(bytes);
    c.wrote();
}

// Each callback runs on a locked reference: the listener outlives its own callback even if
// everything else lets go of it meanwhile.
void ws_channel_base::deliver(std::string&& msg) {
    if (close_fired_) return;
    if (auto l = listener_.lock()) l->on_ws_message(std::move(msg));
}

void ws_channel_base::on_drained() {
    if (close_fired_) return;
    if (auto l = listener_.lock()) l->on_ws_drained();
}

void ws_channel_base::fire_close(int code, std::string_view reason) {
    if (close_fired_) return;
    close_fired_ = true;
    if (auto l = std::exchange(listener_, {}).lock()) l->on_ws_closed(code, reason);
}

}  // namespace sockjs::net
