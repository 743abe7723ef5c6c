#include "stats_counters.hpp"

#include <string>

namespace sockjs {

namespace detail {

std::string_view transport_slot_name(std::size_t index) noexcept {
    if (index == raw_websocket_index) return "raw_websocket";
    return name(static_cast<transport>(index));
}

server_stats stats_counters::snapshot() const {
    server_stats s;
    for (std::size_t i = 0; i < transport_slots; ++i) {
        if (i < raw_websocket_index && !is_receiving(static_cast<transport>(i))) continue;
        s.sessions_by_transport.emplace(std::string(transport_slot_name(i)),
                                        open_by_transport[i].load(std::memory_order_relaxed));
    }
    s.sessions_opened_total = opened.load(std::memory_order_relaxed);
    s.sessions_closed_total = closed.load(std::memory_order_relaxed);
    s.sessions_refused_total = refused.load(std::memory_order_relaxed);
    s.messages_received_total = messages_in.load(std::memory_order_relaxed);
    s.messages_sent_total = messages_out.load(std::memory_order_relaxed);
    s.bytes_received_total = bytes_in.load(std::memory_order_relaxed);
    s.bytes_sent_total = bytes_out.load(std::memory_order_relaxed);
    return s;
}

}  // namespace detail

namespace {

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::uint64_t value) {
    out.append("# HELP sockjs_").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE sockjs_").append(name).append(" ").append(type).append("\n");
    out.append("sockjs_").append(name).append(" ").append(std::to_string(value)).append("\n");
}

}  // namespace

std::string prometheus_text(const server_stats& s) {
    std::string out;
    out += "# HELP sockjs_sessions Open sessions by the transport that opened them.\n";
    out += "# TYPE sockjs_sessions gauge\n";
    for (const auto& [transport_name, n] : s.sessions_by_transport)
        out.append("sockjs_sessions{transport=\"")
            .append(transport_name)
            .append("\"} ")
            .append(std::to_string(n))
            .append("\n");
    metric(out, "sessions_opened_total", "counter", "Sessions opened.", s.sessions_opened_total);
    metric(out, "sessions_closed_total", "counter", "Sessions closed.", s.sessions_closed_total);
    metric(out, "sessions_refused_total", "counter", "Sessions refused (max_sessions).",
           s.sessions_refused_total);
    metric(out, "messages_received_total", "counter", "Messages received from clients.",
           s.messages_received_total);
    metric(out, "messages_sent_total", "counter", "Messages sent by the application.",
           s.messages_sent_total);
    metric(out, "bytes_received_total", "counter", "Decoded message bytes received.",
           s.bytes_received_total);
    metric(out, "bytes_sent_total", "counter", "Frame bytes written to clients.", s.bytes_sent_total);
    metric(out, "connections", "gauge", "Open TCP connections.", s.connections);
    return out;
}

}  // namespace sockjs
