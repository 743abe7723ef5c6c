// The loops themselves: post() from any thread, timers, indexes, stopping.

#include "net_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace sockjs::net;
using namespace sockjs::net::test;

namespace {

http_handler ok_handler() {
    return [](std::shared_ptr<exchange> ex, http_request&) { ex->respond(200, {}, "ok"); };
}

}  // namespace

TEST_CASE("loops: one per thread option, indexed 0..N-1") {
    net_options o = test_server::small_options();
    o.threads = 3;
    test_server s(ok_handler(), o);
    REQUIRE(s.server.loop_count() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(s.server.loop_at(i).index() == i);
}

TEST_CASE("post: tasks from many threads all run, on the loop's thread, in order per poster") {
    test_server s(ok_handler());
    loop& lp = s.server.loop_at(0);
    std::mutex m;
    std::set<std::thread::id> threads_seen;
    std::vector<std::vector<int>> seen(4);
    std::atomic<int> count{0};
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t) {
        posters.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                lp.post([&, t, i] {
                    std::lock_guard<std::mutex> lock(m);
                    threads_seen.insert(std::this_thread::get_id());
                    seen[t].push_back(i);
                    ++count;
                });
            }
        });
    }
    for (auto& th : posters) th.join();
    REQUIRE(eventually([&] { return count == 4000; }));
    std::lock_guard<std::mutex> lock(m);
    CHECK(threads_seen.size() == 1);
    CHECK(threads_seen.count(std::this_thread::get_id()) == 0);
    for (const auto& v : seen) {
        REQUIRE(v.size() == 1000);
        for (int i = 0; i < 1000; ++i) CHECK(v[i] == i);
    }
}

TEST_CASE("timers: fire at or after their deadline, cancelled ones never") {
    test_server s(ok_handler());
    loop& lp = s.server.loop_at(1);
    using clock = std::chrono::steady_clock;
    std::atomic<bool> fired{false};
    std::atomic<bool> cancelled_fired{false};
    std::atomic<long long> late_by_us{-1};
    lp.post([&] {
        const auto deadline = clock::now() + 50ms;
        lp.add_timer(deadline, [&, deadline] {
            late_by_us = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - deadline).count();
            fired = true;
        });
        const auto id = lp.add_timer(clock::now() + 20ms, [&] { cancelled_fired = true; });
        lp.cancel_timer(id);
    });
    REQUIRE(eventually([&] { return fired.load(); }));
    CHECK(late_by_us >= 0);
    std::this_thread::sleep_for(50ms);
    CHECK_FALSE(cancelled_fired);
}

TEST_CASE("timers: a deadline nearer than the loop's next wake-up is met, not the wake-up's") {
    // An idle loop sleeps until its next sweep (up to a second away, net_options defaults);
    // each timer here comes due long before it, so the loop must bring its alarm forward.
    test_server s(ok_handler());
    loop& lp = s.server.loop_at(0);
    using clock = std::chrono::steady_clock;
    for (int round = 0; round < 5; ++round) {
        std::atomic<long long> late_by_us{-1};
        lp.post([&] {
            const auto deadline = clock::now() + 20ms;
            lp.add_timer(deadline, [&, deadline] {
                late_by_us = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - deadline).count();
            });
        });
        REQUIRE(eventually([&] { return late_by_us.load() >= 0; }));
        CHECK(late_by_us.load() < 200'000);
    }
}

TEST_CASE("timers: add_timer and cancel_timer from another thread are handed to the loop") {
    test_server s(ok_handler());
    loop& lp = s.server.loop_at(0);
    std::atomic<int> fired{0};
    lp.add_timer(std::chrono::steady_clock::now() + 10ms, [&] { ++fired; });
    const auto id = lp.add_timer(std::chrono::steady_clock::now() + 30ms, [&] { fired += 100; });
    lp.cancel_timer(id);
    CHECK(eventually([&] { return fired == 1; }));
    std::this_thread::sleep_for(60ms);
    CHECK(fired == 1);
}

TEST_CASE("stop: closes every connection, pending responses see an abort") {
    std::atomic<int> aborts{0};
    std::atomic<int> requests{0};
    auto s = std::make_unique<test_server>([&](std::shared_ptr<exchange> ex, http_request&) {
        fn_exchange_listener::attach(*ex, [&aborts, ex] { ++aborts; });  // holds it until the abort
        ++requests;
    });
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<client>(s->address()));
        clients.back()->send("GET /hold HTTP/1.1\r\nHost: h\r\n\r\n");
    }
    REQUIRE(eventually([&] { return requests == 4; }));
    CHECK(s->server.connection_count() == 4);
    s->server.stop();
    CHECK(aborts == 4);
    CHECK(s->server.connection_count() == 0);
    for (auto& c : clients) CHECK(c->closed_by_peer());
}

TEST_CASE("start: a port another server already listens on is refused, not shared") {
    test_server first(ok_handler());
    net_options o = test_server::small_options();
    o.port = first.server.port();
    net_server second(o, ok_handler());
    // SO_REUSEPORT alone would let the second server join the port and take half the clients.
    CHECK_THROWS(second.start());
    CHECK(second.loop_count() == 0);
}
