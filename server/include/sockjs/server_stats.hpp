#pragma once
/// @file
/// Server counters: a snapshot, and its Prometheus text exposition (what `/metrics` serves
/// when server_options::metrics_path is set).

#include <cstdint>
#include <map>
#include <string>

namespace sockjs {

struct server_stats {
    /// Open sessions (opened and not yet closed) by transport name of the opening request
    /// ("websocket", "xhr", ..., "raw_websocket"). Every transport is listed, zeros included.
    std::map<std::string, std::uint64_t, std::less<>> sessions_by_transport;
    std::uint64_t sessions_opened_total = 0;
    std::uint64_t sessions_closed_total = 0;
    std::uint64_t sessions_refused_total = 0;  ///< over max_sessions (503)
    std::uint64_t messages_received_total = 0; ///< decoded messages from clients
    std::uint64_t messages_sent_total = 0;     ///< messages queued by the application
    std::uint64_t bytes_received_total = 0;    ///< decoded message bytes from clients
    std::uint64_t bytes_sent_total = 0;        ///< response body / WebSocket payload bytes of frames
    std::uint64_t connections = 0;             ///< open TCP connections right now
    std::uint64_t connections_refused_total = 0;  ///< closed at accept: max_connections were open
};

/// Prometheus text format (version 0.0.4), metric names prefixed `sockjs_`.
std::string prometheus_text(const server_stats& s);

}  // namespace sockjs
