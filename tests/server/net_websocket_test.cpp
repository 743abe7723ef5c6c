// WebSockets over real loopback sockets: RFC 6455 and hixie-76 handshakes byte for byte,
// echo, fragmentation, ping/pong, close handshakes and the protocol errors' close codes.

#include "net/websocket_frame.hpp"
#include "net_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>

using namespace sockjs::net;
using namespace sockjs::net::test;

namespace {

// Upgrades every request; echoes text messages; "close-me" makes the server close with 3000;
// records how each channel closed.
struct echo_ws {
    std::atomic<int> close_code{0};
    std::atomic<int> closes{0};
    std::size_t max_message = 1024;

    http_handler handler() {
        return [this](std::shared_ptr<exchange> ex, http_request& req) {
            auto ch = accept_websocket(ex, req, max_message);
            if (!ch) return;
            std::weak_ptr<ws_channel> weak = ch;
            fn_ws_listener::attach(
                *ch,
                [weak](std::string&& msg) {
                    auto c = weak.lock();
                    if (!c) return;
                    if (msg == "close-me") c->close(3000, "Go away!");
                    else c->send_text(msg);
                },
                [this](int code, std::string_view) {
                    close_code = code;
                    ++closes;
                });
        };
    }
};

}  // namespace

TEST_CASE("RFC 6455 handshake: exactly 101, Upgrade, Connection, the accept key, no length") {
    echo_ws app;
    test_server s(app.handler());
    client c(s.address());
    c.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Origin: http://asd\r\n\r\n");
    const std::string head = c.read_until("\r\n\r\n");
    CHECK(head ==
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=\r\n\r\n");
}

TEST_CASE("a bad handshake gets 400") {
    echo_ws app;
    test_server s(app.handler());
    SECTION("no key") {
        client c(s.address());
        c.send("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        CHECK(c.read_response().status == 400);
    }
    SECTION("malformed key") {
        client c(s.address());
        c.send("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n");
        CHECK(c.read_response().status == 400);
    }
    SECTION("unknown version") {
        client c(s.address());
        c.send("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n");
        const response r = c.read_response();
        CHECK(r.status == 400);
        CHECK(r.get("sec-websocket-version") == "13");
    }
}

TEST_CASE("messages are echoed, including ones sent with the handshake") {
    echo_ws app;
    app.max_message = 100000;
    test_server s(app.handler());
    client c(s.address());
    // The first frame travels in the same packet as the upgrade request.
    c.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" +
           client_frame(1, "early"));
    CHECK(c.read_response(true).status == 101);
    ws_frame f = read_frame(c);
    CHECK(f.opcode == 1);
    CHECK(f.payload == "early");
    const std::string big(70000, 'b');  // 64-bit length form both ways
    c.send(client_frame(1, "hi") + client_frame(1, big));
    CHECK(read_frame(c).payload == "hi");
    f = read_frame(c);
    CHECK(f.opcode == 1);
    CHECK(f.payload == big);
}

TEST_CASE("begin_text/end_text: a message built in the connection's buffer, framed for its size, in order") {
    // Each message comes back twice: once through send_text(), then built in place, so the
    // in-place one must follow what was written before it.
    std::atomic<int> in_place{0};
    http_handler h = [&](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 1 << 20);
        if (!ch) return;
        std::weak_ptr<ws_channel> weak = ch;
        fn_ws_listener::attach(
            *ch,
            [weak, &in_place](std::string&& msg) {
                auto c = weak.lock();
                if (!c) return;
                c->send_text(msg);
                std::string* out = c->begin_text(msg.size() + 1);
                if (!out) return;
                out->append(msg).push_back('!');
                // Counted, not CHECKed: this runs on the loop's thread, and Catch2's
                // assertions belong to the test's. After end_text(), which may already have
                // put a large message on the socket: the test waits for the count.
                if (c->end_text()) ++in_place;
            },
            [](int, std::string_view) {});
    };
    test_server s(h);
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    // 7-bit, 16-bit and 64-bit length forms of the header, each at its boundary.
    for (std::size_t n : {std::size_t{0}, std::size_t{124}, std::size_t{125}, std::size_t{65534}, std::size_t{65535},
                          std::size_t{70000}}) {
        const std::string msg(n, 'm');
        c.send(client_frame(1, msg));
        CHECK(read_frame(c).payload == msg);
        const ws_frame f = read_frame(c);
        CHECK(f.opcode == 1);
        CHECK(f.payload == msg + "!");
    }
    CHECK(eventually([&] { return in_place == 6; }));
}

