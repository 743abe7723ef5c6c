#include "net/loop_alarm.hpp"

#include <catch2/catch.hpp>

#include <poll.h>

using namespace sockjs::net;
using namespace std::chrono_literals;
using clock_type = loop_alarm::clock;

namespace {

bool readable_within(const loop_alarm& a, std::chrono::milliseconds wait) {
    pollfd p{a.fd(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) == 1 && (p.revents & POLLIN);
}

}  // namespace

TEST_CASE("loop alarm: set only when a deadline comes earlier than the one it holds") {
    loop_alarm a;
    const auto t0 = clock_type::now();
    CHECK_FALSE(a.set());
    CHECK(a.ring_by(t0 + 1h));
    CHECK(a.set());
    CHECK_FALSE(a.ring_by(t0 + 2h));  // later: the earlier setting stands, no system call
    CHECK_FALSE(a.ring_by(t0 + 1h));
    CHECK_FALSE(readable_within(a, 20ms));
    CHECK(a.ring_by(t0 + 30ms));  // earlier: set again
    REQUIRE(readable_within(a, 2000ms));
    CHECK(clock_type::now() >= t0 + 30ms);
    a.rang();
    CHECK_FALSE(a.set());
    CHECK_FALSE(readable_within(a, 0ms));  // rang() cleared it
    CHECK(a.ring_by(t0 + 2h));  // after ringing any deadline sets it
    CHECK_FALSE(readable_within(a, 20ms));
}

TEST_CASE("loop alarm: a deadline already past rings at once") {
    loop_alarm a;
    CHECK(a.ring_by(clock_type::now() - 1s));
    CHECK(readable_within(a, 1000ms));
    a.rang();
    CHECK(a.ring_by(clock_type::time_point{}));  // the clock's epoch itself: not "disarm"
    CHECK(readable_within(a, 1000ms));
}
