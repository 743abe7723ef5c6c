// The client against real servers, on each transport: the reference server (npm sockjs
// 0.3.24) tagged [ref], and ours (build/bin/sockjs-server) tagged [own].

#include <sockjs/client/connection.hpp>

#include "support/events.hpp"
#include "support/server_process.hpp"
#include "support/text.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

using namespace sockjs::client;
using namespace sockjs::client::test;
using sockjs::client_transport;
using sockjs::errc;

namespace {

options only(client_transport t) {
    options o;
    o.transports = {t};
    return o;
}

// `stays_open`: false where the server closes right after opening (the state may then have
// moved on by the time the open event is looked at).
void require_open(connection& c, client_transport t, bool stays_open = true) {
    auto e = next(c);
    INFO("last error: " << c.last_error());
    REQUIRE(e);
    REQUIRE(kind_name(e->kind) == std::string("open"));
    CHECK(c.transport() == sockjs::name(t));
    if (stays_open) CHECK(c.ready_state() == sockjs::ready_state::open);
}

void require_clean_close(connection& c, int code) {
    REQUIRE(c.close(code, "done") == errc::ok);
    auto e = wait_close(c);
    REQUIRE(e);
    CHECK(e->code == code);
    CHECK(e->reason == "done");
    CHECK(e->was_clean);
    CHECK_FALSE(e->will_reconnect);
}

void check_echo(server_kind k, client_transport t) {
    connection c(shared_server(k).url("/echo"), only(t));
    require_open(c, t);
    const auto sent = echo_messages();
    for (const auto& m : sent) REQUIRE(c.send(m) == errc::ok);
    const auto got = messages(c, sent.size());
    REQUIRE(got.size() == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
        INFO("message " << i);
        CHECK(got[i] == sent[i]);
    }
    require_clean_close(c, 1000);
}

void check_order(server_kind k, client_transport t) {
    connection c(shared_server(k).url("/echo"), only(t));
    require_open(c, t);
    constexpr int n = 1000;
    for (int i = 0; i < n; ++i) REQUIRE(c.send("message " + std::to_string(i)) == errc::ok);
    const auto got = messages(c, n, 9s);
    REQUIRE(got.size() == n);
    int out_of_order = 0;
    for (int i = 0; i < n; ++i)
        if (got[static_cast<std::size_t>(i)] != "message " + std::to_string(i)) ++out_of_order;
    CHECK(out_of_order == 0);
    require_clean_close(c, 1000);
}

void check_concurrent_senders(server_kind k, client_transport t) {
    connection c(shared_server(k).url("/echo"), only(t));
    require_open(c, t);
    constexpr int threads = 4, each = 100;
    std::vector<std::thread> senders;
    for (int s = 0; s < threads; ++s)
        senders.emplace_back([&c, s] {
            for (int i = 0; i < each; ++i) c.send(std::to_string(s) + ":" + std::to_string(i));
        });
    for (auto& th : senders) th.join();
    const auto got = messages(c, threads * each, 9s);
    REQUIRE(got.size() == threads * each);
    // Between threads any interleaving is fine; within one thread, the order of its calls.
    std::vector<int> next_of(threads, 0);
    int out_of_order = 0;
    for (const auto& m : got) {
        const int s = std::stoi(m.substr(0, m.find(':')));
        const int i = std::stoi(m.substr(m.find(':') + 1));
        if (i != next_of[static_cast<std::size_t>(s)]++) ++out_of_order;
    }
    CHECK(out_of_order == 0);
}

void check_server_close(server_kind k, client_transport t) {
    connection c(shared_server(k).url("/close"), only(t));
    require_open(c, t, false);
    auto e = next(c);
    REQUIRE(e);
    REQUIRE(kind_name(e->kind) == std::string("close"));
    CHECK(e->code == 3000);
    CHECK(e->reason == "Go away!");
    CHECK(e->was_clean);
    CHECK(c.ready_state() == sockjs::ready_state::closed);
    CHECK(c.send("too late") == errc::session_not_open);
    CHECK_FALSE(c.next_event(0ms));
}

void check_server_gone(server_kind k, client_transport t) {
    server_process own_instance(k);  // private: this test kills it
    connection c(own_instance.url("/echo"), only(t));
    require_open(c, t);
    REQUIRE(c.send("before") == errc::ok);
    REQUIRE(messages(c, 1) == std::vector<std::string>{"before"});
    const auto killed = std::chrono::steady_clock::now();
    own_instance.kill_now();
    auto e = wait_close(c, 8s);
    INFO("last error: " << c.last_error());
    REQUIRE(e);
    CHECK(e->code == 1006);
    CHECK_FALSE(e->was_clean);
    // Noticed from the broken connection, not from a timeout.
    CHECK(std::chrono::steady_clock::now() - killed < 5s);
}

void check_application_close(server_kind k, client_transport t) {
    connection c(shared_server(k).url("/echo"), only(t));
    require_open(c, t);
    CHECK(c.close(999) == errc::invalid_close_code);
    CHECK(c.close(2000) == errc::invalid_close_code);
    CHECK(c.close(1000, std::string(124, 'x')) == errc::reason_too_long);
    CHECK(c.ready_state() == sockjs::ready_state::open);
    require_clean_close(c, 4001);
    CHECK(c.ready_state() == sockjs::ready_state::closed);
    CHECK(c.send("late") == errc::session_not_open);
    CHECK(c.close() == errc::ok);  // a second close is a no-op
    CHECK_FALSE(c.next_event(0ms));
}

void check_handlers(server_kind k, client_transport t) {
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> log;
    connection* self = nullptr;
    event_handlers h;
    h.on_open = [&] {
        std::lock_guard lk(m);
        log.push_back("open");
        // Sending from a handler works (it runs on the connection's I/O thread).
        self->send("from on_open");
    };
    h.on_message = [&](const std::string& msg) {
        {
            std::lock_guard lk(m);
            log.push_back("message " + msg);
        }
        self->close(1000, "enough");
    };
    h.on_close = [&](int code, const std::string& reason, bool clean) {
        std::lock_guard lk(m);
        log.push_back("close " + std::to_string(code) + " " + reason + (clean ? " clean" : ""));
        cv.notify_all();
    };
    // The handlers must see `self` set before the first event: start after assigning it.
    std::unique_ptr<connection> c;
    {
        std::lock_guard lk(m);
        c = std::make_unique<connection>(shared_server(k).url("/echo"), only(t), h);
        self = c.get();
    }
    std::unique_lock lk(m);
    REQUIRE(cv.wait_for(lk, 8s, [&] { return !log.empty() && log.back().rfind("close", 0) == 0; }));
    CHECK(log == std::vector<std::string>{"open", "message from on_open", "close 1000 enough clean"});
    CHECK_FALSE(c->next_event(0ms));  // everything went to the handlers
}

}  // namespace