TEST_CASE("begin_text: null once the channel is closing") {
    std::atomic<int> nulls{0};
    http_handler h = [&](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 1024);
        if (!ch) return;
        std::weak_ptr<ws_channel> weak = ch;
        fn_ws_listener::attach(
            *ch,
            [weak, &nulls](std::string&&) {
                auto c = weak.lock();
                if (!c) return;
                c->close(3000, "bye");
                if (!c->begin_text(1)) ++nulls;
            },
            [](int, std::string_view) {});
    };
    test_server s(h);
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(1, "x"));
    const ws_frame f = read_frame(c);
    CHECK(f.opcode == 8);  // the close, and nothing built after it
    CHECK(nulls == 1);
}

TEST_CASE("output for another connection, written inside this one's event, goes out too") {
    // A connection's own output is flushed when its event ends (tcp_connection::end_event);
    // what its event writes to a different connection waits in the loop's dirty list.
    std::mutex m;
    std::vector<std::weak_ptr<ws_channel>> channels;
    http_handler h = [&](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 1024);
        if (!ch) return;
        {
            std::lock_guard<std::mutex> lock(m);
            channels.push_back(ch);
        }
        fn_ws_listener::attach(
            *ch,
            [&](std::string&& msg) {
                std::vector<std::shared_ptr<ws_channel>> all;
                {
                    std::lock_guard<std::mutex> lock(m);
                    for (auto& w : channels)
                        if (auto c = w.lock()) all.push_back(c);
                }
                for (auto& c : all) c->send_text("to all: " + msg);
            },
            [](int, std::string_view) {});
    };
    net_options one_loop = test_server::small_options();
    one_loop.threads = 1;  // both connections on one loop: the write crosses inside one event
    test_server s(h, one_loop);
    client a(s.address()), b(s.address());
    REQUIRE(websocket_handshake(a).status == 101);
    REQUIRE(websocket_handshake(b).status == 101);
    for (int i = 0; i < 3; ++i) {
        client& from = i % 2 ? b : a;
        from.send(client_frame(1, std::to_string(i)));
        CHECK(read_frame(a).payload == "to all: " + std::to_string(i));
        CHECK(read_frame(b).payload == "to all: " + std::to_string(i));
    }
}

TEST_CASE("fragmented messages are reassembled, control frames may interleave") {
    echo_ws app;
    test_server s(app.handler());
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(1, "frag", false) + client_frame(9, "p") + client_frame(0, "men", false) +
           client_frame(0, "ted", true));
    ws_frame pong = read_frame(c);
    CHECK(pong.opcode == 10);
    CHECK(pong.payload == "p");
    CHECK(read_frame(c).payload == "fragmented");
}

TEST_CASE("ping gets a pong with the same payload") {
    echo_ws app;
    test_server s(app.handler());
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(9, "are you there"));
    const ws_frame f = read_frame(c);
    CHECK(f.opcode == 10);
    CHECK(f.payload == "are you there");
}

TEST_CASE("client close: echoed with its code, then the server closes TCP") {
    echo_ws app;
    test_server s(app.handler());
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(8, std::string("\x03\xe8", 2) + "bye"));
    const ws_frame f = read_frame(c);
    CHECK(f.opcode == 8);
    CHECK(f.close_code() == 1000);
    CHECK(c.closed_by_peer());
    CHECK(eventually([&] { return app.closes == 1; }));
    CHECK(app.close_code == 1000);
}

TEST_CASE("a ws_listener: it may drop the channel inside a callback, hears the close once and nothing after") {
    // Owns its channel as a session does, and lets go of it on "drop" while the channel is
    // still parsing the same packet.
    struct recorder final : ws_listener {
        std::mutex m;
        std::vector<std::string> events;
        std::shared_ptr<ws_channel> ch;
        void add(std::string e) {
            std::lock_guard l(m);
            events.push_back(std::move(e));
        }
        std::vector<std::string> copy() {
            std::lock_guard l(m);
            return events;
        }
        void on_ws_message(std::string&& msg) override {
            add("message:" + msg);
            if (msg == "drop") ch.reset();
        }
        void on_ws_closed(int code, std::string_view reason) override {
            add("close:" + std::to_string(code) + ":" + std::string(reason));
        }
    };
    auto rec = std::make_shared<recorder>();
    test_server s([rec](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 100);
        if (!ch) return;
        ch->listen(rec);
        rec->ch = std::move(ch);
    });
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(1, "drop") + client_frame(1, "after") +
           client_frame(8, std::string("\x03\xe8", 2) + "bye") + client_frame(1, "late"));
    const ws_frame f = read_frame(c);
    CHECK(f.opcode == 8);
    CHECK(f.close_code() == 1000);
    CHECK(c.closed_by_peer());
    CHECK(eventually([&] { return rec->copy().size() >= 3; }));
    std::this_thread::sleep_for(50ms);  // a second close or a late message would show now
    CHECK(rec->copy() == std::vector<std::string>{"message:drop", "message:after", "close:1000:bye"});
}

