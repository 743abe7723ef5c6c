// The client against servers that misbehave (an in-process fake server) or do not exist, on
// each transport: every case must end in a close event with a clear code, quickly, and
// never crash or hang.

#include <sockjs/client/connection.hpp>

#include "support/events.hpp"
#include "support/fake_server.hpp"
#include "support/port_lease.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>

using namespace sockjs::client;
using namespace sockjs::client::test;
using sockjs::client_transport;
using sockjs::errc;

namespace {

using clock_type = std::chrono::steady_clock;

const std::string good_info = R"({"websocket":true,"cookie_needed":false,"origins":["*:*"],"entropy":7})";

// How the fake server behaves as a SockJS server.
struct plan {
    std::vector<std::string> frames;  // delivered in order by the receiving transport
    bool hold_after = false;          // keep the receiver open afterwards (else end it)
    bool http_garbage = false;        // answer transport requests with bytes that are not HTTP
};

// Websocket: one connection carries every frame. xhr-streaming: the first response carries
// them all (after the prelude). xhr-polling: one frame per poll. Once they are used up, a
// receiver either holds or gets 404, as for a session the server forgot.
fake_server::script sockjs_script(plan p) {
    auto polls = std::make_shared<std::atomic<int>>(0);
    auto streams = std::make_shared<std::atomic<int>>(0);
    return [p, polls, streams](fake_request& r) {
        const std::string seg = r.last_segment();
        if (seg == "info") return r.respond(200, "application/json;charset=UTF-8", good_info);
        if (seg == "xhr_send") return r.respond(204, "text/plain;charset=UTF-8", "");
        if (p.http_garbage) return r.write("this is not HTTP at all\r\n\r\n");
        if (seg == "websocket") {
            r.accept_websocket();
            for (const auto& f : p.frames) r.ws_frame(f);
            if (p.hold_after) r.hold(10s);
            return;
        }
        if (seg == "xhr_streaming") {
            if ((*streams)++ > 0) {
                if (p.hold_after) r.hold(10s);
                return r.respond(404, "text/plain", "no such session");
            }
            r.start_chunked(200, "application/javascript;charset=UTF-8");
            r.chunk(std::string(2048, 'h') + "\n");
            for (const auto& f : p.frames) r.chunk(f + "\n");
            if (p.hold_after) r.hold(10s);
            return r.end_chunks();
        }
        if (seg == "xhr") {
            const auto n = static_cast<std::size_t>((*polls)++);
            if (n < p.frames.size())
                return r.respond(200, "application/javascript;charset=UTF-8", p.frames[n] + "\n");
            if (p.hold_after) r.hold(10s);
            return r.respond(404, "text/plain", "no such session");
        }
        r.respond(404, "text/plain", "not found");
    };
}

options only(client_transport t) {
    options o;
    o.transports = {t};
    return o;
}


void check_garbage_after_open(client_transport t) {
    fake_server srv(sockjs_script(
        {{"o", "x-not-a-frame", "a[broken", "a[1,2]", "c[bad", "a{\"no\":1}", "a[\"after the garbage\"]"}}));
    connection c(srv.url(), only(t));
    require_next_open(c);
    // Unparsable frames are ignored, as sockjs-client does; the good one still arrives.
    CHECK(messages(c, 1, 5s) == std::vector<std::string>{"after the garbage"});
    // Then the server ends the receiver and forgets the session: lost, 1006.
    const event e = require_close(c, 5s);
    CHECK(e.code == 1006);
    CHECK_FALSE(e.was_clean);
}

void check_garbage_before_open(client_transport t) {
    fake_server srv(sockjs_script({{"garbage", "zzz", "a[\"x\"]"}, true}));
    options o = only(t);
    o.timeout = 1s;
    connection c(srv.url(), o);
    const auto start = clock_type::now();
    const event e = require_close(c, 6s);
    CHECK(e.code == 2000);  // the only transport timed out waiting for `o`
    CHECK(e.reason == "All transports failed");
    CHECK_FALSE(e.was_clean);
    CHECK(clock_type::now() - start < 4s);
}

void check_http_garbage(client_transport t) {
    fake_server srv(sockjs_script({{}, false, true}));
    options o = only(t);
    o.timeout = 5s;  // the failure, not this timeout, must end it
    connection c(srv.url(), o);
    const auto start = clock_type::now();
    const event e = require_close(c, 6s);
    CHECK(e.code == 2000);
    CHECK_FALSE(e.was_clean);
    CHECK(clock_type::now() - start < 3s);
    CHECK_FALSE(c.last_error().empty());
}

void check_oversized_frame(client_transport t) {
    fake_server srv(sockjs_script({{"o", "a[\"" + std::string(4000, 'x') + "\"]"}, true}));
    options o = only(t);
    o.max_frame_size = 1024;
    connection c(srv.url(), o);
    require_next_open(c);
    const event e = require_close(c, 5s);
    CHECK(e.code == 1006);
    CHECK_FALSE(e.was_clean);
}

void check_second_open(client_transport t) {
    fake_server srv(sockjs_script({{"o", "a[\"one\"]", "o"}, true}));
    connection c(srv.url(), only(t));
    require_next_open(c);
    CHECK(messages(c, 1) == std::vector<std::string>{"one"});
    const event e = require_close(c, 5s);
    CHECK(e.code == 1006);
    CHECK(e.reason == "Server lost session");
}

void check_refused_after_info(client_transport t) {
    // /info answers, then nothing listens any more: every transport connect is refused.
    std::unique_ptr<fake_server> srv;
    srv = std::make_unique<fake_server>([&srv](fake_request& r) {
        if (r.last_segment() != "info") return r.respond(404, "text/plain", "");
        srv->stop_listening();
        r.respond(200, "application/json", good_info);
    });
    connection c(srv->url(), only(t));
    const auto start = clock_type::now();
    const event e = require_close(c, 5s);
    CHECK(e.code == 2000);
    CHECK_FALSE(e.was_clean);
    CHECK(clock_type::now() - start < 3s);
}

void check_no_server(client_transport t) {
    port_lease nobody;  // leased, so nothing else of ours listens there
    connection c("http://127.0.0.1:" + std::to_string(nobody.port()) + "/echo", only(t));
    const auto start = clock_type::now();
    const event e = require_close(c, 5s);
    CHECK(e.code == 1002);
    CHECK(e.reason == "Cannot connect to server");
    CHECK_FALSE(e.was_clean);
    CHECK(clock_type::now() - start < 3s);
    CHECK(c.ready_state() == sockjs::ready_state::closed);
}

void check_destructor_while_receiving(client_transport t) {
    fake_server srv(sockjs_script({{"o"}, true}));  // opens, then holds the receiver
    auto c = std::make_unique<connection>(srv.url(), only(t));
    require_next_open(*c);
    const auto start = clock_type::now();
    c.reset();
    CHECK(clock_type::now() - start < 2s);
}

}  // namespace

