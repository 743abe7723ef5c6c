// raw_websocket_backend on the in-memory net: the framing-less /websocket endpoint passes
// messages and close codes through as they are.

#include "in_memory_net.hpp"
#include "raw_websocket_backend.hpp"

#include <catch2/catch.hpp>

using namespace sockjs;
using namespace sockjs::test;

namespace {

std::shared_ptr<fake_ws_channel> open_raw(in_memory_server& s) {
    auto ws = std::make_shared<fake_ws_channel>(s.loops[0]);
    s.loops[0].enter([&] {
        REQUIRE(s.svc->try_reserve());
        auto raw = std::make_shared<detail::raw_websocket_backend>(*s.svc, s.loops[0], ws);
        raw->make_connection(net::http_request{});
        raw->start();
    });
    s.settle();
    REQUIRE(*s.log == app_log{"open"});
    return ws;
}

}  // namespace

TEST_CASE("raw_websocket_backend: messages go to the application and back without SockJS frames",
          "[sockjs_layer][raw_websocket_backend]") {
    in_memory_server s;
    auto ws = open_raw(s);
    ws->receive("[\"not parsed\"");
    s.settle();
    CHECK(*s.log == app_log{"open", "message:[\"not parsed\""});
    CHECK(ws->sent == std::vector<std::string>{"[\"not parsed\""});
    CHECK(s.srv.stats().messages_sent_total == 1);
}

TEST_CASE("raw_websocket_backend: the peer's close code reaches the application as it is",
          "[sockjs_layer][raw_websocket_backend]") {
    const int code = GENERATE(1000, 1001, 1006, 4321);
    in_memory_server s;
    auto ws = open_raw(s);
    ws->closed(code);
    s.settle();
    CHECK(*s.log == app_log{"open", "close:" + std::to_string(code) + ":"});
    CHECK(s.svc->sessions.load() == 0);
}

TEST_CASE("raw_websocket_backend: the application's close closes the WebSocket with its code, once",
          "[sockjs_layer][raw_websocket_backend]") {
    in_memory_server s;
    auto ws = open_raw(s);
    auto app = s.srv.find(connection_id_from(0x9e3779b97f4a7c15ull, 0x9e3779b97f4a7c15ull * 2));
    REQUIRE(app);
    s.loops[0].enter([&] { app->close(4001, "done"); });
    REQUIRE(ws->close_sent);
    CHECK(*ws->close_sent == std::make_pair(4001, std::string("done")));
    CHECK_FALSE(app->send("late"));
    ws->closed(4001);  // the handshake completes: the application heard its own code already
    s.settle();
    CHECK(*s.log == app_log{"open", "close:4001:done"});
    CHECK(s.svc->sessions.load() == 0);
}
