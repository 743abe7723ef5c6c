#include "raw_websocket_backend.hpp"

#include "net/send_batch.hpp"
#include "server_impl.hpp"
#include "service_impl.hpp"

namespace sockjs::detail {

raw_websocket_backend::raw_websocket_backend(service_impl& svc, net::loop& home,
                                       std::shared_ptr<net::ws_channel> ws)
    : conn_backend(svc, home, raw_websocket_index), ws_(std::move(ws)) {}

raw_websocket_backend::~raw_websocket_backend() { release_on_next_turn(home_, std::move(ws_)); }

void raw_websocket_backend::start() {
    auto self = shared_from_this();
    ws_->listen(std::shared_ptr<net::ws_listener>(self, static_cast<net::ws_listener*>(this)));
    ws_->prefetch_with(static_cast<const conn_backend*>(this));  // the start of this object
    app_open();
}

void raw_websocket_backend::on_ws_message(std::string&& message) {
    if (!closing_) app_message(message);
}

bool raw_websocket_backend::send_here(std::string_view message) {
    if (closing_) return false;
    if (!ws_->send_text(message)) return false;
    auto& st = counters();
    add(st.messages_out);
    add(st.bytes_out, message.size());
    return true;
}

void raw_websocket_backend::close_here(int code, std::string_view reason) {
    if (closing_) return;
    auto self = shared_from_this();
    closing_ = true;
    ws_->close(code, reason);
    // The application hears its own code; the channel's on_ws_closed then only frees the backend.
    app_close(code, reason);
}

void raw_websocket_backend::on_ws_closed(int code, std::string_view reason) {
    auto self = shared_from_this();
    if (!closing_) {
        closing_ = true;
        app_close(code, reason);
    }
    release();
}

void raw_websocket_backend::deliver_broadcast(const broadcast_message& m, net::send_batch& batch) {
    batch.send_all();  // its frame is not the batch's (no SockJS framing)
    send_here(m.raw);
}

void raw_websocket_backend::shutdown(int code, std::string_view reason) { close_here(code, reason); }

}  // namespace sockjs::detail
