// The public API (server.hpp, connection.hpp): both ways to write a service, several
// prefixes, what a connection knows, sending from other threads, broadcast, limits, timers,
// metrics and the graceful stop.

#include "server_checks.hpp"

#include <atomic>
#include <cctype>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include <sched.h>

using namespace sjt;

namespace {

struct Echo : sockjs::connection {
    void on_message(std::string_view m) override { send(m); }
};

std::string session_url(const std::string& service) { return service + "/000/" + new_id(); }

/// What a service saw, for tests to look at from their own thread.
struct observed {
    std::mutex m;
    std::vector<std::string> events;
    std::shared_ptr<sockjs::connection> last;
    void add(std::string e) {
        std::lock_guard l(m);
        events.push_back(std::move(e));
    }
    std::vector<std::string> copy() {
        std::lock_guard l(m);
        return events;
    }
    std::shared_ptr<sockjs::connection> conn() {
        std::lock_guard l(m);
        return last;
    }
};

sockjs::handlers recording(observed& o) {
    return sockjs::handlers{
        .on_open =
            [&o](sockjs::connection& c) {
                {
                    std::lock_guard l(o.m);
                    o.last = c.shared_from_this();
                }
                o.add("open");
            },
        .on_message = [&o](sockjs::connection&, std::string_view m) { o.add("message:" + std::string(m)); },
        .on_close = [&o](sockjs::connection&, int code, std::string_view reason) {
            o.add("close:" + std::to_string(code) + ":" + std::string(reason));
        }};
}

}  // namespace

TEST_CASE("api: a connection class per session (route<T>)", "[api]") {
    test_server s([](sockjs::server& srv) { srv.route<Echo>("/echo"); });
    ws_client ws(s.port, session_url("/echo") + "/websocket");
    CHECK(ws.recv().data == "o");
    ws.send_text(R"(["hi","there"])");
    // Both replies were queued in one turn of the loop: one frame.
    CHECK(ws.recv().data == "a[\"hi\",\"there\"]");
}

TEST_CASE("api: a factory makes the session objects", "[api]") {
    std::atomic<int> made{0};
    test_server s([&](sockjs::server& srv) {
        srv.route("/f", sockjs::server::factory([&] {
                      ++made;
                      return std::make_shared<Echo>();
                  }));
    });
    CHECK(http(s.port, "POST", session_url("/f") + "/xhr").body == "o\n");
    CHECK(http(s.port, "POST", session_url("/f") + "/xhr").body == "o\n");
    CHECK(made == 2);
}

TEST_CASE("api: the lambda form gets open, messages and close in order", "[api]") {
    observed o;
    test_server s([&](sockjs::server& srv) {
        sockjs::service_options opts;
        opts.disconnect_delay = std::chrono::milliseconds(100);
        srv.route("/rec", recording(o), opts);
    });
    auto url = session_url("/rec");
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, R"(["a","b"])").status == 204);
    REQUIRE(eventually([&] { return o.copy().size() >= 3; }));
    // No receiver for 100 ms: the session times out.
    REQUIRE(eventually([&] { return o.copy().size() == 4; }));
    auto ev = o.copy();
    CHECK(ev[0] == "open");
    CHECK(ev[1] == "message:a");
    CHECK(ev[2] == "message:b");
    CHECK(ev[3].rfind("close:", 0) == 0);
}

TEST_CASE("api: malformed and duplicate prefixes are refused, and routes are fixed at start", "[api]") {
    sockjs::server srv(test_options());
    CHECK_THROWS_AS(srv.route<Echo>("echo"), std::invalid_argument);
    CHECK_THROWS_AS(srv.route<Echo>("/echo/"), std::invalid_argument);
    CHECK_THROWS_AS(srv.route<Echo>(""), std::invalid_argument);
    CHECK_THROWS_AS(srv.route<Echo>("/a?b"), std::invalid_argument);
    srv.route<Echo>("/echo");
    CHECK_THROWS_AS(srv.route<Echo>("/echo"), std::invalid_argument);
    srv.start();
    CHECK_THROWS_AS(srv.route<Echo>("/late"), std::logic_error);
    srv.stop();
}