#define SOCKJS_CLIENT_FAKE_MATRIX(T, TNAME)                                                                          \
    TEST_CASE("fake " TNAME ": unparsable frames after open are skipped, then the end closes 1006",                 \
              "[fake][" TNAME "]") {                                                                                 \
        check_garbage_after_open(T);                                                                                 \
    }                                                                                                                \
    TEST_CASE("fake " TNAME ": only garbage before open times out to 2000", "[fake][" TNAME "]") {                   \
        check_garbage_before_open(T);                                                                                \
    }                                                                                                                \
    TEST_CASE("fake " TNAME ": a reply that is not HTTP fails the transport (2000)", "[fake][" TNAME "]") {          \
        check_http_garbage(T);                                                                                       \
    }                                                                                                                \
    TEST_CASE("fake " TNAME ": a frame over max_frame_size breaks the transport (1006)", "[fake][" TNAME "]") {      \
        check_oversized_frame(T);                                                                                    \
    }                                                                                                                \
    TEST_CASE("fake " TNAME ": a second open frame closes 1006 Server lost session", "[fake][" TNAME "]") {          \
        check_second_open(T);                                                                                        \
    }                                                                                                                \
    TEST_CASE("fake " TNAME ": transport connection refused after /info closes 2000", "[fake][" TNAME "]") {         \
        check_refused_after_info(T);                                                                                 \
    }                                                                                                                \
    TEST_CASE("none " TNAME ": no server at all closes 1002 at once", "[none][" TNAME "]") { check_no_server(T); }   \
    TEST_CASE("fake " TNAME ": the destructor stops an open receiver promptly", "[fake][" TNAME "]") {               \
        check_destructor_while_receiving(T);                                                                         \
    }

