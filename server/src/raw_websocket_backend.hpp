#pragma once
// The framing-less `/websocket` endpoint: a WebSocket whose text messages go straight to the
// application and back, with no SockJS frames, heartbeats or session. Closing it closes the
// WebSocket with the application's code and reason.

#include "conn_backend.hpp"

#include <memory>
#include <string>

namespace sockjs::detail {

class raw_websocket_backend final : public conn_backend, private net::ws_listener {
public:
    raw_websocket_backend(service_impl& svc, net::loop& home, std::shared_ptr<net::ws_channel> ws);
    ~raw_websocket_backend() override;

    /// Home loop, after make_connection(): hooks the channel up and opens.
    void start();

    void deliver_broadcast(const broadcast_message& m, net::send_batch& batch) override;
    void shutdown(int code, std::string_view reason) override;
    bool has_connection() const noexcept override { return !released_; }

protected:
    bool send_here(std::string_view message) override;
    void close_here(int code, std::string_view reason) override;

private:
    void on_ws_message(std::string&& message) override;
    void on_ws_closed(int code, std::string_view reason) override;

    std::shared_ptr<net::ws_channel> ws_;
    bool closing_ = false;
};

}  // namespace sockjs::detail