TEST_CASE("api: each prefix has its own options and the longest prefix wins", "[api]") {
    test_server s([](sockjs::server& srv) {
        srv.route<Echo>("/a");
        sockjs::service_options cookie;
        cookie.jsessionid = true;
        srv.route<Echo>("/a/b", cookie);
    });
    CHECK(std::regex_search(http(s.port, "GET", "/a/info").body, std::regex(R"("cookie_needed": *false)")));
    CHECK(std::regex_search(http(s.port, "GET", "/a/b/info").body, std::regex(R"("cookie_needed": *true)")));
    CHECK(http(s.port, "POST", session_url("/a/b") + "/xhr").has("Set-Cookie"));
    CHECK_FALSE(http(s.port, "POST", session_url("/a") + "/xhr").has("Set-Cookie"));
}

TEST_CASE("api: a connection knows its request", "[api]") {
    observed o;
    test_server s([&](sockjs::server& srv) { srv.route("/rec", recording(o)); });
    auto url = session_url("/rec");
    raw_http stream(s.port);
    stream.request("POST", url + "/xhr_streaming", {{"Cookie", "a=1; JSESSIONID=xyz"}, {"X-Custom", "hello"}});
    CHECK(stream.read_head().status == 200);
    REQUIRE(eventually([&] { return o.conn() != nullptr; }));
    auto c = o.conn();
    CHECK(c->transport() == "xhr_streaming");
    CHECK(c->prefix() == "/rec");
    CHECK(c->path() == url + "/xhr_streaming");
    CHECK(c->remote_address().rfind("127.0.0.1:", 0) == 0);
    CHECK(c->header("x-custom") == "hello");
    CHECK_FALSE(c->header("X-Missing"));
    CHECK(c->cookie("JSESSIONID") == "xyz");
    CHECK(c->cookie("a") == "1");
    CHECK_FALSE(c->cookie("b"));
    CHECK(c->id().size() == 24);
    CHECK(s.srv.find(c->id()) == c);
}

TEST_CASE("api: headers() are the client's, duplicates kept, without a WebSocket's handshake headers", "[api]") {
    observed o;
    test_server s([&](sockjs::server& srv) { srv.route("/rec", recording(o)); });
    ws_client ws(s.port, session_url("/rec") + "/websocket",
                 {{"X-Dup", "first"}, {"x-dup", "second"}, {"Origin", "http://example.com"}});
    CHECK(ws.recv().data == "o");
    REQUIRE(eventually([&] { return o.conn() != nullptr; }));
    auto c = o.conn();
    const auto hs = c->headers();
    auto values_of = [&](std::string_view name) {
        std::vector<std::string> v;
        for (const auto& [k, val] : hs)
            if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                }))
                v.push_back(val);
        return v;
    };
    CHECK(values_of("x-dup") == std::vector<std::string>{"first", "second"});
    CHECK(values_of("Origin") == std::vector<std::string>{"http://example.com"});
    CHECK(values_of("Host").size() == 1);
    for (const char* gone : {"Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version"}) {
        INFO(gone);
        CHECK(values_of(gone).empty());
        CHECK_FALSE(c->header(gone));
    }
    CHECK(c->header("X-DUP") == "first");
    CHECK(c->header("origin") == "http://example.com");
    CHECK_FALSE(c->header("X-Du"));
    CHECK_FALSE(c->header("X-Dupe"));
}

TEST_CASE("api: a connection no server opened knows no request", "[api]") {
    Echo c;
    CHECK(c.remote_address().empty());
    CHECK(c.prefix().empty());
    CHECK(c.path().empty());
    CHECK(c.headers().empty());
    CHECK_FALSE(c.header("Host"));
    CHECK_FALSE(c.cookie("a"));
}

TEST_CASE("api: ids are unique and find() forgets closed connections", "[api]") {
    observed o;
    test_server s([&](sockjs::server& srv) { srv.route("/rec", recording(o)); });
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        ws_client ws(s.port, session_url("/rec") + "/websocket");
        CHECK(ws.recv().data == "o");
        REQUIRE(eventually([&] { return o.conn() != nullptr; }));
        ids.push_back(o.conn()->id());
        {
            std::lock_guard l(o.m);
            o.last.reset();
        }
        ws.close();
        CHECK(ws.recv().kind == ws_message::close);
    }
    std::sort(ids.begin(), ids.end());
    CHECK(std::unique(ids.begin(), ids.end()) == ids.end());
    CHECK(eventually([&] { return s.srv.find(ids.front()) == nullptr && s.srv.find(ids.back()) == nullptr; }));
}

