// Scenarios around tests/data/client_behaviour.vectors that the replay
// (client_behaviour_vectors_test.cpp) cannot show: request counts (no request storm), many
// sends under a slow server, and reconnecting end to end with the core's reconnect_policy.

#include <sockjs/client/connection.hpp>

#include "support/events.hpp"
#include "support/fake_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace sockjs::client;
using namespace sockjs::client::test;
using sockjs::client_transport;
using sockjs::errc;

namespace {

const std::string info = R"({"websocket":true,"origins":["*:*"],"entropy":7})";
constexpr auto js = "application/javascript;charset=UTF-8";

// A server whose xhr-streaming opens and holds, and whose xhr_send runs `on_send`.
fake_server::script streaming_server(std::function<void(fake_request&)> on_send) {
    return [on_send](fake_request& r) {
        const auto seg = r.last_segment();
        if (seg == "info") return r.respond(200, "application/json", info);
        if (seg == "xhr_streaming") {
            r.start_chunked(200, js);
            r.chunk(std::string(2048, 'h') + "\no\n");
            return r.hold(10s);
        }
        if (seg == "xhr_send") return on_send(r);
        r.respond(404, "text/plain", "");
    };
}

}  // namespace

TEST_CASE("behaviour: a receiving response without a frame before open falls back, no request storm", "[fake][behaviour]") {
    std::atomic<int> streams{0};
    fake_server srv([&](fake_request& r) {
        const auto seg = r.last_segment();
        if (seg == "info") return r.respond(200, "application/json", info);
        if (seg == "xhr_streaming") {
            ++streams;
            return r.respond(200, js, "");  // ends at once, nothing in it
        }
        if (seg == "xhr") return r.respond(200, js, "o\n");
        if (seg == "xhr_send") return r.respond(204, "text/plain", "");
        r.respond(404, "text/plain", "");
    });
    options o;
    o.transports = {client_transport::xhr_streaming, client_transport::xhr_polling};
    connection c(srv.url(), o);
    require_next_open(c);
    CHECK(c.transport() == "xhr-polling");
    CHECK(streams.load() == 1);
}

TEST_CASE("behaviour: a receiving response without a frame after open loses the session", "[fake][behaviour]") {
    std::atomic<int> polls{0};
    fake_server srv([&](fake_request& r) {
        const auto seg = r.last_segment();
        if (seg == "info") return r.respond(200, "application/json", info);
        if (seg == "xhr") return r.respond(200, js, polls++ == 0 ? "o\n" : "");
        r.respond(404, "text/plain", "");
    });
    options o;
    o.transports = {client_transport::xhr_polling};
    connection c(srv.url(), o);
    require_next_open(c);
    const event e = require_close(c);
    CHECK(e.code == 1006);
    CHECK(e.reason == "Server lost session");
    CHECK(polls.load() == 2);  // the open, then the empty one: no third request
}

TEST_CASE("behaviour: an xhr_send answered 500 closes with 1006 Sending error", "[fake][behaviour]") {
    fake_server srv(streaming_server([](fake_request& r) { r.respond(500, "text/plain", "broken"); }));
    options o;
    o.transports = {client_transport::xhr_streaming};
    connection c(srv.url(), o);
    require_next_open(c);
    REQUIRE(c.send("hello") == errc::ok);
    const event e = require_close(c);
    CHECK(e.code == 1006);
    CHECK(e.reason == "Sending error: http status 500");
    CHECK_FALSE(e.was_clean);
}

TEST_CASE("behaviour: sends go one at a time and keep their order", "[fake][behaviour]") {
    std::mutex m;
    std::vector<std::string> bodies;
    fake_server srv(streaming_server([&](fake_request& r) {
        std::this_thread::sleep_for(20ms);  // a slow server: sends queue up meanwhile
        {
            std::lock_guard lk(m);
            bodies.push_back(r.body);
        }
        r.respond(204, "text/plain", "");
    }));
    options o;
    o.transports = {client_transport::xhr_streaming};
    connection c(srv.url(), o);
    require_next_open(c);
    for (int i = 0; i < 20; ++i) REQUIRE(c.send(std::to_string(i)) == errc::ok);
    REQUIRE(c.flush(5s));
    std::lock_guard lk(m);
    std::string all;
    for (const auto& b : bodies) all += b;
    // Every message once, in order, whatever the batching.
    std::string expected;
    for (int i = 0; i < 20; ++i) expected += "\"" + std::to_string(i) + "\"";
    std::string got;
    for (char ch : all)
        if (ch != '[' && ch != ']' && ch != ',') got += ch;
    CHECK(got == expected);
    CHECK(bodies.size() < 20);  // queued messages went together
}

