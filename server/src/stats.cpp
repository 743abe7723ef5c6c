#include "stats_counters.hpp"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#ifndef SOCKJS_VERSION
#define SOCKJS_VERSION "unknown"
#endif

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

namespace {

void gauge(std::string& out, std::string_view name, std::string_view type, std::string_view help, double value) {
    std::ostringstream v;
    v.precision(15);
    v << value;
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    out.append(name).append(" ").append(v.str()).append("\n");
}

std::size_t count_open_fds() {
    DIR* d = ::opendir("/proc/self/fd");
    if (d == nullptr) return 0;
    std::size_t n = 0;
    while (const dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n - 1;  // the directory stream's own descriptor
}

/// Boot time in seconds since the epoch (the "btime" line of /proc/stat), or -1.
double boot_time() {
    std::ifstream in("/proc/stat");
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            double t = -1;
            in >> t;
            return t;
        }
        in.ignore(1 << 16, '\n');
    }
    return -1;
}

}  // namespace

std::string process_metrics_text() {
    std::string out;
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command name (which is in parentheses and may hold spaces): field 3 on.
    auto close = stat.rfind(')');
    if (close != std::string::npos) {
        std::istringstream rest(stat.substr(close + 2));
        std::vector<std::string> f((std::istream_iterator<std::string>(rest)), std::istream_iterator<std::string>());
        const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
        const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
        auto field = [&](std::size_t n) { return std::stod(f.at(n - 3)); };  // 1-based, as proc(5) counts
        if (f.size() >= 22 && tick > 0) {
            gauge(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
                  (field(14) + field(15)) / tick);
            gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", field(24) * page);
            gauge(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", field(23));
            if (double boot = boot_time(); boot >= 0)
                gauge(out, "process_start_time_seconds", "gauge",
                      "Start time of the process since unix epoch in seconds.", boot + field(22) / tick);
        }
    }
    gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.",
          static_cast<double>(count_open_fds()));
    out += "# HELP sockjs_build_info The sockjs-cpp version serving these metrics.\n";
    out += "# TYPE sockjs_build_info gauge\n";
    out += "sockjs_build_info{version=\"" SOCKJS_VERSION "\"} 1\n";
    return out;
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
    metric(out, "connections_refused_total", "counter", "Connections closed at accept (max_connections).",
           s.connections_refused_total);
    return out;
}

}  // namespace sockjs
