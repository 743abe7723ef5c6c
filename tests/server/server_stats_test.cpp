// stats: the Prometheus text exposition of a snapshot, and the counters, close codes and
// histograms of sessions driven through a server.

#include "server_test_util.hpp"

#include <sockjs/server_stats.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

namespace {

/// The value of the sample `series` (name with its labels, exactly as exposed), or -1.
double series(const std::string& text, const std::string& name_and_labels) {
    auto at = text.find("\n" + name_and_labels + " ");
    if (at == std::string::npos) return -1;
    at += name_and_labels.size() + 2;
    return std::stod(text.substr(at, text.find('\n', at) - at));
}

/// Checks a histogram's samples in `text`: buckets cumulative (never decreasing), the +Inf
/// bucket equal to _count, and returns _count.
double checked_histogram(const std::string& text, const std::string& name, const std::string& labels,
                         std::size_t finite_buckets) {
    std::istringstream in(text);
    std::string line;
    std::vector<double> buckets;
    const std::string prefix = name + "_bucket{" + labels + ",le=\"";
    while (std::getline(in, line))
        if (line.starts_with(prefix)) buckets.push_back(std::stod(line.substr(line.rfind(' ') + 1)));
    INFO(name << "{" << labels << "}");
    CHECK(buckets.size() == finite_buckets + 1);
    for (std::size_t i = 1; i < buckets.size(); ++i) CHECK(buckets[i - 1] <= buckets[i]);
    const double count = series(text, name + "_count{" + labels + "}");
    CHECK(text.find(prefix + "+Inf\"} ") != std::string::npos);
    if (!buckets.empty()) CHECK(buckets.back() == count);
    CHECK(series(text, name + "_sum{" + labels + "}") >= 0);
    return count;
}

}  // namespace

