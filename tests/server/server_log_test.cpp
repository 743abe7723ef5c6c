// Log lines carry a level, and the library's own errors reach server_options::log.

#include "server_checks.hpp"

#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sjt;

namespace {

struct captured_log {
    std::mutex m;
    std::vector<std::string> lines;
    std::function<void(std::string_view)> sink() {
        return [this](std::string_view l) {
            std::lock_guard lock(m);
            lines.emplace_back(l);
        };
    }
    /// The first line containing `needle`, or "".
    std::string find(std::string_view needle) {
        std::lock_guard lock(m);
        for (const auto& l : lines)
            if (l.find(needle) != std::string::npos) return l;
        return {};
    }
    std::vector<std::string> all() {
        std::lock_guard lock(m);
        return lines;
    }
};

}  // namespace

TEST_CASE("log: every line starts with a level; a throwing handler is an error", "[log]") {
    captured_log log;
    auto opts = test_options();
    opts.log = log.sink();
    test_server s(
        [](sockjs::server& srv) {
            srv.route("/boom", sockjs::handlers{.on_message = [](sockjs::connection&, std::string_view) {
                          throw std::runtime_error("app bug");
                      }});
        },
        opts);
    ws_client c(s.port, "/boom/000/" + new_id() + "/websocket");
    CHECK(c.recv().data == "o");
    c.send_text("[\"x\"]");
    CHECK(c.recv().data.starts_with("c[1011"));
    REQUIRE(eventually([&] { return !log.find("event=close").empty(); }));
    auto err = log.find("app bug");
    CHECK(err.starts_with("level=error "));
    CHECK(log.find("event=open").starts_with("level=info "));
    static const std::regex shape(R"(^level=(info|warn|error) event=\w+( \w+=\S+)*.*$)");
    for (const auto& l : log.all()) {
        INFO(l);
        CHECK(std::regex_match(l, shape));
    }
}

TEST_CASE("log: a connection over write_hard_limit is reported through the callback", "[log]") {
    captured_log log;
    auto opts = test_options();
    opts.log = log.sink();
    opts.write_hard_limit = 64 * 1024;
    test_server s(
        [](sockjs::server& srv) {
            srv.http_route("GET", "/big", [](const sockjs::http_request_view&) {
                return sockjs::http_reply{.body = std::string(8u << 20, 'x')};
            });
        },
        opts);
    raw_http c(s.port);
    c.request("GET", "/big");  // and never read
    REQUIRE(eventually([&] { return !log.find("event=write_limit").empty(); }));
    auto line = log.find("event=write_limit");
    CHECK(line.starts_with("level=warn "));
    CHECK(line.find("write_hard_limit=65536") != std::string::npos);
}
