#include "scenario_common.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <stdexcept>

namespace bench {

sockaddr_in server_address(const bench_options& o) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(o.port);
    if (::inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr) != 1)
        throw std::invalid_argument("--host must be an IPv4 address: " + o.host);
    return addr;
}

session_target make_target(const bench_options& o) {
    // Ids unique to this process and moment: several steps may run against one server.
    auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count() % 1000000;
    session_target t{o.host + ":" + std::to_string(o.port), o.service,
                     "b" + std::to_string(::getpid()) + "x" + std::to_string(stamp) + "x"};
    if (!o.more_ports.empty()) {
        t.ports.push_back(o.port);
        t.ports.insert(t.ports.end(), o.more_ports.begin(), o.more_ports.end());
    }
    t.deflate = o.deflate;
    return t;
}

clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

void bench_report::error(std::string what) {
    ++errors;
    if (error_samples.size() < 5) error_samples.push_back(std::move(what));
}

void make_json_message(std::string& out, std::size_t client, std::uint64_t seq, std::size_t size) {
    out.clear();
    out.append("{\"id\":\"m").append(std::to_string(client)).append("#").append(std::to_string(seq));
    out.append("\",\"readings\":[");
    for (std::uint64_t i = 0; out.size() + 2 < size; ++i) {
        const std::uint64_t v = (client * 31 + seq * 7 + i * 13) % 1000;
        if (i > 0) out.push_back(',');
        out.append("{\"sensor\":\"room-").append(std::to_string((client + i) % 16));
        out.append("\",\"celsius\":").append(std::to_string(15 + v / 100)).push_back('.');
        out.append(std::to_string(v % 100)).append(",\"ok\":").append(v % 17 == 0 ? "false" : "true").push_back('}');
    }
    out.append("]}");
}

void make_message(std::string& out, std::size_t client, std::uint64_t seq, std::size_t size, bool json) {
    if (json) {
        make_json_message(out, client, seq, size);
        return;
    }
    static constexpr std::string_view filler = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789";
    // Byte p of a message is filler[(offset + p) % n]; copied in runs from a repetition of the
    // filler (this runs twice per echoed message, and per byte it cost the generator 6%).
    static const std::string repeated = [] {
        std::string r;
        for (int i = 0; i < 64; ++i) r.append(filler);
        return r;
    }();
    out.clear();
    out.append("m").append(std::to_string(client)).append("#").append(std::to_string(seq)).push_back('|');
    std::size_t at = (client * 7 + seq + out.size()) % filler.size();
    while (out.size() < size) {
        std::size_t take = std::min(size - out.size(), repeated.size() - at);
        out.append(repeated, at, take);
        at = 0;
    }
}

void print_report(std::ostream& out, const bench_report& r) {
    out << std::fixed << std::setprecision(1);
    out << "result label=" << (r.label.empty() ? "-" : r.label) << " mode=" << r.mode
        << " clients=" << r.clients << " opened=" << r.opened << " errors=" << r.errors
        << " checked=" << r.checked << " measured=" << r.measured << " seconds=" << std::setprecision(3)
        << r.seconds << std::setprecision(1) << " rate=" << r.rate << " p50_us=" << r.p50_us
        << " p99_us=" << r.p99_us << " rss_before=" << r.rss_before << " rss_after=" << r.rss_after
        << " rss_per_session=" << r.rss_per_session << std::setprecision(2)
        << " server_cpu=" << r.server_cpu << " generator_cpu=" << r.generator_cpu << std::setprecision(0)
        << " per_cpu_s=" << r.per_cpu_s << std::setprecision(2) << " server_sys_share=" << r.server_sys_share
        << std::setprecision(1) << " bytes_per_msg=" << r.bytes_per_msg;
    out << " first_error=\"";
    if (!r.error_samples.empty()) {
        for (char c : r.error_samples.front()) out << (c == '"' || c == '\n' ? '\'' : c);
    }
    out << "\"\n";
    for (const auto& e : r.error_samples) out << "error " << e << "\n";
}

}  // namespace bench
