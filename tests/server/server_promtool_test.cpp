// /metrics as Prometheus reads it: `promtool check metrics` (Debian's prometheus package)
// must find nothing to say about it, with sessions of several transports open, sessions closed
// on two services (close codes, histograms) and application metrics of every kind.

#include "server_checks.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using namespace sjt;
namespace fs = std::filesystem;

namespace {

struct promtool_result {
    int status = -1;
    std::string output;
};

/// `promtool check metrics` on `text`: its exit status and everything it printed.
promtool_result promtool_check(const std::string& text) {
    auto file = fs::temp_directory_path() / ("sockjs-metrics-" + new_id() + ".txt");
    std::ofstream(file, std::ios::binary) << text;
    promtool_result r;
    std::string cmd = "promtool check metrics < '" + file.string() + "' 2>&1";
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[4096];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
        r.status = ::pclose(p);
    }
    fs::remove(file);
    return r;
}

}  // namespace

TEST_CASE("promtool: the check itself catches a bad exposition", "[metrics][promtool]") {
    auto r = promtool_check("# HELP foo A thing.\n# TYPE foo counter\nfoo 1\n");
    INFO(r.output);
    CHECK(r.status != 0);  // a counter without _total (also fails if promtool is missing)
}

TEST_CASE("promtool: /metrics is clean", "[metrics][promtool]") {
    auto opts = test_options();
    opts.metrics_path = "/metrics";
    opts.metrics_close_codes = {3000};
    test_server s(add_suite_services, opts);
    // The application's metrics of every kind, next to the server's.
    s.srv.metrics().add_counter("app_things_total", "Things done.").inc(2);
    s.srv.metrics().add_gauge("app_level", "A level\nover two lines.").set(0.25);
    s.srv.metrics().add_callback_gauge("app_read_at_scrape", "Read at each scrape.", [] { return 42.0; });
    ws_client ws(s.port, "/echo/000/" + new_id() + "/websocket");
    CHECK(ws.recv().data == "o");
    raw_http stream(s.port);
    stream.request("POST", "/echo/000/" + new_id() + "/xhr_streaming");
    CHECK(stream.read_head().status == 200);
    ws.send_text("[\"m\"]");
    CHECK(ws.recv().data == "a[\"m\"]");
    // Closed sessions on two services (codes 3000 and 1000 / interrupted), so that the close
    // counter and both histograms have samples with values.
    CHECK(http(s.port, "POST", "/close/000/" + new_id() + "/xhr").body == "o\n");
    {
        ws_client raw(s.port, "/echo/websocket");
        raw.close(4999);
    }
    REQUIRE(eventually([&] { return s.srv.stats().sessions_closed_total == 2; }));

    auto r = http(s.port, "GET", "/metrics");
    REQUIRE(r.status == 200);
    for (const char* name : {"sockjs_sessions_closed_total{service=\"/close\",code=\"3000\"} 1",
                             "sockjs_session_duration_seconds_bucket{service=\"/echo\",le=\"+Inf\"} 1",
                             "sockjs_handler_duration_seconds_count{service=\"/echo\",handler=\"on_message\"} 1",
                             "app_things_total 2", "app_level 0.25", "app_read_at_scrape 42"}) {
        INFO(name);
        CHECK(r.body.find(std::string("\n") + name + "\n") != std::string::npos);
    }
    auto check = promtool_check(r.body);
    INFO(r.body);
    INFO(check.output);
    CHECK(check.status == 0);
    CHECK(check.output.empty());
}
