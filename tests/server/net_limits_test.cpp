// Resource limits and leaks: clients that do not read, pipelining floods, connection limits,
// many abandoned connections (every descriptor released), backpressure with drain reports.

#include "net_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <vector>

using namespace sockjs::net;
using namespace sockjs::net::test;

TEST_CASE("a client that never reads is closed at write_hard_limit, others are still served") {
    net_options o = test_server::small_options();
    o.threads = 1;  // the flood and the other client share the loop
    o.write_low_watermark = 16u << 10;
    o.write_high_watermark = 64u << 10;
    o.write_hard_limit = 256u << 10;
    std::atomic<bool> aborted{false};
    std::atomic<bool> write_failed{false};
    test_server s(
        [&](std::shared_ptr<exchange> ex, http_request& req) {
            if (req.path != "/flood") {
                ex->respond(200, {}, "still here");
                return;
            }
            ex->begin_stream(200, {});
            // Ignores backpressure on purpose: 64 KiB every millisecond.
            auto chunk = std::make_shared<std::string>(64u << 10, 'f');
            auto tick = std::make_shared<std::function<void()>>();
            loop* lp = &ex->owner();
            *tick = [ex, chunk, tick, lp, &write_failed] {
                if (!ex->write(*chunk)) {
                    write_failed = true;
                    return;
                }
                lp->add_timer(std::chrono::steady_clock::now() + 1ms, *tick);
            };
            fn_exchange_listener::attach(*ex, [&aborted, tick] {
                aborted = true;
                *tick = nullptr;  // breaks the tick <-> exchange cycle
            });
            (*tick)();
        },
        o);
    Poco::Net::StreamSocket raw(Poco::Net::SocketAddress::IPv4);
    raw.setReceiveBufferSize(4096);
    raw.connect(s.address());
    const std::string req = "GET /flood HTTP/1.1\r\nHost: h\r\n\r\n";
    raw.sendBytes(req.data(), static_cast<int>(req.size()));
    REQUIRE(eventually([&] { return write_failed.load(); }, 5000ms));
    CHECK(eventually([&] { return aborted.load(); }));
    {
        client other(s.address());
        other.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        CHECK(other.read_response().body == "still here");
    }
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
}

TEST_CASE("pipelined requests from a client that reads late are all answered, in order") {
    net_options o = test_server::small_options();
    o.write_low_watermark = 4u << 10;
    o.write_high_watermark = 16u << 10;
    test_server s(
        [](std::shared_ptr<exchange> ex, http_request& req) {
            ex->respond(200, {}, req.path + std::string(1000, '.'));
        },
        o);
    client c(s.address());
    constexpr int n = 2000;
    std::string burst;
    for (int i = 0; i < n; ++i) burst += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n";
    c.send(burst);
    std::this_thread::sleep_for(100ms);  // the server stops parsing once its buffer is full
    int in_order = 0;
    for (int i = 0; i < n; ++i) {
        const response r = c.read_response();
        if (r.status == 200 && r.body.compare(0, r.body.find('.'), "/" + std::to_string(i)) == 0) ++in_order;
        else break;
    }
    CHECK(in_order == n);
}

TEST_CASE("max_connections: extra connections are accepted and closed at once") {
    net_options o = test_server::small_options();
    o.max_connections = 3;
    std::atomic<int> held{0};
    std::mutex m;
    std::vector<std::shared_ptr<exchange>> keep;
    test_server s(
        [&](std::shared_ptr<exchange> ex, http_request& req) {
            if (req.path == "/hold") {
                std::lock_guard<std::mutex> lock(m);
                keep.push_back(ex);
                ++held;
                return;
            }
            ex->respond(200, {}, "ok");
        },
        o);
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<client>(s.address()));
        clients.back()->send("GET /hold HTTP/1.1\r\nHost: h\r\n\r\n");
    }
    REQUIRE(eventually([&] { return held == 3; }));
    {
        client extra(s.address());
        CHECK(extra.closed_by_peer());
    }
    clients.pop_back();  // frees a slot
    REQUIRE(eventually([&] { return s.server.connection_count() == 2; }));
    client again(s.address());
    again.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(again.read_response().status == 200);
    std::lock_guard<std::mutex> lock(m);
    for (auto& ex : keep) ex->owner().post([ex] { ex->respond(200, {}, ""); });
}

