#pragma once
// What the I/O threads report to the connection's driver thread, and the sink they report to.

#include <cstdint>
#include <optional>
#include <string>

namespace sockjs::client::detail {

struct io_event {
    enum kind_t {
        info_done,           ///< /info ended: `status` (0: no answer) and the body in `data`
        receiver_response,   ///< a receiving HTTP response began with `status`
        receiver_data,       ///< body bytes of it, or one WebSocket message, in `data`
        receiver_end,        ///< the receiving response ended normally
        transport_closed,    ///< the transport ended by itself (`error` says why)
        send_done,           ///< the payload handed to send() was answered `status` (0: not)
    } kind = receiver_data;
    /// Which info request or transport this came from; the driver drops stale ones.
    std::uint64_t generation = 0;
    std::string data;
    int status = 0;
    std::string error;  ///< human-readable, for diagnostics only
    /// transport_closed by a WebSocket close frame: its code and reason.
    std::optional<int> code;
    std::string reason;
};

/// Thread-safe: called from the I/O threads.
class io_sink {
public:
    virtual void post(io_event e) = 0;

protected:
    ~io_sink() = default;
};

}  // namespace sockjs::client::detail
