#pragma once
/// @file
/// When a client starts a new session after one ended: one policy for every client (the
/// native one and the browser one), sans I/O. The adapter reports opens and closes, passes a
/// random number, and waits the delay it gets back before starting the next session.
///
/// The rules:
/// - A close the application asked for is final.
/// - A close frame from the server (`c[code,"reason"]`, was_clean) is the server's decision and
///   final, unless its code says "come back" (1001 going away, 1012 service restart, 1013 try
///   again later: a server draining for a restart sends 1001) or `after_server_close` is set.
/// - Everything else (1006 "Server lost session", 1002 "Cannot connect to server", 2000 "All
///   transports failed", a WebSocket closed by the server, 4900 liveness) starts a new session.
/// - The delay doubles per attempt since the last open, from initial_delay up to max_delay,
///   and a random 0-50 % is taken off, so that clients cut off together do not come back
///   together. After max_attempts attempts in a row without an open, the last close is final.

#include <sockjs/time.hpp>

#include <cstdint>
#include <optional>

namespace sockjs {

struct reconnect_options {
    bool enabled = false;        ///< off by default, as in sockjs-client
    millis initial_delay{1000};  ///< the ceiling of the first attempt's delay
    millis max_delay{30000};     ///< the ceiling never exceeds this
    unsigned max_attempts = 0;   ///< attempts in a row without an open; 0 = no limit
    bool after_server_close = false;  ///< also after any close frame from the server
};

/// How a session ended, as the client session reports it (client_event::close).
struct session_end {
    int code = 0;
    bool was_clean = false;
    bool by_application = false;  ///< the application called close()
};

class reconnect_policy {
public:
    explicit reconnect_policy(reconnect_options opts) noexcept : opts_(opts) {}

    /// A session opened: the next failure is attempt 1 again.
    void on_open() noexcept { attempts_ = 0; }
    /// A session ended. Returns how long to wait before starting the next one, or nullopt
    /// when this close is final. `random` is a uniformly random 32-bit number.
    std::optional<millis> on_close(const session_end& end, std::uint32_t random) noexcept;
    /// Attempts since the last open (1 while waiting for the first one).
    unsigned attempts() const noexcept { return attempts_; }

private:
    reconnect_options opts_;
    unsigned attempts_ = 0;
};

}  // namespace sockjs
