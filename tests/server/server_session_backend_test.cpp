// session_backend on the in-memory net (in_memory_net.hpp): timers on the fake clock, the
// WebSocket session's ends. No sockets, no sleeps.

#include "in_memory_net.hpp"

#include <sockjs/wrap.hpp>

#include <catch2/catch.hpp>

using namespace sockjs;
using namespace sockjs::test;
using namespace std::chrono_literals;

namespace {

service_options delays(millis heartbeat, millis disconnect) {
    service_options o;
    o.heartbeat_delay = heartbeat;
    o.disconnect_delay = disconnect;
    return o;
}

/// A SockJS WebSocket session on loop 0, opened; returns its channel.
std::shared_ptr<fake_ws_channel> open_websocket(in_memory_server& s) {
    auto ws = std::make_shared<fake_ws_channel>(s.loops[0]);
    s.loops[0].enter([&] {
        REQUIRE(s.svc->try_reserve());
        auto slot = std::make_shared<detail::session_backend>(*s.svc, s.loops[0], std::string(), transport::websocket);
        slot->make_connection(net::http_request{});
        slot->attach_websocket(ws);
    });
    s.settle();
    REQUIRE(ws->sent == std::vector<std::string>{"o"});
    return ws;
}

}  // namespace

TEST_CASE("session_backend: a polling session times out exactly disconnect_delay after its receiver left",
          "[sockjs_layer][session_backend]") {
    in_memory_server s(delays(25000ms, 5000ms));
    auto poll = s.request("POST", "/echo/000/s1/xhr");
    REQUIRE(poll->body == "o\n");
    REQUIRE(*s.log == app_log{"open"});

    s.advance(4999ms);
    CHECK(*s.log == app_log{"open"});
    CHECK(s.session("s1"));

    s.advance(1ms);
    CHECK(*s.log == app_log{"open", "close:1000:Session timed out"});
    // The closed session answers with its close frame for one more disconnect_delay, then goes.
    CHECK(s.session("s1"));
    s.advance(4999ms);
    CHECK(s.session("s1"));
    s.advance(1ms);
    CHECK_FALSE(s.session("s1"));
    CHECK(s.loops[0].timer_count() == 0);
    CHECK(s.svc->sessions.load() == 0);
}

namespace {

/// A receiver that records what the session writes to it (on loop 0).
class recording_receiver final : public detail::receiver {
public:
    explicit recording_receiver(net::loop& l) : loop_(l) {}
    void write(std::string&& bytes, bool end, int, std::string_view) override {
        written += bytes;
        ended = ended || end;
    }
    bool congested() const noexcept override { return false; }
    net::loop& loop() const noexcept override { return loop_; }

    std::string written;
    bool ended = false;

private:
    net::loop& loop_;
};

}  // namespace

TEST_CASE("session_backend: a request that reaches a session after it expired gets the core's close frame replay",
          "[sockjs_layer][session_backend]") {
    in_memory_server s(delays(25000ms, 5000ms));
    REQUIRE(s.request("POST", "/echo/000/s1/xhr")->body == "o\n");
    s.request("POST", "/echo/000/s1/xhr_send", "[\"x\"]");
    auto backend = s.session("s1");
    REQUIRE(backend);
    s.advance(10000ms);  // timed out at 5000 ms, then expired at 10000 ms: out of the registry
    REQUIRE_FALSE(s.session("s1"));

    // The request was already on its way to the session (it had been looked up before).
    auto r = std::make_shared<recording_receiver>(s.loops[0]);
    s.loops[0].enter([&] { backend->attach(r, transport::xhr, {}); });
    s.settle();
    CHECK(r->written == "c[1000,\"Session timed out\"]\n");
    CHECK(r->ended);
    CHECK(s.loops[0].timer_count() == 0);
}