SOCKJS_CLIENT_FAKE_MATRIX(client_transport::websocket, "websocket")
SOCKJS_CLIENT_FAKE_MATRIX(client_transport::xhr_streaming, "xhr-streaming")
SOCKJS_CLIENT_FAKE_MATRIX(client_transport::xhr_polling, "xhr-polling")

TEST_CASE("fake: /info that never answers closes 1002 after connect_timeout", "[fake]") {
    fake_server srv([](fake_request& r) { r.hold(10s); });
    options o;
    o.connect_timeout = 1s;
    connection c(srv.url(), o);
    // Nothing can be sent while connecting.
    CHECK(c.ready_state() == sockjs::ready_state::connecting);
    CHECK(c.send("too early") == errc::session_not_open);
    const auto start = clock_type::now();
    const event e = require_close(c, 5s);
    CHECK(e.code == 1002);
    CHECK(clock_type::now() - start < 3s);
}

TEST_CASE("fake: /info answering 500 closes 1002", "[fake]") {
    fake_server srv([](fake_request& r) { r.respond(500, "text/plain", "broken"); });
    connection c(srv.url());
    const event e = require_close(c, 5s);
    CHECK(e.code == 1002);
    CHECK(c.last_error().find("500") != std::string::npos);
}

TEST_CASE("fake: an /info body that is not JSON counts as {} (all defaults), as in sockjs-client", "[fake]") {
    fake_server srv([](fake_request& r) {
        if (r.last_segment() == "info") return r.respond(200, "application/json", "<html>not json</html>");
        if (r.last_segment() != "websocket") return r.respond(404, "text/plain", "");
        r.accept_websocket();
        r.ws_frame("o");
        r.hold(10s);
    });
    connection c(srv.url());
    require_next_open(c);
    CHECK(c.transport() == "websocket");  // the default: websocket allowed
}

TEST_CASE("fake: close() while /info is pending ends at once with the application's code", "[fake]") {
    fake_server srv([](fake_request& r) { r.hold(10s); });
    connection c(srv.url());
    REQUIRE(c.close(3001, "changed my mind") == errc::ok);
    const event e = require_close(c, 2s);
    CHECK(e.code == 3001);
    CHECK(e.reason == "changed my mind");
    CHECK(e.was_clean);
}

TEST_CASE("fake websocket: a fragmented message is reassembled", "[fake][websocket]") {
    fake_server srv([](fake_request& r) {
        if (r.last_segment() == "info") return r.respond(200, "application/json", good_info);
        r.accept_websocket();
        r.ws_frame("o");
        r.ws_frame("a[\"frag", 1, false);
        r.ws_frame("men", 0, false);
        r.ws_frame("ted\"]", 0, true);
        r.hold(10s);
    });
    connection c(srv.url(), only(client_transport::websocket));
    require_next_open(c);
    CHECK(messages(c, 1) == std::vector<std::string>{"fragmented"});
}