TEST_CASE("a ws_listener that goes away inside a callback hears nothing more, and the channel carries on") {
    // Held only by itself until "leave": the channel holds listeners weakly.
    struct leaver final : ws_listener {
        std::atomic<int>* messages;
        std::atomic<int>* closes;
        std::shared_ptr<leaver> self;
        void on_ws_message(std::string&& msg) override {
            ++*messages;
            if (msg == "leave") self.reset();  // destroys this listener once the call returns
        }
        void on_ws_closed(int, std::string_view) override { ++*closes; }
    };
    std::atomic<int> messages{0}, closes{0};
    test_server s([&](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 100);
        if (!ch) return;
        auto l = std::make_shared<leaver>();
        l->messages = &messages;
        l->closes = &closes;
        l->self = l;
        ch->listen(l);
    });
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(1, "one") + client_frame(1, "leave") + client_frame(1, "unheard") +
           client_frame(8, std::string("\x03\xe8", 2)));
    const ws_frame f = read_frame(c);  // the channel still answers the close handshake
    CHECK(f.opcode == 8);
    CHECK(f.close_code() == 1000);
    CHECK(c.closed_by_peer());
    std::this_thread::sleep_for(50ms);
    CHECK(messages == 2);
    CHECK(closes == 0);
}

TEST_CASE("server close: close frame with code and reason, then TCP closes after the echo") {
    echo_ws app;
    test_server s(app.handler());
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(1, "close-me"));
    const ws_frame f = read_frame(c);
    CHECK(f.opcode == 8);
    CHECK(f.close_code() == 3000);
    CHECK(f.payload.substr(2) == "Go away!");
    c.send(client_frame(8, f.payload.substr(0, 2)));
    CHECK(c.closed_by_peer());
    CHECK(eventually([&] { return app.closes == 1; }));
}

TEST_CASE("protocol errors close with the right code") {
    echo_ws app;
    app.max_message = 100;
    test_server s(app.handler());
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    int expected = 0;
    SECTION("invalid UTF-8 text: 1007") {
        c.send(client_frame(1, "\xc3\x28"));
        expected = 1007;
    }
    SECTION("too big: 1009") {
        c.send(client_frame(1, std::string(101, 'x')));
        expected = 1009;
    }
    SECTION("too big across fragments: 1009") {
        c.send(client_frame(1, std::string(60, 'x'), false) + client_frame(0, std::string(60, 'x')));
        expected = 1009;
    }
    SECTION("unmasked: 1002") {
        c.send(client_frame(1, "hi", true, false));
        expected = 1002;
    }
    SECTION("reserved bits: 1002") {
        c.send(client_frame(1, "hi", true, true, 4));
        expected = 1002;
    }
    SECTION("unknown opcode: 1002") {
        c.send(client_frame(3, "hi"));
        expected = 1002;
    }
    SECTION("oversized control frame: 1002") {
        c.send(client_frame(9, std::string(126, 'p')));
        expected = 1002;
    }
    SECTION("continuation without a start: 1002") {
        c.send(client_frame(0, "x"));
        expected = 1002;
    }
    const ws_frame f = read_frame(c);
    CHECK(f.opcode == 8);
    CHECK(f.close_code() == expected);
    CHECK(c.closed_by_peer());
    CHECK(eventually([&] { return app.closes == 1; }));
    CHECK(app.close_code == expected);
}

TEST_CASE("a dropped TCP connection reports 1006") {
    echo_ws app;
    test_server s(app.handler());
    {
        client c(s.address());
        REQUIRE(websocket_handshake(c).status == 101);
    }
    CHECK(eventually([&] { return app.closes == 1; }));
    CHECK(app.close_code == 1006);
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
}