TEST_CASE("api: close() in on_open rejects the session with a close frame", "[api]") {
    test_server s([](sockjs::server& srv) {
        srv.route("/no", sockjs::handlers{.on_open = [](sockjs::connection& c) { c.close(4001, "Not today"); }});
    });
    ws_client ws(s.port, session_url("/no") + "/websocket");
    CHECK(ws.recv().data == "o");
    CHECK(ws.recv().data == "c[4001,\"Not today\"]");
    auto m = ws.recv();
    REQUIRE(m.kind == ws_message::close);
    CHECK(m.code == 4001);
}

TEST_CASE("api: an exception in a handler closes that session with 1011 only", "[api]") {
    test_server s([](sockjs::server& srv) {
        srv.route("/throw", sockjs::handlers{.on_message = [](sockjs::connection&, std::string_view) {
                      throw std::runtime_error("application bug");
                  }});
        srv.route<Echo>("/echo");
    });
    ws_client ws(s.port, session_url("/throw") + "/websocket");
    CHECK(ws.recv().data == "o");
    ws.send_text(R"(["x"])");
    CHECK(ws.recv().data == "c[1011,\"Internal server error\"]");
    ws_client other(s.port, session_url("/echo") + "/websocket");
    CHECK(other.recv().data == "o");
    other.send_text(R"(["fine"])");
    CHECK(other.recv().data == "a[\"fine\"]");
}

TEST_CASE("api: send() from another thread keeps order and reaches a receiver on any loop", "[api][threads]") {
    observed o;
    test_server s([&](sockjs::server& srv) { srv.route("/rec", recording(o)); });
    auto url = session_url("/rec");
    raw_http stream(s.port);
    stream.request("POST", url + "/xhr_streaming");
    CHECK(stream.read_head().status == 200);
    stream.read_chunk();
    CHECK(stream.read_chunk() == "o\n");
    REQUIRE(eventually([&] { return o.conn() != nullptr; }));
    auto c = o.conn();
    constexpr int n = 500;
    std::thread t([&] {
        for (int i = 0; i < n; ++i) c->send(std::to_string(i));
    });
    t.join();
    std::string got;
    int next = 0;
    while (next < n) {
        auto chunk = stream.read_chunk();
        REQUIRE_FALSE(chunk.empty());
        // a["0","1",...]\n: the numbers must come back in order, batched or not.
        std::regex num("\"([0-9]+)\"");
        for (std::sregex_iterator it(chunk.begin(), chunk.end(), num), end; it != end; ++it) {
            REQUIRE(std::stoi((*it)[1].str()) == next);
            ++next;
        }
    }
    CHECK(next == n);
}

TEST_CASE("api: messages sent to a session on another loop stay in order", "[api][threads]") {
    test_server s;  // two loops: each xhr_send is a new connection, landing on either loop
    auto url = session_url("/echo");
    raw_http stream(s.port);
    stream.request("POST", url + "/xhr_streaming");
    CHECK(stream.read_head().status == 200);
    stream.read_chunk();
    CHECK(stream.read_chunk() == "o\n");
    for (int i = 0; i < 30; ++i) {
        CHECK(http(s.port, "POST", url + "/xhr_send", {}, "[\"" + std::to_string(i) + "\"]").status == 204);
        CHECK(stream.read_chunk() == "a[\"" + std::to_string(i) + "\"]\n");
    }
}

