#pragma once
// The I/O of one transport attempt. The driver starts one when the session says
// start_transport, hands it payloads one at a time, and stops it when the session says
// stop_transport. It reports frames, its end and send completions through the sink; it
// makes no protocol decision (the frames go to the core's client_session as they are).

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
    std::string server_id;
    std::string session_id;
    io_sink* sink = nullptr;
    std::uint64_t generation = 0;

    /// The request path for server transport `t` of this session.
    std::string path(transport t) const;
    void post(io_event::kind_t kind, std::string data = {}, bool ok = true, std::string error = {}) const;
};

class transport_io {
public:
    virtual ~transport_io() = default;
    /// Sends one client payload (`["a","b"]`) in the background; its send_done follows.
    /// The driver never has two in flight.
    virtual void send(std::string payload) = 0;
    /// Idempotent. Cuts every blocking call short and joins the threads; a WebSocket says
    /// goodbye with a close frame first when it can.
    virtual void stop() = 0;
};

std::unique_ptr<transport_io> start_websocket(transport_context ctx);
/// xhr-streaming (`streaming`) or xhr-polling, both sending with xhr_send.
std::unique_ptr<transport_io> start_xhr(transport_context ctx, bool streaming);

}  // namespace sockjs::client::detail
