// HTTP/1.x over real loopback sockets: request bodies, keep-alive, pipelining, HTTP/1.0,
// streaming, limits and aborts.

#include "net_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <vector>

using namespace sockjs::net;
using namespace sockjs::net::test;

namespace {

// Answers every request with "<method> <path>?<query> <body>".
http_handler echo_handler() {
    return [](std::shared_ptr<exchange> ex, http_request& req) {
        std::string body = req.method + " " + req.path;
        if (!req.query.empty()) body += "?" + req.query;
        body += " " + req.body;
        ex->respond(200, {{"Content-Type", "text/plain"}}, body);
    };
}

}  // namespace

TEST_CASE("a request with Content-Length gets its body, and the response its length") {
    test_server s(echo_handler());
    client c(s.address());
    c.send("POST /a/b?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
    const response r = c.read_response();
    CHECK(r.status == 200);
    CHECK(r.version == "1.1");
    CHECK(r.get("content-length") == "19");
    CHECK(r.body == "POST /a/b?x=1 hello");
    CHECK_FALSE(r.has("connection"));  // HTTP/1.1 keeps the connection by default
}

TEST_CASE("a chunked request body is decoded") {
    test_server s(echo_handler());
    client c(s.address());
    c.send("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
           "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n");
    const response r = c.read_response();
    CHECK(r.status == 200);
    CHECK(r.body == "POST /c abcdefg");
}

TEST_CASE("a POST with neither Content-Length nor Transfer-Encoding has an empty body") {
    test_server s(echo_handler());
    client c(s.address());
    c.send("POST /xhr HTTP/1.1\r\nHost: h\r\n\r\n");
    const response r = c.read_response();
    CHECK(r.status == 200);
    CHECK(r.body == "POST /xhr ");
}

TEST_CASE("keep-alive: several requests on one connection, each answered") {
    test_server s(echo_handler());
    client c(s.address());
    for (int i = 0; i < 3; ++i) {
        c.send("GET /k" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
        const response r = c.read_response();
        CHECK(r.status == 200);
        CHECK(r.body == "GET /k" + std::to_string(i) + " ");
    }
}

TEST_CASE("keep-alive: a request sees nothing of the one before it on the connection") {
    // The connection reuses its request's buffers (http_request::clear()) and parser memory.
    http_handler h = [](std::shared_ptr<exchange> ex, http_request& req) {
        std::string body = req.method + " " + req.path + "?" + req.query + " [" + req.body + "]";
        for (const auto& [n, v] : req.headers) body += " " + n + "=" + v;
        body += req.http10 ? " 1.0" : " 1.1";
        body += " peer=" + req.peer.get().host().toString();
        ex->respond(200, {{"Content-Type", "text/plain"}}, body);
    };
    test_server s(h);
    client c(s.address());
    c.send("POST /first?q=1 HTTP/1.1\r\nHost: h\r\nOrigin: http://a.example\r\nContent-Type: text/plain;charset=UTF-8\r\n"
           "Content-Length: 11\r\n\r\nhello world");
    CHECK(c.read_response().body ==
          "POST /first?q=1 [hello world] Host=h Origin=http://a.example Content-Type=text/plain;charset=UTF-8 "
          "Content-Length=11 1.1 peer=127.0.0.1");
    c.send("POST /second HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
    CHECK(c.read_response().body == "POST /second? [hi] Host=h Transfer-Encoding=chunked 1.1 peer=127.0.0.1");
    c.send("GET /third HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    CHECK(c.read_response().body == "GET /third? [] Connection=keep-alive 1.0 peer=127.0.0.1");
}

TEST_CASE("pipelined requests are answered in order, one at a time, even when deferred") {
    // The first request is answered late from another thread; the second must wait for it.
    std::mutex m;
    std::vector<std::shared_ptr<exchange>> held;
    test_server s([&](std::shared_ptr<exchange> ex, http_request& req) {
        if (req.path == "/slow") {
            std::lock_guard<std::mutex> lock(m);
            held.push_back(ex);
            return;
        }
        ex->respond(200, {}, "fast");
    });
    client c(s.address());
    c.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\nGET /fast HTTP/1.1\r\nHost: h\r\n\r\n"
           "GET /fast HTTP/1.1\r\nHost: h\r\n\r\n");
    REQUIRE(eventually([&] {
        std::lock_guard<std::mutex> lock(m);
        return held.size() == 1;
    }));
    std::shared_ptr<exchange> slow;
    {
        std::lock_guard<std::mutex> lock(m);
        slow = held[0];
    }
    slow->owner().post([slow] { slow->respond(200, {}, "slow"); });
    CHECK(c.read_response().body == "slow");
    CHECK(c.read_response().body == "fast");
    CHECK(c.read_response().body == "fast");
}

TEST_CASE("HTTP/1.0 without keep-alive: Content-Length, Connection: close, then the close") {
    test_server s(echo_handler());
    client c(s.address());
    c.send("GET / HTTP/1.0\r\n\r\n");
    const response r = c.read_response();
    CHECK(r.status == 200);
    CHECK(r.get("connection") == "close");
    CHECK(r.get("content-length") == "6");
    CHECK(c.closed_by_peer());
}

TEST_CASE("HTTP/1.0 with Connection: Keep-Alive keeps the connection") {
    test_server s(echo_handler());
    client c(s.address());
    c.send("GET /1 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    response r = c.read_response();
    CHECK(r.get("connection") == "keep-alive");
    CHECK(r.body == "GET /1 ");
    c.send("GET /2 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    r = c.read_response();
    CHECK(r.status == 200);
    CHECK(r.body == "GET /2 ");
}

TEST_CASE("HTTP/1.1 with Connection: close gets Connection: close and the close") {
    test_server s(echo_handler());
    client c(s.address());
    c.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    const response r = c.read_response();
    CHECK(r.get("connection") == "close");
    CHECK(c.closed_by_peer());
}

TEST_CASE("204 and 304 carry no body and no Content-Length, HEAD gets the length only") {
    test_server s([](std::shared_ptr<exchange> ex, http_request& req) {
        if (req.path == "/204") ex->respond(204, {}, "");
        else if (req.path == "/304") ex->respond(304, {}, "");
        else ex->respond(200, {}, "twelve bytes");
    });
    client c(s.address());
    c.send("GET /204 HTTP/1.1\r\nHost: h\r\n\r\n");
    response r = c.read_response();
    CHECK(r.status == 204);
    CHECK_FALSE(r.has("content-length"));
    c.send("GET /304 HTTP/1.1\r\nHost: h\r\n\r\n");
    r = c.read_response();
    CHECK(r.status == 304);
    CHECK_FALSE(r.has("content-length"));
    c.send("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n");
    r = c.read_response(true);
    CHECK(r.get("content-length") == "12");
    c.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    r = c.read_response();
    CHECK(r.body == "twelve bytes");  // nothing of the HEAD's body was sent in between
}

TEST_CASE("streaming on HTTP/1.1: chunked, one chunk per write, terminated, kept alive") {
    loop_expectations loop;
    test_server s([&loop](std::shared_ptr<exchange> ex, http_request& req) {
        if (req.path != "/stream") {
            ex->respond(200, {}, "after");
            return;
        }
        ex->begin_stream(200, {{"Content-Type", "application/javascript"}});
        LOOP_EXPECT(loop, ex->write("h\n"));
        LOOP_EXPECT(loop, ex->write(""));  // ignored: an empty chunk would end the stream
        LOOP_EXPECT(loop, ex->write("o\n"));
        ex->end_stream();
        LOOP_EXPECT(loop, !ex->write("late"));
    });
    client c(s.address());
    c.send("POST /stream HTTP/1.1\r\nHost: h\r\n\r\n");
    const response r = c.read_response(true);
    CHECK(r.status == 200);
    CHECK(r.get("transfer-encoding") == "chunked");
    CHECK_FALSE(r.has("content-length"));
    CHECK(c.read_chunk() == "h\n");
    CHECK(c.read_chunk() == "o\n");
    CHECK(c.read_chunk() == "");
    c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(c.read_response().body == "after");
    CHECK(loop.failures().empty());
}

TEST_CASE("streaming on HTTP/1.0: no Transfer-Encoding, no Content-Length, close at the end") {
    test_server s([](std::shared_ptr<exchange> ex, http_request&) {
        ex->begin_stream(200, {});
        ex->write("h\n");
        ex->write("o\n");
        ex->end_stream();
    });
    client c(s.address());
    c.send("POST /stream HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    const response r = c.read_response(true);
    CHECK(r.status == 200);
    CHECK_FALSE(r.has("transfer-encoding"));
    CHECK_FALSE(r.has("content-length"));
    CHECK(c.read_to_close() == "h\no\n");
}

TEST_CASE("writes from other threads through loop::post reach a held stream") {
    std::mutex m;
    std::shared_ptr<exchange> held;
    test_server s([&](std::shared_ptr<exchange> ex, http_request&) {
        ex->begin_stream(200, {});
        std::lock_guard<std::mutex> lock(m);
        held = ex;
    });
    client c(s.address());
    c.send("POST / HTTP/1.1\r\nHost: h\r\n\r\n");
    REQUIRE(eventually([&] {
        std::lock_guard<std::mutex> lock(m);
        return held != nullptr;
    }));
    c.read_response(true);
    for (int i = 0; i < 5; ++i) held->owner().post([ex = held, i] { ex->write("m" + std::to_string(i)); });
    for (int i = 0; i < 5; ++i) CHECK(c.read_chunk() == "m" + std::to_string(i));
    held->owner().post([ex = held] { ex->end_stream(); });
    CHECK(c.read_chunk() == "");
}

TEST_CASE("Expect: 100-continue gets an interim 100 before the body is sent") {
    test_server s(echo_handler());
    client c(s.address());
    c.send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    CHECK(c.read_until("\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("abc");
    CHECK(c.read_response().body == "POST /e abc");
}

TEST_CASE("malformed requests get 400 and the connection closes") {
    test_server s(echo_handler());
    SECTION("garbage request line") {
        client c(s.address());
        c.send("this is not http\r\n\r\n");
        CHECK(c.read_response().status == 400);
        CHECK(c.closed_by_peer());
    }
    SECTION("bad Content-Length") {
        client c(s.address());
        c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12x\r\n\r\n");
        CHECK(c.read_response().status == 400);
        CHECK(c.closed_by_peer());
    }
    SECTION("both Content-Length and Transfer-Encoding") {
        client c(s.address());
        c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
        CHECK(c.read_response().status == 400);
    }
    SECTION("broken chunk size") {
        client c(s.address());
        c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        CHECK(c.read_response().status == 400);
    }
    SECTION("a transfer coding we do not implement, before chunked: 501 (RFC 9112 6.1)") {
        client c(s.address());
        c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        CHECK(c.read_response().status == 501);
    }
    SECTION("a final transfer coding other than chunked cannot be framed: 400 (RFC 9112 6.3)") {
        client c(s.address());
        c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n");
        CHECK(c.read_response().status == 400);
    }
    SECTION("unsupported version") {
        client c(s.address());
        c.send("GET / HTTP/2.0\r\n\r\n");
        CHECK(c.read_response().status == 505);
    }
}

TEST_CASE("a head larger than max_header_bytes gets 431") {
    net_options o = test_server::small_options();
    o.max_header_bytes = 1024;
    test_server s(echo_handler(), o);
    SECTION("complete but too big") {
        client c(s.address());
        c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
        CHECK(c.read_response().status == 431);
        CHECK(c.closed_by_peer());
    }
    SECTION("never ending") {
        client c(s.address());
        c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'a'));
        CHECK(c.read_response().status == 431);
        CHECK(c.closed_by_peer());
    }
}

TEST_CASE("a body larger than max_body_bytes gets 413") {
    net_options o = test_server::small_options();
    o.max_body_bytes = 100;
    test_server s(echo_handler(), o);
    SECTION("declared length") {
        client c(s.address());
        c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n");
        CHECK(c.read_response().status == 413);
        CHECK(c.closed_by_peer());
    }
    SECTION("chunked") {
        client c(s.address());
        c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + std::string(80, 'x') +
               "\r\n50\r\n" + std::string(80, 'y') + "\r\n0\r\n\r\n");
        CHECK(c.read_response().status == 413);
        CHECK(c.closed_by_peer());
    }
    SECTION("exactly the limit is fine") {
        client c(s.address());
        c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'z'));
        CHECK(c.read_response().status == 200);
    }
}

TEST_CASE("a head that trickles in slower than header_timeout gets 408") {
    net_options o = test_server::small_options();
    o.header_timeout = 300ms;
    test_server s(echo_handler(), o);
    client c(s.address());
    c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ");
    // One byte every 50 ms (slowloris) until the server answers; bounded.
    bool answered = false;
    const auto end = std::chrono::steady_clock::now() + 1500ms;
    while (!answered && std::chrono::steady_clock::now() < end) {
        try {
            c.send("a");
        } catch (const Poco::Exception&) {
            break;
        }
        answered = c.socket().poll(Poco::Timespan(50 * 1000), Poco::Net::Socket::SELECT_READ);
    }
    REQUIRE(answered);
    CHECK(c.read_response().status == 408);
    CHECK(c.closed_by_peer());
}

TEST_CASE("a connection that sends nothing is closed after header_timeout, silently") {
    net_options o = test_server::small_options();
    o.header_timeout = 200ms;
    test_server s(echo_handler(), o);
    client c(s.address());
    CHECK(c.read_to_close().empty());
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
}

TEST_CASE("an idle keep-alive connection is closed after keep_alive_timeout") {
    net_options o = test_server::small_options();
    o.keep_alive_timeout = 200ms;
    test_server s(echo_handler(), o);
    client c(s.address());
    c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(c.read_response().status == 200);
    CHECK(c.closed_by_peer());
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
}

TEST_CASE("an abort is reported once when the client goes away during a pending response") {
    std::atomic<int> aborts{0};
    std::mutex m;
    std::shared_ptr<exchange> held;
    test_server s([&](std::shared_ptr<exchange> ex, http_request& req) {
        fn_exchange_listener::attach(*ex, [&] { ++aborts; });
        if (req.path == "/stream") ex->begin_stream(200, {});
        std::lock_guard<std::mutex> lock(m);
        held = ex;
    });
    SECTION("long poll") {
        {
            client c(s.address());
            c.send("POST /poll HTTP/1.1\r\nHost: h\r\n\r\n");
            REQUIRE(eventually([&] {
                std::lock_guard<std::mutex> lock(m);
                return held != nullptr;
            }));
        }
        CHECK(eventually([&] { return aborts == 1; }));
    }
    SECTION("stream") {
        {
            client c(s.address());
            c.send("POST /stream HTTP/1.1\r\nHost: h\r\n\r\n");
            c.read_response(true);
        }
        CHECK(eventually([&] { return aborts == 1; }));
    }
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
    // Calls after the abort are harmless no-ops.
    std::shared_ptr<exchange> ex;
    {
        std::lock_guard<std::mutex> lock(m);
        ex = held;
    }
    std::atomic<bool> done{false}, wrote{false};
    ex->owner().post([&, ex] {
        wrote = ex->write("x");
        ex->respond(200, {}, "late");
        ex->end_stream();
        done = true;
    });
    CHECK(eventually([&] { return done.load(); }));
    CHECK_FALSE(wrote.load());
    CHECK(aborts == 1);
}

TEST_CASE("a request dropped by the handler without an answer gets 500") {
    test_server s([](std::shared_ptr<exchange>, http_request&) {});
    client c(s.address());
    c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(c.read_response().status == 500);
}

TEST_CASE("a handler that throws gets 500") {
    test_server s([](std::shared_ptr<exchange>, http_request&) { throw std::runtime_error("boom"); });
    client c(s.address());
    c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(c.read_response().status == 500);
}
