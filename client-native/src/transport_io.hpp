#pragma once
// The I/O of one transport attempt. The driver starts one when the session says
// start_transport, hands it payloads one at a time, starts the next receiving request when the
// session says reopen_receiver, and stops it when the session says stop_transport. It reports
// response statuses, bytes, ends and send answers through the sink as they are; every decision
// on them is the core's client_session.

#include "endpoint.hpp"
#include "io_event.hpp"

#include <sockjs/client/options.hpp>
#include <sockjs/transport.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace sockjs::client::detail {

struct transport_context {
    endpoint ep;
    options opts;
    std::string receive_path;  ///< the receiving requests' (or the WebSocket's) path, with the prefix
    std::string send_path;     ///< the sends' path (xhr transports)
    io_sink* sink = nullptr;
    std::uint64_t generation = 0;

    void post(io_event::kind_t kind, std::string data = {}, int status = 0, std::string error = {}) const;
};

class transport_io {
public:
    virtual ~transport_io() = default;
    /// Sends one client payload (`["a","b"]`) in the background; its send_done follows.
    /// The driver never has two in flight.
    virtual void send(std::string payload) = 0;
    /// Starts the next receiving request (HTTP transports; a WebSocket has none).
    virtual void reopen_receiver() {}
    /// Idempotent. Cuts every blocking call short and joins the threads; a WebSocket says
    /// goodbye with a close frame first when it can.
    virtual void stop() = 0;
};

std::unique_ptr<transport_io> start_websocket(transport_context ctx);
/// xhr-streaming or xhr-polling (the paths say which), both sending with xhr_send.
std::unique_ptr<transport_io> start_xhr(transport_context ctx);

}  // namespace sockjs::client::detail