TEST_CASE("api: broadcast reaches every session of the service once, on every loop and transport", "[api][broadcast]") {
    test_server s;
    std::vector<std::unique_ptr<ws_client>> sockets;
    for (int i = 0; i < 6; ++i) {
        sockets.push_back(std::make_unique<ws_client>(s.port, session_url("/broadcast") + "/websocket"));
        CHECK(sockets.back()->recv().data == "o");
    }
    ws_client raw(s.port, "/broadcast/websocket");
    raw_http stream(s.port);
    auto url = session_url("/broadcast");
    stream.request("POST", url + "/xhr_streaming");
    stream.read_head();
    stream.read_chunk();
    CHECK(stream.read_chunk() == "o\n");
    ws_client bystander(s.port, session_url("/echo") + "/websocket");
    CHECK(bystander.recv().data == "o");
    REQUIRE(eventually([&] { return s.srv.stats().sessions_by_transport.at("raw_websocket") == 1; }));

    sockets[0]->send_text(R"(["to all \u2028"])");
    for (auto& ws : sockets) CHECK(ws->recv().data == "a[\"to all \\u2028\"]");
    CHECK(raw.recv().data == "to all \xe2\x80\xa8");
    CHECK(stream.read_chunk() == "a[\"to all \\u2028\"]\n");

    s.srv.broadcast("/broadcast", "from the server");
    for (auto& ws : sockets) CHECK(ws->recv().data == "a[\"from the server\"]");
    CHECK(raw.recv().data == "from the server");
    // The /echo session heard none of it.
    bystander.send_text(R"(["mine"])");
    CHECK(bystander.recv().data == "a[\"mine\"]");
}

TEST_CASE("api: max_sessions refuses new sessions with 503", "[api][limits]") {
    test_server s([](sockjs::server& srv) {
        sockjs::service_options o;
        o.max_sessions = 2;
        srv.route<Echo>("/two", o);
    });
    CHECK(http(s.port, "POST", session_url("/two") + "/xhr").body == "o\n");
    ws_client ws(s.port, session_url("/two") + "/websocket");
    CHECK(ws.recv().data == "o");
    CHECK(http(s.port, "POST", session_url("/two") + "/xhr").status == 503);
    CHECK(ws_handshake_response(s.port, session_url("/two") + "/websocket").status == 503);
    CHECK(ws_handshake_response(s.port, "/two/websocket").status == 503);
    CHECK(s.srv.stats().sessions_refused_total == 3);
    ws.close();
    CHECK(ws.recv().kind == ws_message::close);
    CHECK(eventually([&] { return http(s.port, "POST", session_url("/two") + "/xhr").status == 200; }));
}

TEST_CASE("api: heartbeats while a receiver waits", "[api][timers]") {
    test_server s([](sockjs::server& srv) {
        sockjs::service_options o;
        o.heartbeat_delay = std::chrono::milliseconds(100);
        srv.route<Echo>("/hb", o);
    });
    raw_http stream(s.port);
    stream.request("POST", session_url("/hb") + "/xhr_streaming");
    stream.read_head();
    stream.read_chunk();
    CHECK(stream.read_chunk() == "o\n");
    CHECK(stream.read_chunk() == "h\n");
    CHECK(stream.read_chunk() == "h\n");
    ws_client ws(s.port, session_url("/hb") + "/websocket");
    CHECK(ws.recv().data == "o");
    CHECK(ws.recv().data == "h");
}

TEST_CASE("api: a session without a receiver expires after disconnect_delay", "[api][timers]") {
    observed o;
    std::optional<sockjs::service> svc;
    test_server s([&](sockjs::server& srv) {
        sockjs::service_options opts;
        opts.disconnect_delay = std::chrono::milliseconds(100);
        svc = srv.route("/rec", recording(o), opts);
    });
    auto url = session_url("/rec");
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    CHECK(svc->session_count() == 1);
    CHECK(s.srv.stats().sessions_by_transport.at("xhr") == 1);
    // Closed after 100 ms without a receiver, forgotten 100 ms later.
    REQUIRE(eventually([&] { return s.srv.stats().sessions_by_transport.at("xhr") == 0; }));
    REQUIRE(eventually([&] { return svc->session_count() == 0; }));
    auto ev = o.copy();
    REQUIRE(ev.size() == 2);
    CHECK(ev[1].rfind("close:", 0) == 0);
    // The same id now starts a new session.
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
}

