// metrics: the application's counters and gauges (sockjs/metrics.hpp): name checks at
// registration, thread-safe updates, and their place on the server's metrics endpoint.

#include "server_test_util.hpp"

#include <sockjs/metrics.hpp>

#include <catch2/catch.hpp>

#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

TEST_CASE("metrics: valid_metric_name follows the Prometheus grammar", "[metrics]") {
    for (const char* ok : {"a", "_", ":", "myapp_echoed_total", "ns:sub_metric", "A1_b2:c3", "_0"}) {
        INFO(ok);
        CHECK(sockjs::valid_metric_name(ok));
    }
    for (const char* bad : {"", "1a", "a-b", "a b", "a.b", "a{b}", "caf\xc3\xa9", "a\n", "a\"", "9_total"}) {
        INFO(bad);
        CHECK_FALSE(sockjs::valid_metric_name(bad));
    }
}

TEST_CASE("metrics: a refused name throws at registration and registers nothing", "[metrics]") {
    sockjs::metrics_registry r;
    r.add_counter("app_ok_total", "Fine.");
    CHECK_THROWS_AS(r.add_counter("app-bad_total", "Dash."), std::invalid_argument);
    CHECK_THROWS_AS(r.add_gauge("1app", "Leading digit."), std::invalid_argument);
    CHECK_THROWS_AS(r.add_gauge("", "Empty."), std::invalid_argument);
    CHECK_THROWS_AS(r.add_counter("app_requests", "A counter without _total."), std::invalid_argument);
    CHECK_THROWS_AS(r.add_counter("app_ok_total", "Twice."), std::invalid_argument);
    CHECK_THROWS_AS(r.add_gauge("app_ok_total", "Twice, as another type."), std::invalid_argument);
    CHECK_THROWS_AS(r.add_gauge("sockjs_sessions", "The server's own."), std::invalid_argument);
    CHECK_THROWS_AS(r.add_counter("process_cpu_seconds_total", "The process'."), std::invalid_argument);
    CHECK_THROWS_AS(r.add_callback_gauge("app_cb", "No callback.", {}), std::invalid_argument);
    CHECK_THROWS_WITH(r.add_gauge("a b", "x"), Catch::Contains("\"a b\""));
    const auto text = r.text();
    CHECK(text == "# HELP app_ok_total Fine.\n# TYPE app_ok_total counter\napp_ok_total 0\n");
    CHECK_NOTHROW(r.add_callback_gauge("app_cb", "Now with one.", [] { return 1.0; }));
}

TEST_CASE("metrics: counters and gauges, updated from several threads", "[metrics]") {
    sockjs::metrics_registry r;
    auto& c = r.add_counter("app_events_total", "Events.");
    auto& g = r.add_gauge("app_level", "A level.");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                c.inc();
                g.add(0.5);
            }
        });
    for (auto& t : threads) t.join();
    CHECK(c.value() == 40000);
    CHECK(g.value() == 20000.0);
    c.inc(5);
    g.set(-2.5);
    const auto text = r.text();
    CHECK(text.find("\napp_events_total 40005\n") != std::string::npos);
    CHECK(text.find("# TYPE app_level gauge\napp_level -2.5\n") != std::string::npos);
}

TEST_CASE("metrics: callback gauges, help escaping, a callback that throws", "[metrics]") {
    sockjs::metrics_registry r;
    int calls = 0;
    r.add_callback_gauge("app_queue_depth", "Jobs\\waiting\non the queue.", [&] { return ++calls * 1.5; });
    r.add_callback_gauge("app_broken", "Throws.", []() -> double { throw std::runtime_error("no"); });
    r.add_callback_gauge("app_ratio", "Not a number.", [] { return std::numeric_limits<double>::quiet_NaN(); });
    auto text = r.text();
    CHECK(text.find("# HELP app_queue_depth Jobs\\\\waiting\\non the queue.\n") != std::string::npos);
    CHECK(text.find("\napp_queue_depth 1.5\n") != std::string::npos);
    CHECK(text.find("# TYPE app_broken gauge\n") != std::string::npos);
    CHECK(text.find("\napp_broken ") == std::string::npos);  // sample left out, nothing broken
    CHECK(text.find("\napp_ratio NaN\n") != std::string::npos);
    CHECK(r.text().find("\napp_queue_depth 3\n") != std::string::npos);  // read again at each scrape
}

TEST_CASE("metrics: the application's metrics on the server's endpoint", "[metrics]") {
    auto opts = sjt::test_options();
    opts.metrics_path = "/metrics";
    sockjs::metric_counter* echoed = nullptr;
    sjt::test_server s(
        [&](sockjs::server& srv) {
            echoed = &srv.metrics().add_counter("app_echoed_total", "Messages echoed.");
            srv.route("/echo", sockjs::handlers{.on_message = [&](sockjs::connection& c, std::string_view m) {
                          echoed->inc();
                          c.send(m);
                      }});
        },
        opts);
    s.srv.metrics().add_gauge("app_after_start", "Registered while running.").set(7);
    sjt::ws_client ws(s.port, "/echo/websocket");
    for (int i = 0; i < 3; ++i) {
        ws.send_text("m");
        CHECK(ws.recv().data == "m");
    }
    auto text = sjt::http(s.port, "GET", "/metrics").body;
    INFO(text);
    CHECK(text.find("# TYPE app_echoed_total counter\napp_echoed_total 3\n") != std::string::npos);
    CHECK(text.find("\napp_after_start 7\n") != std::string::npos);
    // After the server's own (and in metrics_text() as well).
    CHECK(text.find("sockjs_build_info") < text.find("app_echoed_total"));
    CHECK(s.srv.metrics_text().find("\napp_echoed_total 3\n") != std::string::npos);
}
