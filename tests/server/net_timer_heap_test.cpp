#include "net/timer_heap.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sockjs::net;
using clock_type = timer_heap::clock;
using namespace std::chrono_literals;

TEST_CASE("timer heap: runs due timers in deadline order, FIFO on ties") {
    timer_heap h;
    const auto t0 = clock_type::now();
    std::string order;
    h.add(1, t0 + 30ms, [&] { order += "c"; });
    h.add(2, t0 + 10ms, [&] { order += "a"; });
    h.add(3, t0 + 20ms, [&] { order += "b1"; });
    h.add(4, t0 + 20ms, [&] { order += "b2"; });
    h.add(5, t0 + 99ms, [&] { order += "late"; });
    CHECK(h.next() == t0 + 10ms);
    h.run_due(t0 + 30ms);
    CHECK(order == "ab1b2c");
    CHECK(h.size() == 1);
    CHECK(h.next() == t0 + 99ms);
}

TEST_CASE("timer heap: cancelled timers never run, and churn does not grow the heap") {
    timer_heap h;
    const auto t0 = clock_type::now();
    bool ran = false;
    h.add(1, t0, [&] { ran = true; });
    h.cancel(1);
    h.cancel(1);  // twice is harmless
    h.run_due(t0 + 1s);
    CHECK_FALSE(ran);
    CHECK_FALSE(h.next());
    // Re-arming a far deadline many times (a keep-alive timer) keeps one live entry.
    for (std::uint64_t id = 10; id < 10010; ++id) {
        h.add(id, t0 + 1h, [] {});
        h.cancel(id);
    }
    CHECK(h.size() == 0);
    CHECK_FALSE(h.next());
}

TEST_CASE("timer heap: callbacks may add and cancel timers, a self re-arming timer cannot spin") {
    timer_heap h;
    const auto t0 = clock_type::now();
    int runs = 0;
    std::function<void()> again = [&] {
        ++runs;
        h.add(100 + runs, t0, again);  // due immediately, again and again
    };
    h.add(1, t0, again);
    h.add(2, t0, [&] { h.cancel(3); });
    bool third = false;
    h.add(3, t0, [&] { third = true; });
    h.run_due(t0);
    CHECK(runs <= 3);
    CHECK_FALSE(third);
    CHECK(h.size() == 1);
}

TEST_CASE("timer heap: next() follows every change of the front (cancel, add before and after, run)") {
    timer_heap h;
    const auto t0 = clock_type::now();
    h.add(1, t0 + 10ms, [] {});
    h.add(2, t0 + 20ms, [] {});
    h.add(3, t0 + 30ms, [] {});
    CHECK(h.next() == t0 + 10ms);
    CHECK(h.next() == t0 + 10ms);  // asked again with nothing changed
    h.cancel(1);                    // the front goes stale
    CHECK(h.next() == t0 + 20ms);
    h.add(4, t0 + 5ms, [] {});      // a new front
    CHECK(h.next() == t0 + 5ms);
    h.add(5, t0 + 25ms, [] {});     // behind the front
    CHECK(h.next() == t0 + 5ms);
    h.cancel(3);                    // not the front
    CHECK(h.next() == t0 + 5ms);
    h.run_due(t0 + 5ms);            // runs the front
    CHECK(h.next() == t0 + 20ms);
    h.cancel(2);
    h.cancel(5);
    CHECK_FALSE(h.next());
    h.add(6, t0 + 1ms, [] {});
    CHECK(h.next() == t0 + 1ms);
}
