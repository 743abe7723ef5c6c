// stats: the Prometheus text exposition of a snapshot.

#include "server_test_util.hpp"

#include <sockjs/server_stats.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <sstream>
#include <string>

TEST_CASE("stats: prometheus_text lists every counter with HELP and TYPE", "[stats]") {
    sockjs::server_stats s;
    sockjs::service_stats& v = s.services["/echo"];
    v.sessions_by_transport = {{"websocket", 3}, {"xhr", 1}};
    v.sessions_opened_total = 10;
    v.sessions_closed_by_code = {{"1000", 4}, {"other_app", 2}};
    v.sessions_refused_total = 2;
    v.messages_received_total = 100;
    v.messages_sent_total = 200;
    v.bytes_received_total = 1000;
    v.bytes_sent_total = 2000;
    v.session_duration_seconds = {{1, 5}, {3, 5, 6}, 12.5};
    v.handler_duration_seconds["on_message"] = {{1e-5, 1}, {7, 9, 9}, 0.25};
    s.services["/a\"b"].sessions_opened_total = 1;  // label values are escaped
    s.connections = 7;
    auto text = sockjs::prometheus_text(s);
    for (const char* line :
         {"# TYPE sockjs_sessions gauge\n", "sockjs_sessions{service=\"/echo\",transport=\"websocket\"} 3\n",
          "sockjs_sessions{service=\"/echo\",transport=\"xhr\"} 1\n", "# TYPE sockjs_sessions_opened_total counter\n",
          "sockjs_sessions_opened_total{service=\"/echo\"} 10\n",
          "sockjs_sessions_opened_total{service=\"/a\\\"b\"} 1\n",
          "sockjs_sessions_closed_total{service=\"/echo\",code=\"1000\"} 4\n",
          "sockjs_sessions_closed_total{service=\"/echo\",code=\"other_app\"} 2\n",
          "sockjs_sessions_refused_total{service=\"/echo\"} 2\n",
          "sockjs_messages_received_total{service=\"/echo\"} 100\n", "sockjs_messages_sent_total{service=\"/echo\"} 200\n",
          "sockjs_bytes_received_total{service=\"/echo\"} 1000\n", "sockjs_bytes_sent_total{service=\"/echo\"} 2000\n",
          "# TYPE sockjs_session_duration_seconds histogram\n",
          "sockjs_session_duration_seconds_bucket{service=\"/echo\",le=\"1\"} 3\n",
          "sockjs_session_duration_seconds_bucket{service=\"/echo\",le=\"5\"} 5\n",
          "sockjs_session_duration_seconds_bucket{service=\"/echo\",le=\"+Inf\"} 6\n",
          "sockjs_session_duration_seconds_sum{service=\"/echo\"} 12.5\n",
          "sockjs_session_duration_seconds_count{service=\"/echo\"} 6\n",
          "# TYPE sockjs_handler_duration_seconds histogram\n",
          "sockjs_handler_duration_seconds_bucket{service=\"/echo\",handler=\"on_message\",le=\"1e-05\"} 7\n",
          "sockjs_handler_duration_seconds_count{service=\"/echo\",handler=\"on_message\"} 9\n",
          "# TYPE sockjs_connections gauge\n", "sockjs_connections 7\n"}) {
        INFO(line);
        CHECK(text.find(line) != std::string::npos);
    }
    // Every metric line is "name{labels} value" or "name value"; comments start with '#'.
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        REQUIRE(eol != std::string::npos);
        auto line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
        CHECK(line.rfind("sockjs_", 0) == 0);
        CHECK(line.find(' ') != std::string::npos);
    }
}

namespace {

/// The value of the first sample of `name` (with or without labels) in `text`, or -1.
double sample(const std::string& text, const std::string& name) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("#") || !line.starts_with(name)) continue;
        auto rest = line.substr(name.size());
        if (!rest.starts_with(" ") && !rest.starts_with("{")) continue;
        return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return -1;
}

}  // namespace

TEST_CASE("stats: process metrics and build info, from /proc", "[stats]") {
    auto opts = sjt::test_options();
    opts.metrics_path = "/metrics";
    sjt::test_server s(sjt::add_suite_services, opts);
    auto before = std::chrono::system_clock::now();
    auto text = sjt::http(s.port, "GET", "/metrics").body;
    INFO(text);
    const double now = std::chrono::duration<double>(before.time_since_epoch()).count();

    const double fds = sample(text, "process_open_fds");
    const double here = static_cast<double>(sjt::open_fds());
    CHECK(fds > 3);
    CHECK(std::abs(fds - here) <= 4);  // the server's own and the client's socket come and go
    const double rss = sample(text, "process_resident_memory_bytes");
    CHECK(rss > 1e6);      // this process holds more than 1 MB
    CHECK(rss < 64e9);
    CHECK(sample(text, "process_virtual_memory_bytes") >= rss);
    const double start = sample(text, "process_start_time_seconds");
    CHECK(start <= now + 1);
    CHECK(start > now - 24 * 3600);  // a test process started today
    const double cpu = sample(text, "process_cpu_seconds_total");
    CHECK(cpu >= 0);
    CHECK(cpu <= (now - start + 2) * 256);
    CHECK(text.find("sockjs_build_info{version=\"" + std::string(SOCKJS_TEST_VERSION) + "\"} 1\n") != std::string::npos);
    CHECK(s.srv.metrics_text().find("process_open_fds ") != std::string::npos);
}

TEST_CASE("stats: connections refused by max_connections are counted", "[stats]") {
    auto opts = sjt::test_options();
    opts.metrics_path = "/metrics";
    opts.max_connections = 2;
    sjt::test_server s(sjt::add_suite_services, opts);
    sjt::raw_http a(s.port), b(s.port);  // keep-alive: both stay open
    a.request("GET", "/echo");
    CHECK(a.read_body(a.read_head()) == "Welcome to SockJS!\n");
    b.request("GET", "/echo");
    CHECK(b.read_body(b.read_head()) == "Welcome to SockJS!\n");
    sjt::raw_http c(s.port);
    CHECK(c.closed_within());
    CHECK(s.srv.stats().connections_refused_total == 1);
    a.request("GET", "/metrics");
    auto text = a.read_body(a.read_head());
    INFO(text);
    CHECK(sample(text, "sockjs_connections_refused_total") == 1);
}