TEST_CASE("stats: sessions of two services, by service, close code and duration", "[stats][metrics]") {
    auto opts = sjt::test_options();
    opts.metrics_path = "/metrics";
    opts.metrics_close_codes = {3000, 3000, 2999, 5000};  // duplicates and out-of-range codes are dropped
    sjt::test_server s(sjt::add_suite_services, opts);

    {  // /echo over a SockJS WebSocket: two messages, then the client closes cleanly (1000).
        sjt::ws_client ws(s.port, "/echo/000/" + sjt::new_id() + "/websocket");
        CHECK(ws.recv().data == "o");
        ws.send_text("[\"a\",\"b\"]");
        CHECK(ws.recv().data == "a[\"a\",\"b\"]");
        ws.close(1000);
    }
    {  // /echo over a raw WebSocket: the peer closes with an application code nobody listed.
        sjt::ws_client raw(s.port, "/echo/websocket");
        raw.send_text("x");
        CHECK(raw.recv().data == "x");
        raw.close(4321);
    }
    // /close over xhr: the application closes with 3000 in on_open (listed: its own label).
    CHECK(sjt::http(s.port, "POST", "/close/000/" + sjt::new_id() + "/xhr").body == "o\n");

    REQUIRE(sjt::eventually([&] { return s.srv.stats().sessions_closed_total == 3; }));
    auto st = s.srv.stats();
    REQUIRE(st.services.count("/echo") == 1);
    const auto& echo = st.services.at("/echo");
    CHECK(echo.sessions_opened_total == 2);
    CHECK(echo.sessions_closed_by_code == std::map<std::string, std::uint64_t, std::less<>>{{"1000", 1}, {"other_app", 1}});
    CHECK(echo.messages_received_total == 3);
    CHECK(echo.session_duration_seconds.count() == 2);
    CHECK(echo.handler_duration_seconds.at("on_message").count() == 3);
    CHECK(echo.handler_duration_seconds.at("on_open").count() == 2);
    CHECK(echo.handler_duration_seconds.at("on_close").count() == 2);
    CHECK(st.services.at("/close").sessions_closed_by_code.at("3000") == 1);
    CHECK(st.services.at("/broadcast").sessions_opened_total == 0);  // every service is listed
    CHECK(st.sessions_opened_total == 3);  // the totals are the sums

    auto text = sjt::http(s.port, "GET", "/metrics").body;
    INFO(text);
    CHECK(series(text, "sockjs_sessions_opened_total{service=\"/echo\"}") == 2);
    CHECK(series(text, "sockjs_sessions_opened_total{service=\"/close\"}") == 1);
    CHECK(series(text, "sockjs_sessions{service=\"/echo\",transport=\"websocket\"}") == 0);
    CHECK(series(text, "sockjs_sessions_closed_total{service=\"/echo\",code=\"1000\"}") == 1);
    CHECK(series(text, "sockjs_sessions_closed_total{service=\"/echo\",code=\"other_app\"}") == 1);
    CHECK(series(text, "sockjs_sessions_closed_total{service=\"/close\",code=\"3000\"}") == 1);
    CHECK(series(text, "sockjs_sessions_closed_total{service=\"/close\",code=\"other_app\"}") == -1);
    CHECK(series(text, "sockjs_messages_received_total{service=\"/echo\"}") == 3);
    CHECK(series(text, "sockjs_messages_sent_total{service=\"/echo\"}") == 3);
    CHECK(checked_histogram(text, "sockjs_session_duration_seconds", "service=\"/echo\"", 8) == 2);
    CHECK(checked_histogram(text, "sockjs_session_duration_seconds", "service=\"/close\"", 8) == 1);
    CHECK(checked_histogram(text, "sockjs_session_duration_seconds", "service=\"/broadcast\"", 8) == 0);
    // Sessions of a test last well under an hour: every one is in the 3600 s bucket.
    CHECK(series(text, "sockjs_session_duration_seconds_bucket{service=\"/echo\",le=\"3600\"}") == 2);
    CHECK(checked_histogram(text, "sockjs_handler_duration_seconds", "service=\"/echo\",handler=\"on_message\"", 11) == 3);
    CHECK(checked_histogram(text, "sockjs_handler_duration_seconds", "service=\"/close\",handler=\"on_open\"", 11) == 1);
    CHECK(text.find("sockjs_handler_duration_seconds_bucket{service=\"/echo\",handler=\"on_message\",le=\"1e-05\"}") !=
          std::string::npos);
}

TEST_CASE("stats: the handler histogram measures the time spent in the callback", "[stats][metrics]") {
    auto opts = sjt::test_options();
    opts.metrics_path = "/metrics";
    sjt::test_server s(
        [](sockjs::server& srv) {
            srv.route("/slow", sockjs::handlers{.on_message = [](sockjs::connection& c, std::string_view m) {
                          std::this_thread::sleep_for(std::chrono::milliseconds(20));
                          c.send(m);
                      }});
        },
        opts);
    sjt::ws_client ws(s.port, "/slow/websocket");
    ws.send_text("x");
    CHECK(ws.recv().data == "x");
    auto text = sjt::http(s.port, "GET", "/metrics").body;
    INFO(text);
    const std::string labels = "service=\"/slow\",handler=\"on_message\"";
    CHECK(checked_histogram(text, "sockjs_handler_duration_seconds", labels, 11) == 1);
    CHECK(series(text, "sockjs_handler_duration_seconds_sum{" + labels + "}") >= 0.02);  // slept at least that
    CHECK(series(text, "sockjs_handler_duration_seconds_bucket{" + labels + ",le=\"0.01\"}") == 0);
    CHECK(series(text, "sockjs_handler_duration_seconds_bucket{" + labels + ",le=\"+Inf\"}") == 1);
}

TEST_CASE("stats: without services every transport is still listed, at zero", "[stats]") {
    sjt::test_server s([](sockjs::server&) {});
    auto st = s.srv.stats();
    CHECK(st.services.empty());
    CHECK(st.sessions_by_transport.size() == 7);  // six receiving transports and raw_websocket
    CHECK(st.sessions_by_transport.at("websocket") == 0);
    CHECK(st.sessions_by_transport.at("raw_websocket") == 0);
}
