#include "stats_counters.hpp"

#include "prometheus_format.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
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

std::string_view counted_transport_name(std::size_t index) noexcept {
    if (index == raw_websocket_index) return "raw_websocket";
    return name(static_cast<transport>(index));
}

std::string_view handler_name(handler_kind k) noexcept {
    switch (k) {
    case handler_kind::on_open: return "on_open";
    case handler_kind::on_message: return "on_message";
    case handler_kind::on_close: return "on_close";
    }
    return "unknown";
}

// Labels: 1000..1015 at 0..15, then the listed application codes, then other_app, other.
constexpr int first_rfc_code = 1000;
constexpr std::size_t rfc_codes = 16;

close_code_labels::close_code_labels(std::vector<int> app_codes) {
    std::erase_if(app_codes, [](int c) { return c < 3000 || c > 4999; });
    std::sort(app_codes.begin(), app_codes.end());
    app_codes.erase(std::unique(app_codes.begin(), app_codes.end()), app_codes.end());
    app_codes_ = std::move(app_codes);
    for (std::size_t i = 0; i < rfc_codes; ++i) names_.push_back(std::to_string(first_rfc_code + static_cast<int>(i)));
    for (int c : app_codes_) names_.push_back(std::to_string(c));
    names_.emplace_back("other_app");
    names_.emplace_back("other");
}

std::size_t close_code_labels::index(int code) const noexcept {
    if (code >= first_rfc_code && code < first_rfc_code + static_cast<int>(rfc_codes))
        return static_cast<std::size_t>(code - first_rfc_code);
    if (code >= 3000 && code <= 4999) {
        auto it = std::lower_bound(app_codes_.begin(), app_codes_.end(), code);
        if (it != app_codes_.end() && *it == code)
            return rfc_codes + static_cast<std::size_t>(it - app_codes_.begin());
        return names_.size() - 2;
    }
    return names_.size() - 1;
}

template <std::size_t N>
void loop_histogram<N>::add_to(histogram_snapshot& h, const std::array<double, N>& bounds) const {
    if (h.buckets.empty()) {
        h.bounds.assign(bounds.begin(), bounds.end());
        h.buckets.assign(N + 1, 0);
    }
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= N; ++i) {
        running += buckets[i].load(std::memory_order_relaxed);
        h.buckets[i] += running;
    }
    h.sum += static_cast<double>(sum_ns.load(std::memory_order_relaxed)) * 1e-9;
}

void service_counters::resize(std::size_t loops, std::size_t close_labels) {
    loops_.clear();
    for (std::size_t i = 0; i < loops; ++i) loops_.push_back(std::make_unique<loop_counters>(close_labels));
}

service_stats service_counters::snapshot(const close_code_labels& codes) const {
    service_stats s;
    auto load = [](const counter& c) { return c.load(std::memory_order_relaxed); };
    for (std::size_t t = 0; t < counted_transports; ++t) {
        if (t < raw_websocket_index && !is_receiving(static_cast<transport>(t))) continue;
        std::uint64_t n = 0;
        for (const auto& l : loops_) n += load(l->open_by_transport[t]);
        s.sessions_by_transport.emplace(std::string(counted_transport_name(t)), n);
    }
    s.session_duration_seconds.bounds.assign(session_duration_bounds.begin(), session_duration_bounds.end());
    s.session_duration_seconds.buckets.assign(session_duration_bounds.size() + 1, 0);
    for (std::size_t k = 0; k < handler_kinds; ++k) {
        auto& h = s.handler_duration_seconds[std::string(handler_name(static_cast<handler_kind>(k)))];
        h.bounds.assign(handler_duration_bounds.begin(), handler_duration_bounds.end());
        h.buckets.assign(handler_duration_bounds.size() + 1, 0);
    }
    for (const auto& l : loops_) {
        s.sessions_opened_total += load(l->opened);
        s.sessions_refused_total += load(l->refused);
        s.messages_received_total += load(l->messages_in);
        s.messages_sent_total += load(l->messages_out);
        s.bytes_received_total += load(l->bytes_in);
        s.bytes_sent_total += load(l->bytes_out);
        for (std::size_t i = 0; i < l->closed_by_code.size() && i < codes.size(); ++i)
            if (auto n = load(l->closed_by_code[i])) {
                s.sessions_closed_by_code[codes.name(i)] += n;
                s.sessions_closed_total += n;
            }
        l->session_duration.add_to(s.session_duration_seconds, session_duration_bounds);
        for (std::size_t k = 0; k < handler_kinds; ++k)
            l->handler_duration[k].add_to(
                s.handler_duration_seconds[std::string(handler_name(static_cast<handler_kind>(k)))],
                handler_duration_bounds);
    }
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

using detail::append_family;
using detail::escape_label;

/// One line per service of a per-service counter.
template <class Get>
void per_service(std::string& out, const server_stats& s, std::string_view name, std::string_view type,
                 std::string_view help, Get get) {
    append_family(out, name, type, help);
    for (const auto& [prefix, svc] : s.services)
        out.append(name)
            .append("{service=\"")
            .append(escape_label(prefix))
            .append("\"} ")
            .append(std::to_string(get(svc)))
            .append("\n");
}

/// The samples of one histogram: `labels` is `service="...",handler="..."` (no braces).
void histogram_lines(std::string& out, std::string_view name, const std::string& labels, const histogram_snapshot& h) {
    for (std::size_t i = 0; i < h.buckets.size(); ++i) {
        out.append(name).append("_bucket{").append(labels).append(",le=\"");
        out.append(i < h.bounds.size() ? detail::format_value(h.bounds[i]) : "+Inf");
        out.append("\"} ").append(std::to_string(h.buckets[i])).append("\n");
    }
    out.append(name).append("_sum{").append(labels).append("} ").append(detail::format_value(h.sum)).append("\n");
    out.append(name).append("_count{").append(labels).append("} ").append(std::to_string(h.count())).append("\n");
}

}  // namespace

