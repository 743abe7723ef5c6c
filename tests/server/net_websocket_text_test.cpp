// What goes out in text frames is well-formed UTF-8, and binary messages, which SockJS cannot
// carry, are refused with 1003 instead of coming back as invalid text (issue 9, defect 2).

#include "net/websocket_frame.hpp"
#include "net_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>

using namespace sockjs::net;
using namespace sockjs::net::test;

namespace {

const std::string fffd = "\xEF\xBF\xBD";

// Echoes text; "wtf8" makes the server send ill-formed text; "close" closes with a reason
// that is not UTF-8. Records how the channel closed.
struct text_app {
    std::atomic<int> close_code{0};
    std::atomic<int> closes{0};
    std::atomic<int> messages{0};

    http_handler handler() {
        return [this](std::shared_ptr<exchange> ex, http_request& req) {
            auto ch = accept_websocket(ex, req, 1 << 20);
            if (!ch) return;
            std::weak_ptr<ws_channel> weak = ch;
            fn_ws_listener::attach(*ch, [this, weak](std::string&& msg) {
                ++messages;
                auto c = weak.lock();
                if (!c) return;
                if (msg == "wtf8") {
                    c->send_text("a\xed\xa0\x80" "b");           // a lone surrogate (WTF-8)
                    c->send_text("\xed\xa0\x80\xed\xb0\x80");    // a pair written separately
                    c->send_text(std::string("\xff\xfe", 2));    // not UTF-8 at all
                } else if (msg == "close") {
                    c->close(3000, "bad\xff");
                } else {
                    c->send_text(msg);
                }
            }, [this](int code, std::string_view) {
                close_code = code;
                ++closes;
            });
        };
    }
};

}  // namespace

TEST_CASE("a binary message is refused with 1003, never echoed as text") {
    text_app app;
    test_server s(app.handler());
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    SECTION("a whole binary frame") {
        c.send(client_frame(2, std::string("\xff\xfe", 2)));
    }
    SECTION("the first fragment's header is enough: its payload is never waited for") {
        const std::string frame = client_frame(2, std::string(1000, 'b'), false);
        c.send(frame.substr(0, 8));  // header (2 + 2 length + 4 mask)
    }
    const ws_frame f = read_frame(c);
    CHECK(f.opcode == 8);
    CHECK(f.close_code() == 1003);
    CHECK(c.closed_by_peer());
    CHECK(eventually([&] { return app.closes == 1; }));
    CHECK(app.close_code == 1003);
    CHECK(app.messages == 0);
}

TEST_CASE("text frames we send are well-formed UTF-8: U+FFFD where the text is not") {
    text_app app;
    test_server s(app.handler());
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(1, "wtf8"));
    ws_frame f = read_frame(c);
    CHECK(f.opcode == 1);
    CHECK(f.payload == "a" + fffd + "b");
    f = read_frame(c);
    CHECK(f.payload == "\xf0\x90\x80\x80");  // U+10000, as a JavaScript peer would encode it
    f = read_frame(c);
    CHECK(f.payload == fffd + fffd);
    // Still open and echoing.
    c.send(client_frame(1, "still here"));
    CHECK(read_frame(c).payload == "still here");
}

TEST_CASE("a close reason that is not UTF-8 goes out with U+FFFD") {
    text_app app;
    test_server s(app.handler());
    client c(s.address());
    REQUIRE(websocket_handshake(c).status == 101);
    c.send(client_frame(1, "close"));
    const ws_frame f = read_frame(c);
    CHECK(f.opcode == 8);
    CHECK(f.close_code() == 3000);
    CHECK(f.payload.substr(2) == "bad" + fffd);
}

TEST_CASE("hixie-76: ill-formed text cannot end a frame early") {
    loop_expectations loop;
    test_server s([&loop](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 100);
        LOOP_EXPECT(loop, ch != nullptr);
        if (ch) LOOP_EXPECT(loop, ch->send_text(std::string("a\xff" "b\xed\xa0\x80", 6)));
    });
    client c(s.address());
    c.send("GET /ws HTTP/1.1\r\nHost: h:1\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
           "Origin: http://h:1\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
           "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\naaaaaaaa");
    c.read_until("\r\n\r\n");
    c.read_exact(16);
    CHECK(c.read_exact(10) == std::string(1, '\0') + "a" + fffd + "b" + fffd + "\xff");
    CHECK(loop.failures().empty());
}