TEST_CASE("behaviour: reconnect after a server's 1001 close frame, not after its 3000", "[fake][behaviour]") {
    std::atomic<int> sockets{0};
    fake_server srv([&](fake_request& r) {
        if (r.last_segment() == "info") return r.respond(200, "application/json", info);
        r.accept_websocket();
        r.ws_frame("o");
        const int n = sockets++;
        if (n == 0) return r.ws_frame("c[1001,\"Server shutting down\"]");
        if (n == 1) return r.ws_frame("c[3000,\"Go away!\"]");
        r.hold(10s);
    });
    options o;
    o.transports = {client_transport::websocket};
    o.reconnect.enabled = true;
    o.reconnect.initial_delay = 50ms;
    connection c(srv.url(), o);
    require_next_open(c);
    const event drained = require_close(c);
    CHECK(drained.code == 1001);
    CHECK(drained.was_clean);
    CHECK(drained.will_reconnect);
    require_next_open(c);
    const event gone = require_close(c);
    CHECK(gone.code == 3000);
    CHECK_FALSE(gone.will_reconnect);
    CHECK(sockets.load() == 2);
}

TEST_CASE("behaviour: after_server_close reconnects after any close frame", "[fake][behaviour]") {
    std::atomic<int> sockets{0};
    fake_server srv([&](fake_request& r) {
        if (r.last_segment() == "info") return r.respond(200, "application/json", info);
        r.accept_websocket();
        r.ws_frame("o");
        if (sockets++ == 0) return r.ws_frame("c[3000,\"Go away!\"]");
        r.hold(10s);
    });
    options o;
    o.transports = {client_transport::websocket};
    o.reconnect.enabled = true;
    o.reconnect.initial_delay = 50ms;
    o.reconnect.after_server_close = true;
    connection c(srv.url(), o);
    require_next_open(c);
    const event gone = require_close(c);
    CHECK(gone.code == 3000);
    CHECK(gone.will_reconnect);
    require_next_open(c);
    REQUIRE(c.close() == errc::ok);
    CHECK_FALSE(require_close(c).will_reconnect);
}

TEST_CASE("behaviour: a message in the same chunk as the close frame is dispatched while open", "[fake][behaviour]") {
    fake_server srv([](fake_request& r) {
        const auto seg = r.last_segment();
        if (seg == "info") return r.respond(200, "application/json", info);
        if (seg == "xhr_streaming") {
            r.start_chunked(200, js);
            r.chunk(std::string(2048, 'h') + "\no\n");
            r.chunk("a[\"last\"]\nc[3000,\"bye\"]\n");
            return r.hold(10s);
        }
        r.respond(404, "text/plain", "");
    });
    options o;
    o.transports = {client_transport::xhr_streaming};
    std::atomic<connection*> self{nullptr};
    std::vector<std::string> seen;  // the I/O thread writes it until on_close
    std::promise<void> closed;
    auto state = [&] {
        // The handlers may run before the constructor has returned.
        for (int i = 0; i < 1000 && !self.load(); ++i) std::this_thread::sleep_for(1ms);
        return std::to_string(static_cast<int>(self.load()->ready_state()));
    };
    event_handlers h;
    h.on_open = [&] { seen.push_back("open " + state()); };
    h.on_message = [&](const std::string& m) { seen.push_back("message " + m + " " + state()); };
    h.on_close = [&](int code, const std::string&, bool) {
        seen.push_back("close " + std::to_string(code) + " " + state());
        closed.set_value();
    };
    connection c(srv.url(), o, h);
    self = &c;
    REQUIRE(closed.get_future().wait_for(8s) == std::future_status::ready);
    // As in the browser (sockjs-client 1.6 gives the same): open while the message is
    // dispatched, closed in the close handler.
    CHECK(seen == std::vector<std::string>{"open 1", "message last 1", "close 3000 3"});
}
