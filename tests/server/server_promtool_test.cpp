// /metrics as Prometheus reads it: `promtool check metrics` (Debian's prometheus package)
// must find nothing to say about it, with sessions of several transports open.

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
    test_server s(add_suite_services, opts);
    ws_client ws(s.port, "/echo/000/" + new_id() + "/websocket");
    CHECK(ws.recv().data == "o");
    raw_http stream(s.port);
    stream.request("POST", "/echo/000/" + new_id() + "/xhr_streaming");
    CHECK(stream.read_head().status == 200);
    ws.send_text("[\"m\"]");
    CHECK(ws.recv().data == "a[\"m\"]");

    auto r = http(s.port, "GET", "/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.body.find("sockjs_") != std::string::npos);
    auto check = promtool_check(r.body);
    INFO(r.body);
    INFO(check.output);
    CHECK(check.status == 0);
    CHECK(check.output.empty());
}