#define SOCKJS_CLIENT_MATRIX(KIND, KTAG, T, TNAME)                                                                  \
    TEST_CASE(KTAG " " TNAME ": echo of ASCII, unicode and escape-class characters", "[" KTAG "][" TNAME "]") {     \
        check_echo(KIND, T);                                                                                        \
    }                                                                                                               \
    TEST_CASE(KTAG " " TNAME ": 1000 messages arrive in order", "[" KTAG "][" TNAME "]") { check_order(KIND, T); } \
    TEST_CASE(KTAG " " TNAME ": concurrent senders keep each thread's order", "[" KTAG "][" TNAME "]") {            \
        check_concurrent_senders(KIND, T);                                                                          \
    }                                                                                                               \
    TEST_CASE(KTAG " " TNAME ": server close 3000 Go away!", "[" KTAG "][" TNAME "]") {                             \
        check_server_close(KIND, T);                                                                                \
    }                                                                                                               \
    TEST_CASE(KTAG " " TNAME ": server gone mid-session closes 1006", "[" KTAG "][" TNAME "]") {                    \
        check_server_gone(KIND, T);                                                                                 \
    }                                                                                                               \
    TEST_CASE(KTAG " " TNAME ": application close and misuse", "[" KTAG "][" TNAME "]") {                           \
        check_application_close(KIND, T);                                                                           \
    }                                                                                                               \
    TEST_CASE(KTAG " " TNAME ": callbacks instead of the queue", "[" KTAG "][" TNAME "]") {                         \
        check_handlers(KIND, T);                                                                                    \
    }

SOCKJS_CLIENT_MATRIX(server_kind::reference, "ref", client_transport::websocket, "websocket")
SOCKJS_CLIENT_MATRIX(server_kind::reference, "ref", client_transport::xhr_streaming, "xhr-streaming")
SOCKJS_CLIENT_MATRIX(server_kind::reference, "ref", client_transport::xhr_polling, "xhr-polling")
SOCKJS_CLIENT_MATRIX(server_kind::own, "own", client_transport::websocket, "websocket")
SOCKJS_CLIENT_MATRIX(server_kind::own, "own", client_transport::xhr_streaming, "xhr-streaming")
SOCKJS_CLIENT_MATRIX(server_kind::own, "own", client_transport::xhr_polling, "xhr-polling")

namespace {

void check_info_decision(server_kind k) {
    // /info says websocket: false, so the first transport tried is xhr-streaming.
    connection c(shared_server(k).url("/disabled_websocket_echo"));
    require_open(c, client_transport::xhr_streaming);
    REQUIRE(c.send("no websocket here") == errc::ok);
    CHECK(messages(c, 1) == std::vector<std::string>{"no websocket here"});
    require_clean_close(c, 1000);

    // Allowed websocket and xhr-polling only: websocket is out, so xhr-polling.
    options o;
    o.transports = {client_transport::websocket, client_transport::xhr_polling};
    connection p(shared_server(k).url("/disabled_websocket_echo"), o);
    require_open(p, client_transport::xhr_polling);
    require_clean_close(p, 1000);
}

void check_broadcast(server_kind k) {
    connection a(shared_server(k).url("/broadcast"), only(client_transport::websocket));
    connection b(shared_server(k).url("/broadcast"), only(client_transport::xhr_polling));
    require_open(a, client_transport::websocket);
    require_open(b, client_transport::xhr_polling);
    REQUIRE(b.send("to everyone") == errc::ok);
    CHECK(messages(a, 1) == std::vector<std::string>{"to everyone"});
    CHECK(messages(b, 1) == std::vector<std::string>{"to everyone"});
}

}  // namespace

TEST_CASE("ref: /info decides whether websocket is tried", "[ref]") { check_info_decision(server_kind::reference); }
TEST_CASE("own: /info decides whether websocket is tried", "[own]") { check_info_decision(server_kind::own); }
TEST_CASE("ref: broadcast across transports", "[ref]") { check_broadcast(server_kind::reference); }
TEST_CASE("own: broadcast across transports", "[own]") { check_broadcast(server_kind::own); }