TEST_CASE("api: /metrics serves the counters in the Prometheus format", "[api][metrics]") {
    auto opts = test_options();
    opts.metrics_path = "/metrics";
    test_server s(add_suite_services, opts);
    auto url = session_url("/echo");
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, R"(["abc","de"])").status == 204);
    CHECK(http(s.port, "POST", url + "/xhr").body == "a[\"abc\",\"de\"]\n");
    auto r = http(s.port, "GET", "/metrics");
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type").value_or("").rfind("text/plain; version=0.0.4", 0) == 0);
    CHECK(r.body.find("sockjs_sessions{service=\"/echo\",transport=\"xhr\"} 1\n") != std::string::npos);
    CHECK(r.body.find("sockjs_sessions_opened_total{service=\"/echo\"} 1\n") != std::string::npos);
    CHECK(r.body.find("sockjs_messages_received_total{service=\"/echo\"} 2\n") != std::string::npos);
    CHECK(r.body.find("sockjs_messages_sent_total{service=\"/echo\"} 2\n") != std::string::npos);
    CHECK(r.body.find("sockjs_bytes_received_total{service=\"/echo\"} 5\n") != std::string::npos);
    CHECK(std::regex_search(r.body, std::regex("sockjs_connections [1-9][0-9]*\n")));
    CHECK(http(s.port, "POST", "/metrics").status == 405);
    auto st = s.srv.stats();
    CHECK(st.messages_received_total == 2);
    CHECK(st.bytes_sent_total > 0);
}

TEST_CASE("api: stop() sends a close frame to every session and returns run()", "[api][lifecycle]") {
    auto opts = test_options();
    opts.drain_timeout = 2000ms;
    sockjs::server srv(opts);
    add_suite_services(srv);
    srv.start();
    auto port = srv.port();
    std::atomic<bool> run_returned{false};
    std::thread runner([&] {
        srv.run();
        run_returned = true;
    });
    ws_client ws(port, session_url("/echo") + "/websocket");
    CHECK(ws.recv().data == "o");
    ws_client raw(port, "/echo/websocket");
    raw_http stream(port);
    stream.request("POST", session_url("/echo") + "/xhr_streaming");
    stream.read_head();
    stream.read_chunk();
    CHECK(stream.read_chunk() == "o\n");
    REQUIRE(eventually([&] { return srv.stats().sessions_by_transport.at("raw_websocket") == 1; }));

    std::thread stopper([&] { srv.stop(); });
    CHECK(ws.recv().data == "c[1001,\"Server shutting down\"]");
    auto m = ws.recv();
    CHECK(m.kind == ws_message::close);
    CHECK(m.code == 1001);
    ws.close(1001);
    auto rm = raw.recv();
    CHECK(rm.kind == ws_message::close);
    CHECK(rm.code == 1001);
    raw.close(1001);
    CHECK(stream.read_chunk() == "c[1001,\"Server shutting down\"]\n");
    CHECK(stream.read_chunk().empty());
    stopper.join();
    runner.join();
    CHECK(run_returned);
    CHECK_THROWS(http(port, "GET", "/echo"));
}

TEST_CASE("api: send() inside a callback reaches the connection it names, its own or another", "[api]") {
    // Sending to itself from its own callback skips the backend's lock; to another
    // connection it takes the usual way. Either must reach the right session, in order.
    std::mutex m;
    std::vector<std::shared_ptr<sockjs::connection>> all;
    // Counted on the loops' threads and checked on the test's (Catch2 is not thread-safe).
    std::atomic<int> refused_sends{0}, close_sends{0}, close_sends_refused{0};
    test_server s([&](sockjs::server& srv) {
        srv.route("/both", sockjs::handlers{
                               .on_open =
                                   [&](sockjs::connection& c) {
                                       std::lock_guard l(m);
                                       all.push_back(c.shared_from_this());
                                   },
                               .on_message =
                                   [&](sockjs::connection& c, std::string_view msg) {
                                       std::vector<std::shared_ptr<sockjs::connection>> others;
                                       {
                                           std::lock_guard l(m);
                                           for (auto& o : all)
                                               if (o.get() != &c) others.push_back(o);
                                       }
                                       if (!c.send("self:" + std::string(msg))) ++refused_sends;
                                       for (auto& o : others)
                                           if (!o->send("other:" + std::string(msg))) ++refused_sends;
                                       if (!c.send("self again")) ++refused_sends;
                                   },
                               .on_close =
                                   [&](sockjs::connection& c, int, std::string_view) {
                                       ++close_sends;
                                       if (!c.send("after close")) ++close_sends_refused;
                                   }});
    });
    {
        ws_client a(s.port, session_url("/both") + "/websocket");
        CHECK(a.recv().data == "o");
        ws_client b(s.port, session_url("/both") + "/websocket");
        CHECK(b.recv().data == "o");
        REQUIRE(eventually([&] {
            std::lock_guard l(m);
            return all.size() == 2;
        }));
        a.send_text(R"(["x"])");
        // One callback's sends to itself share a frame; the other session's comes on its own.
        CHECK(a.recv().data == R"(a["self:x","self again"])");
        CHECK(b.recv().data == R"(a["other:x"])");
        b.send_text(R"(["y"])");
        CHECK(b.recv().data == R"(a["self:y","self again"])");
        CHECK(a.recv().data == R"(a["other:y"])");
        a.close();
        b.close();
    }
    CHECK(refused_sends == 0);
    // on_close: the session is closed, so send() refuses, by either way.
    CHECK(eventually([&] { return close_sends == 2; }));
    CHECK(close_sends_refused == 2);
}