TEST_CASE("fake websocket: a close frame with a code after open closes with that code", "[fake][websocket]") {
    fake_server srv([](fake_request& r) {
        if (r.last_segment() == "info") return r.respond(200, "application/json", good_info);
        r.accept_websocket();
        r.ws_frame("o");
        r.ws_frame(std::string("\x0f\xa0", 2) + "custom", 8);  // 4000 "custom"
        r.hold(2s);
    });
    connection c(srv.url(), only(client_transport::websocket));
    require_next_open(c);
    const event e = require_close(c, 5s);
    CHECK(e.code == 4000);
    CHECK(e.reason == "custom");
    CHECK_FALSE(e.was_clean);
}

TEST_CASE("fake websocket: broken WebSocket framing closes 1006", "[fake][websocket]") {
    fake_server srv([](fake_request& r) {
        if (r.last_segment() == "info") return r.respond(200, "application/json", good_info);
        r.accept_websocket();
        r.ws_frame("o");
        r.ws_frame("a[\"orphan\"]", 0, true);  // a continuation with nothing to continue
        r.hold(2s);
    });
    connection c(srv.url(), only(client_transport::websocket));
    require_next_open(c);
    const event e = require_close(c, 5s);
    CHECK(e.code == 1006);
    CHECK(c.last_error().find("continuation") != std::string::npos);
}

TEST_CASE("fake websocket: a declared 2^40-byte frame is refused without allocating it", "[fake][websocket]") {
    fake_server srv([](fake_request& r) {
        if (r.last_segment() == "info") return r.respond(200, "application/json", good_info);
        r.accept_websocket();
        r.ws_frame("o");
        r.write(std::string("\x81\x7f\x00\x00\x01\x00\x00\x00\x00\x00", 10));  // text, length 2^40
        r.hold(2s);
    });
    connection c(srv.url(), only(client_transport::websocket));
    require_next_open(c);
    const event e = require_close(c, 5s);
    CHECK(e.code == 1006);
}

TEST_CASE("fake: opt-in reconnect opens a new session after a loss", "[fake][websocket]") {
    std::atomic<int> sockets{0};
    std::vector<std::string> paths;
    std::mutex m;
    fake_server srv([&](fake_request& r) {
        if (r.last_segment() == "info") return r.respond(200, "application/json", good_info);
        {
            std::lock_guard lk(m);
            paths.push_back(r.path);
        }
        r.accept_websocket();
        r.ws_frame("o");
        if (sockets++ == 0) return;  // first session: lost at once
        r.hold(10s);
    });
    options o = only(client_transport::websocket);
    o.reconnect.enabled = true;
    o.reconnect.initial_delay = 100ms;
    connection c(srv.url(), o);
    require_next_open(c);
    const event lost = require_close(c, 5s);
    CHECK(lost.code == 1006);
    CHECK(lost.will_reconnect);
    require_next_open(c);
    {
        std::lock_guard lk(m);
        REQUIRE(paths.size() == 2);
        CHECK(paths[0] != paths[1]);  // a fresh session id
    }
    REQUIRE(c.close() == errc::ok);
    const event done = require_close(c, 5s);
    CHECK(done.code == 1000);
    CHECK_FALSE(done.will_reconnect);
}

TEST_CASE("fake: reconnect gives up after max_attempts", "[fake]") {
    port_lease nobody;
    options o;
    o.reconnect.enabled = true;
    o.reconnect.initial_delay = 50ms;
    o.reconnect.max_attempts = 2;
    connection c("http://127.0.0.1:" + std::to_string(nobody.port()) + "/echo", o);
    int closes = 0;
    for (;;) {
        const event e = require_close(c, 5s);
        ++closes;
        CHECK(e.code == 1002);
        if (!e.will_reconnect) break;
    }
    CHECK(closes == 3);  // the first try and two more
    CHECK_FALSE(c.next_event(0ms));
}