std::string prometheus_text(const server_stats& s) {
    std::string out;
    append_family(out, "sockjs_sessions", "gauge", "Open sessions by service and the transport that opened them.");
    for (const auto& [prefix, svc] : s.services)
        for (const auto& [transport_name, n] : svc.sessions_by_transport)
            out.append("sockjs_sessions{service=\"")
                .append(escape_label(prefix))
                .append("\",transport=\"")
                .append(transport_name)
                .append("\"} ")
                .append(std::to_string(n))
                .append("\n");
    per_service(out, s, "sockjs_sessions_opened_total", "counter", "Sessions opened.",
                [](const service_stats& v) { return v.sessions_opened_total; });
    append_family(out, "sockjs_sessions_closed_total", "counter",
                  "Sessions closed, by close code (RFC 6455 codes as given, listed application codes as "
                  "given, other 3000-4999 codes as other_app, the rest as other).");
    for (const auto& [prefix, svc] : s.services)
        for (const auto& [code, n] : svc.sessions_closed_by_code)
            out.append("sockjs_sessions_closed_total{service=\"")
                .append(escape_label(prefix))
                .append("\",code=\"")
                .append(code)
                .append("\"} ")
                .append(std::to_string(n))
                .append("\n");
    per_service(out, s, "sockjs_sessions_refused_total", "counter", "Sessions refused (max_sessions).",
                [](const service_stats& v) { return v.sessions_refused_total; });
    per_service(out, s, "sockjs_messages_received_total", "counter", "Messages received from clients.",
                [](const service_stats& v) { return v.messages_received_total; });
    per_service(out, s, "sockjs_messages_sent_total", "counter", "Messages sent by the application.",
                [](const service_stats& v) { return v.messages_sent_total; });
    per_service(out, s, "sockjs_bytes_received_total", "counter", "Decoded message bytes received.",
                [](const service_stats& v) { return v.bytes_received_total; });
    per_service(out, s, "sockjs_bytes_sent_total", "counter", "Frame bytes written to clients.",
                [](const service_stats& v) { return v.bytes_sent_total; });
    append_family(out, "sockjs_session_duration_seconds", "histogram",
                  "How long closed sessions were open, from the open event to the close event.");
    for (const auto& [prefix, svc] : s.services)
        histogram_lines(out, "sockjs_session_duration_seconds", "service=\"" + escape_label(prefix) + "\"",
                        svc.session_duration_seconds);
    append_family(out, "sockjs_handler_duration_seconds", "histogram",
                  "Time spent in the application's on_open, on_message and on_close callbacks.");
    for (const auto& [prefix, svc] : s.services)
        for (const auto& [handler, h] : svc.handler_duration_seconds)
            histogram_lines(out, "sockjs_handler_duration_seconds",
                            "service=\"" + escape_label(prefix) + "\",handler=\"" + handler + "\"", h);
    append_family(out, "sockjs_connections", "gauge", "Open TCP connections.");
    out.append("sockjs_connections ").append(std::to_string(s.connections)).append("\n");
    append_family(out, "sockjs_connections_refused_total", "counter", "Connections closed at accept (max_connections).");
    out.append("sockjs_connections_refused_total ").append(std::to_string(s.connections_refused_total)).append("\n");
    return out;
}

}  // namespace sockjs