TEST_CASE("api: send() after the session closed returns false", "[api]") {
    observed o;
    test_server s([&](sockjs::server& srv) { srv.route("/rec", recording(o)); });
    {
        ws_client ws(s.port, session_url("/rec") + "/websocket");
        CHECK(ws.recv().data == "o");
        REQUIRE(eventually([&] { return o.conn() != nullptr; }));
        CHECK(o.conn()->is_open());
        ws.close();
        CHECK(ws.recv().kind == ws_message::close);
    }
    CHECK(eventually([&] { return !o.conn()->is_open(); }));
    CHECK_FALSE(o.conn()->send("late"));
}

TEST_CASE("api: the thread count does not grow with connections", "[api][threads]") {
    test_server s;
    auto before = thread_count();
    std::vector<std::unique_ptr<ws_client>> sockets;
    for (int i = 0; i < 300; ++i) {
        sockets.push_back(std::make_unique<ws_client>(s.port, session_url("/echo") + "/websocket"));
        CHECK(sockets.back()->recv().data == "o");
    }
    std::vector<std::unique_ptr<raw_http>> streams;
    for (int i = 0; i < 100; ++i) {
        streams.push_back(std::make_unique<raw_http>(s.port));
        streams.back()->request("POST", session_url("/echo") + "/xhr_streaming");
        streams.back()->read_head();
    }
    CHECK(s.srv.stats().sessions_by_transport.at("websocket") == 300);
    CHECK(thread_count() == before);
}

TEST_CASE("api: stop() from an event handler stops the server without deadlock", "[api][lifecycle]") {
    auto opts = test_options();
    opts.drain_timeout = 200ms;
    sockjs::server srv(opts);
    srv.route("/quit", sockjs::handlers{.on_message = [&srv](sockjs::connection&, std::string_view) { srv.stop(); }});
    srv.start();
    std::atomic<bool> done{false};
    std::thread runner([&] {
        srv.run();
        done = true;
    });
    ws_client ws(srv.port(), session_url("/quit") + "/websocket");
    CHECK(ws.recv().data == "o");
    ws.send_text(R"(["bye"])");
    CHECK(ws.recv().data == "c[1001,\"Server shutting down\"]");
    CHECK(eventually([&] { return done.load(); }));
    runner.join();
}

TEST_CASE("api: the default loop count is one per core the process may run on", "[api][threads]") {
    // Started from a thread pinned to one CPU (as `taskset -c 0` pins a process), the default
    // must make one loop, not one per core of the machine.
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    REQUIRE(::sched_getaffinity(0, sizeof allowed, &allowed) == 0);
    int first = 0;
    while (!CPU_ISSET(first, &allowed)) ++first;
    std::size_t loops = 0;
    std::thread pinned([&] {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (::sched_setaffinity(0, sizeof one, &one) != 0) return;
        auto opts = test_options();
        opts.threads = 0;
        test_server s(add_suite_services, opts);
        loops = s.srv.loop_count();
    });
    pinned.join();
    CHECK(loops == 1);
}