TEST_CASE("many connections opened and abandoned: the count returns to 0, no descriptor leaks") {
    std::mutex m;
    std::vector<std::shared_ptr<ws_channel>> channels;
    test_server s([&](std::shared_ptr<exchange> ex, http_request& req) {
        if (req.path == "/ws") {
            auto ch = accept_websocket(ex, req, 1000);
            std::lock_guard<std::mutex> lock(m);
            channels.push_back(ch);  // held past the connection's death: must be harmless
            return;
        }
        if (req.path == "/stream") {
            ex->begin_stream(200, {});
            ex->write("x");
            fn_exchange_listener::attach(*ex, [ex] {});  // holds the exchange until the abort
            return;
        }
        if (req.path == "/poll") {
            fn_exchange_listener::attach(*ex, [ex] {});
            return;
        }
        ex->respond(200, {}, std::string(100000, 'b'));  // more than the client will read
    });
    REQUIRE(eventually([&] { return s.server.connection_count() == 0; }));
    const std::size_t fds_before = open_fds();
    const char* requests[] = {
        "",                                             // nothing at all
        "GET / HTTP/1.1\r\nHost: h\r\nHo",                         // half a head
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc",  // half a body
        "GET /big HTTP/1.1\r\nHost: h\r\n\r\n",         // a response it does not read
        "GET /poll HTTP/1.1\r\nHost: h\r\n\r\n",        // a pending long poll
        "GET /stream HTTP/1.1\r\nHost: h\r\n\r\n",      // an open stream
        // (one literal in parentheses: clang takes two adjacent ones in a list for a missing comma)
        ("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"),
    };
    {
        std::vector<std::unique_ptr<Poco::Net::StreamSocket>> sockets;
        for (int i = 0; i < 210; ++i) {
            auto sock = std::make_unique<Poco::Net::StreamSocket>(s.address());
            const std::string r = requests[i % 7];
            if (!r.empty()) sock->sendBytes(r.data(), static_cast<int>(r.size()));
            if (i % 2) sock->setLinger(true, 0);  // half of them are reset instead of closed
            sockets.push_back(std::move(sock));
        }
        REQUIRE(eventually([&] { return s.server.connection_count() == 210; }));
    }
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
    CHECK(eventually([&] { return open_fds() == fds_before; }));
    std::lock_guard<std::mutex> lock(m);
    CHECK(channels.size() == 30);
    // The sends run on the loop threads; Catch assertions are not thread-safe, so the results
    // come back through atomics and are checked here.
    std::atomic<int> ran{0}, accepted{0};
    for (auto& ch : channels) {
        ch->owner().post([ch, &ran, &accepted] {
            if (ch->send_text("late")) ++accepted;
            ++ran;
        });
    }
    REQUIRE(eventually([&] { return ran.load() == 30; }));
    CHECK(accepted.load() == 0);
}

TEST_CASE("backpressure: a producer that waits for drains sends everything intact") {
    net_options o = test_server::small_options();
    o.write_low_watermark = 8u << 10;
    o.write_high_watermark = 32u << 10;
    // More than the kernel's send buffer takes (tcp_wmem's maximum, 4 MiB here), and the
    // client reads only after a pause: large writes go to the socket at once, so a client
    // that keeps up could spare the producer any wait.
    constexpr std::size_t total = 12u << 20;
    std::atomic<int> drains{0};
    test_server s(
        [&](std::shared_ptr<exchange> ex, http_request&) {
            ex->begin_stream(200, {});
            auto sent = std::make_shared<std::size_t>(0);
            auto pump = std::make_shared<std::function<void()>>();
            auto listener = fn_exchange_listener::attach(*ex, {}, [pump] {
                if (*pump) (*pump)();
            });
            *pump = [ex, sent, pump, listener, &drains] {
                ++drains;
                while (*sent < total && ex->buffered() <= 32u << 10) {
                    std::string chunk(4096, static_cast<char>('a' + (*sent / 4096) % 26));
                    if (!ex->write(chunk)) return;
                    *sent += chunk.size();
                }
                if (*sent >= total) {
                    ex->end_stream();
                    listener->release();
                    *pump = nullptr;
                }
            };
            (*pump)();
        },
        o);
    client c(s.address(), 5000ms, 8192);
    c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    std::this_thread::sleep_for(300ms);
    const response r = c.read_response();
    REQUIRE(r.body.size() == total);
    bool intact = true;
    for (std::size_t i = 0; i < total; i += 4096)
        intact = intact && r.body[i] == static_cast<char>('a' + (i / 4096) % 26);
    CHECK(intact);
    CHECK(drains > 1);  // it had to wait at least once
}