TEST_CASE("hixie-76: the 101 head comes before the key bytes, then the MD5 answer, then frames") {
    echo_ws app;
    test_server s(app.handler());
    client c(s.address());
    const std::string host = "127.0.0.1:" + std::to_string(s.server.port());
    c.send("GET /echo/000/abc/websocket HTTP/1.1\r\nHost: " + host +
           "\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\nOrigin: http://" + host +
           "\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n");
    const std::string head = c.read_until("\r\n\r\n");
    CHECK(head == "HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Origin: http://" + host +
                  "\r\nSec-WebSocket-Location: ws://" + host + "/echo/000/abc/websocket\r\n\r\n");
    c.send("aaaaaaaa");
    CHECK(c.read_exact(16) == std::string("\xca\x34\x00\xd8\xa5\x08\x47\x97\x2c\xd5\x71\x5a\xba\xbf\x43\x7b", 16));
    c.send(std::string("\x00hello\xff", 7));
    CHECK(c.read_exact(7) == std::string("\x00hello\xff", 7));
    c.send(std::string("\xff\x00", 2));
    CHECK(c.read_exact(2) == std::string("\xff\x00", 2));
    CHECK(c.closed_by_peer());
    CHECK(eventually([&] { return app.closes == 1; }));
}

TEST_CASE("hixie-76: key bytes in the same packet as the head, frames sent before them queue") {
    std::atomic<int> opened{0};
    loop_expectations loop;
    test_server s([&](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 100);
        LOOP_EXPECT(loop, ch != nullptr);
        if (!ch) return;
        // Sent before the client's key bytes are read: must follow the challenge answer.
        LOOP_EXPECT(loop, ch->send_text("o"));
        std::weak_ptr<ws_channel> weak = ch;
        fn_ws_listener::attach(*ch, [weak](std::string&& msg) {
            if (auto c = weak.lock()) c->send_text("echo:" + msg);
        });
        ++opened;
    });
    client c(s.address());
    c.send("GET /ws HTTP/1.1\r\nHost: h:1\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
           "Origin: http://h:1\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
           "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\naaaaaaaa" + std::string("\x00hi\xff", 4));
    const std::string head = c.read_until("\r\n\r\n");
    CHECK(head.find("Sec-WebSocket-Location: ws://h:1/ws\r\n") != std::string::npos);
    CHECK(c.read_exact(16) == std::string("\xca\x34\x00\xd8\xa5\x08\x47\x97\x2c\xd5\x71\x5a\xba\xbf\x43\x7b", 16));
    CHECK(c.read_exact(3) == std::string("\x00o\xff", 3));
    CHECK(c.read_exact(9) == std::string("\x00" "echo:hi\xff", 9));
    CHECK(loop.failures().empty());
}

TEST_CASE("hixie-76: malformed keys get 400") {
    loop_expectations loop;
    test_server s([&loop](std::shared_ptr<exchange> ex, http_request& req) {
        LOOP_EXPECT(loop, accept_websocket(ex, req, 100) == nullptr);
    });
    client c(s.address());
    c.send("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
           "Sec-WebSocket-Key1: 12345\r\nSec-WebSocket-Key2: 1 2\r\n\r\n");
    CHECK(c.read_response().status == 400);
    CHECK(loop.failures().empty());
}

TEST_CASE("a WebSocket client that never reads is cut at the hard limit and reports 1006") {
    net_options o = test_server::small_options();
    o.write_hard_limit = 256u << 10;
    std::atomic<int> code{0};
    std::atomic<bool> send_failed{false};
    test_server s(
        [&](std::shared_ptr<exchange> ex, http_request& req) {
            auto ch = accept_websocket(ex, req, 100);
            fn_ws_listener::attach(*ch, {}, [&](int c, std::string_view) { code = c; });
            auto chunk = std::make_shared<std::string>(32u << 10, 'w');
            // Ignores backpressure on purpose: 32 KiB every millisecond. Only the pending
            // timer holds the tick, so it is freed once it stops re-arming.
            auto tick = std::make_shared<std::function<void()>>();
            std::weak_ptr<std::function<void()>> weak_tick = tick;
            loop* lp = &ch->owner();
            std::weak_ptr<ws_channel> weak = ch;
            *tick = [weak, chunk, weak_tick, lp, &send_failed] {
                auto c = weak.lock();
                if (!c || !c->send_text(*chunk)) {
                    send_failed = true;
                    return;
                }
                if (auto t = weak_tick.lock())
                    lp->add_timer(std::chrono::steady_clock::now() + 1ms, [t] { (*t)(); });
            };
            lp->post([tick] { (*tick)(); });
        },
        o);
    client c(s.address(), 2000ms, 4096);
    REQUIRE(websocket_handshake(c).status == 101);
    CHECK(eventually([&] { return send_failed.load(); }, 5000ms));
    CHECK(eventually([&] { return code == 1006; }));
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
}
