// Thousands of sessions opened and abandoned, on every kind of transport: all of them are
// reaped (sessions, connections, file descriptors), and the server keeps serving.

#include "server_checks.hpp"

#include <optional>

using namespace sjt;

namespace {

struct quick_expiry {
    quick_expiry() {
        auto opts = test_options();
        server = std::make_unique<test_server>(
            [this](sockjs::server& srv) {
                sockjs::service_options o;
                o.disconnect_delay = std::chrono::milliseconds(100);
                o.heartbeat_delay = std::chrono::milliseconds(200);
                svc = srv.route("/short",
                                sockjs::handlers{.on_message = [](sockjs::connection& c, std::string_view m) {
                                    c.send(m);
                                }},
                                o);
                add_suite_services(srv);
            },
            opts);
    }
    std::optional<sockjs::service> svc;
    std::unique_ptr<test_server> server;
};

}  // namespace

TEST_CASE("reaping: thousands of abandoned sessions are all freed, fds back to where they were", "[reaping][slow]") {
    quick_expiry f;
    auto port = f.server->port;
    auto& srv = f.server->srv;
    const auto fds_before = open_fds();

    // 2000 polling sessions, each opened once and never polled again.
    for (int i = 0; i < 2000; ++i) {
        auto r = http(port, "POST", "/short/000/" + new_id() + "/xhr");
        REQUIRE(r.body == "o\n");
    }
    // 300 streaming sessions and 300 WebSocket sessions whose clients vanish without a word.
    for (int i = 0; i < 300; ++i) {
        raw_http c(port);
        c.request("POST", "/short/000/" + new_id() + "/xhr_streaming");
        REQUIRE(c.read_head().status == 200);
        c.read_chunk();
        REQUIRE(c.read_chunk() == "o\n");
        c.close();
    }
    for (int i = 0; i < 300; ++i) {
        ws_client ws(port, "/short/000/" + new_id() + "/websocket");
        REQUIRE(ws.recv().data == "o");
        ws.drop();
    }
    CHECK(srv.stats().sessions_opened_total == 2600);

    CHECK(eventually([&] { return f.svc->session_count() == 0; }, 10s));
    auto st = srv.stats();
    CHECK(st.sessions_closed_total == 2600);
    for (const auto& [t, n] : st.sessions_by_transport) {
        INFO(t);
        CHECK(n == 0);
    }
    CHECK(eventually([&] { return srv.stats().connections == 0; }, 10s));
    CHECK(eventually([&] { return open_fds() <= fds_before; }, 10s));

    // Still serving, and the same machinery works again.
    CHECK(http(port, "POST", "/short/000/" + new_id() + "/xhr").body == "o\n");
}
