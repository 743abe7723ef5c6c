#pragma once
/// @file
/// Per-service options (one service per URL prefix). Every limit has a safe default.

#include <sockjs/time.hpp>
#include <sockjs/transport.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace sockjs {

/// What a session needs to know (a subset of service_options, copied into each session).
struct session_limits {
    /// Streaming receivers end after this many body bytes; the client reopens.
    std::size_t response_limit = 128 * 1024;
    /// An `h` frame is sent after this long without any frame while a receiver is attached.
    millis heartbeat_delay{25000};
    /// A session with no receiver for this long is closed; a closed session is forgotten
    /// (and stops replaying its close frame) after this long.
    millis disconnect_delay{5000};
    /// Bytes of escaped messages a session may hold for a slow or absent receiver. Above
    /// this, the session closes itself (code 1013, "Send queue overflow").
    std::size_t max_queued_bytes = 8u << 20;
    /// The largest message (decoded bytes) or request body a client may send.
    std::size_t max_message_size = 4u << 20;
};

struct service_options : session_limits {
    /// Offer the websocket transport (and say so in /info).
    bool websocket = true;
    /// JSESSIONID cookie handling for sticky load balancers; /info says cookie_needed.
    bool jsessionid = false;
    /// Transports answered with 404.
    std::vector<transport> disabled_transports;
    /// The client script the iframe page loads.
    std::string sockjs_url = "https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js";
    /// Allowed `Origin` values (exact match, or `*` for any) for WebSocket upgrades and CORS.
    /// Empty means any origin. A disallowed origin gets 403.
    std::vector<std::string> origins;
    /// Open sessions a service may hold; new sessions beyond it get 503.
    std::size_t max_sessions = 100000;
    /// The session id is chosen by the client, and anyone who learns it could read (receive
    /// requests) and inject (send requests) on that session. When true, a polling or
    /// streaming session answers only requests from the IP address that opened it; requests
    /// for its id from any other address get 404, as for an unknown session. Off by default:
    /// clients whose connections leave from several addresses (dual-stack IPv4/IPv6, proxies
    /// with several egress addresses) would lose their sessions. WebSocket sessions are one
    /// connection and need no binding.
    bool bind_session_to_address = false;

    bool transport_enabled(transport t) const noexcept {
        if (t == transport::websocket && !websocket) return false;
        for (auto d : disabled_transports)
            if (d == t) return false;
        return true;
    }
};

}  // namespace sockjs
