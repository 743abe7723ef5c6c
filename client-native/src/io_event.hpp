#pragma once
// What the I/O threads report to the connection's driver thread, and the sink they report to.

#include <cstdint>
#include <optional>
#include <string>

namespace sockjs::client::detail {

struct io_event {
    enum kind_t {
        info_done,         ///< /info answered: `ok` and the body in `data`, or failed (`error`)
        frame,             ///< a bare frame from the current transport, in `data`
        transport_closed,  ///< the transport ended without a close frame (`error` says why)
        send_done,         ///< the payload in flight was accepted (`ok`) or not (`error`)
    } kind = frame;
    /// Which info request or transport this came from; the driver drops stale ones.
    std::uint64_t generation = 0;
    std::string data;
    bool ok = true;
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