TEST_CASE("session_backend: a held stream gets a heartbeat every heartbeat_delay of silence",
          "[sockjs_layer][session_backend]") {
    in_memory_server s(delays(1000ms, 5000ms));
    auto stream = s.request("POST", "/echo/000/s1/xhr_streaming");
    REQUIRE(stream->chunks.size() == 2);  // prelude, open frame
    CHECK(stream->chunks[1] == "o\n");

    s.advance(999ms);
    CHECK(stream->chunks.size() == 2);
    s.advance(1ms);
    REQUIRE(stream->chunks.size() == 3);
    CHECK(stream->chunks[2] == "h\n");

    // A frame written moves the next heartbeat: heartbeat_delay after it.
    s.advance(500ms);
    s.request("POST", "/echo/000/s1/xhr_send", "[\"x\"]");
    REQUIRE(stream->chunks.size() == 4);
    CHECK(stream->chunks[3] == "a[\"x\"]\n");
    s.advance(999ms);
    CHECK(stream->chunks.size() == 4);
    s.advance(1ms);
    REQUIRE(stream->chunks.size() == 5);
    CHECK(stream->chunks[4] == "h\n");
    CHECK_FALSE(stream->ended);
}

TEST_CASE("session_backend: a WebSocket closed by its peer with 1000 or 1001 is a normal closure, otherwise an interruption",
          "[sockjs_layer][session_backend]") {
    const auto [peer_code, heard] = GENERATE(table<int, std::string>({
        {1000, "close:1000:Normal closure"},
        {1001, "close:1000:Normal closure"},
        {1006, "close:1002:Connection interrupted"},
        {1002, "close:1002:Connection interrupted"},
        {4000, "close:1002:Connection interrupted"},
    }));
    in_memory_server s;
    auto ws = open_websocket(s);
    ws->closed(peer_code);
    s.settle();
    CHECK(*s.log == app_log{"open", heard});
    CHECK(s.svc->sessions.load() == 0);
    CHECK(s.loops[0].timer_count() == 0);
}

TEST_CASE("session_backend: broken framing on a WebSocket ends it at once with the core's close, no close frame",
          "[sockjs_layer][session_backend]") {
    const auto [message, code, reason] = GENERATE(table<std::string, int, std::string>({
        {"[\"unterminated", 3000, "Broken framing."},
        {"not json", 3000, "Broken framing."},
        {"{\"an\":\"object\"}", 3000, "Broken framing."},
    }));
    in_memory_server s;
    auto ws = open_websocket(s);
    ws->receive(message);
    s.settle();
    REQUIRE(ws->close_sent);
    CHECK(ws->close_sent->first == code);
    CHECK(ws->close_sent->second == reason);
    CHECK(ws->sent == std::vector<std::string>{"o"});  // no c[...] frame before the close
    CHECK(*s.log == app_log{"open", "close:" + std::to_string(code) + ":" + reason});
    ws->closed(1006);
    s.settle();
    CHECK(s.svc->sessions.load() == 0);
}

TEST_CASE("session_backend: a WebSocket message over max_message_size closes 1009",
          "[sockjs_layer][session_backend]") {
    service_options o;
    o.max_message_size = 8;
    in_memory_server s(o);
    auto ws = open_websocket(s);
    ws->receive("[\"123456789\"]");
    s.settle();
    REQUIRE(ws->close_sent);
    CHECK(ws->close_sent->first == 1009);
    CHECK(*s.log == app_log{"open", "close:1009:Message too big"});
}

TEST_CASE("session_backend: WebSocket messages reach the application and its replies go out as frames",
          "[sockjs_layer][session_backend]") {
    in_memory_server s;
    auto ws = open_websocket(s);
    ws->receive("[\"a\",\"b\"]");
    ws->receive("\"c\"");
    s.settle();
    CHECK(*s.log == app_log{"open", "message:a", "message:b", "message:c"});
    CHECK(ws->sent == std::vector<std::string>{"o", "a[\"a\",\"b\"]", "a[\"c\"]"});
}

TEST_CASE("session_backend: the application's close ends the WebSocket with its code after the close frame",
          "[sockjs_layer][session_backend]") {
    in_memory_server s;
    auto ws = open_websocket(s);
    // The connection id comes from the injected entropy: its first two numbers.
    auto app = s.srv.find(connection_id_from(0x9e3779b97f4a7c15ull, 0x9e3779b97f4a7c15ull * 2));
    REQUIRE(app);
    s.loops[0].enter([&] { app->close(3001, "bye"); });
    s.settle();
    CHECK(ws->sent.back() == "c[3001,\"bye\"]");
    REQUIRE(ws->close_sent);
    CHECK(ws->close_sent->first == 3001);
    CHECK(*s.log == app_log{"open", "close:3001:bye"});
}
