#pragma once
/// @file
/// Server counters: a snapshot, and its Prometheus text exposition (what `/metrics` serves
/// when server_options::metrics_path is set). docs/metrics.md lists every metric.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sockjs {

/// A histogram as Prometheus exposes it.
struct histogram_snapshot {
    std::vector<double> bounds;          ///< finite upper bounds (seconds), ascending; +Inf implied
    std::vector<std::uint64_t> buckets;  ///< cumulative: observations <= bounds[i]; one more for +Inf
    double sum = 0;                      ///< of every observation, seconds
    std::uint64_t count() const noexcept { return buckets.empty() ? 0 : buckets.back(); }
};

/// One service's counters (its URL prefix is the `service` label).
struct service_stats {
    /// Open sessions by transport of the opening request, every transport listed.
    std::map<std::string, std::uint64_t, std::less<>> sessions_by_transport;
    std::uint64_t sessions_opened_total = 0;
    std::uint64_t sessions_closed_total = 0;
    /// Closed sessions by close code label ("1000", "1002", "3000", "other_app", "other"):
    /// only labels seen so far. See server_options::metrics_close_codes.
    std::map<std::string, std::uint64_t, std::less<>> sessions_closed_by_code;
    std::uint64_t sessions_refused_total = 0;
    std::uint64_t messages_received_total = 0;
    std::uint64_t messages_sent_total = 0;
    std::uint64_t bytes_received_total = 0;
    std::uint64_t bytes_sent_total = 0;
    /// How long closed sessions were open (open event to close event).
    histogram_snapshot session_duration_seconds;
    /// Time spent in the application's callbacks, by "on_open", "on_message", "on_close".
    std::map<std::string, histogram_snapshot, std::less<>> handler_duration_seconds;
};

struct server_stats {
    /// Open sessions (opened and not yet closed) by transport name of the opening request
    /// ("websocket", "xhr", ..., "raw_websocket"). Every transport is listed, zeros included.
    /// This and the totals below are sums over `services`.
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
    /// By service prefix ("/echo").
    std::map<std::string, service_stats, std::less<>> services;
};

/// Prometheus text format (version 0.0.4), metric names prefixed `sockjs_`. Session and
/// message metrics come per service (label `service`, the prefix), from `services`; the
/// totals above are `sum without (service, ...)` of them in PromQL.
std::string prometheus_text(const server_stats& s);

}  // namespace sockjs
