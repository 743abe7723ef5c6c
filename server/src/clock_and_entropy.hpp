#pragma once
// What the SockJS layer reads from outside the program: the time and randomness. server_impl
// owns one of each, the real ones unless its creator passes others; no other code in this
// layer reads a clock or a random device for a protocol purpose, with one exception: a
// session, on its loop's thread for every message it handles, takes the time of the loop's
// turn (net::loop::now(), the steady clock read once per turn, on the same epoch) instead
// of reading this clock again. The tests pass a clock they advance by hand and a seeded
// source, and loops that follow that clock, and so drive sessions, receivers and request
// dispatch without sleeps and with repeatable ids.
//
// Internal rather than a server_options member: only the in-memory loops of the tests can
// follow a clock that is not the steady clock (net's timers run on the steady clock), so an
// application could not use the option with the real network.
//
// Measurements of the machine stay on the steady clock itself: the handler duration
// histogram and stop()'s drain wait.

#include <sockjs/time.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace sockjs::detail {

class server_clock {
public:
    virtual ~server_clock() = default;
    /// Monotonic time on the core's scale. A loop timer for a core deadline `d` is set at
    /// to_steady(d), so the loops' timers and this clock must share their epoch.
    virtual time_point now() const noexcept = 0;
    /// Seconds since 1970 on the wall clock (the core's Expires headers).
    virtual std::int64_t unix_seconds() const noexcept = 0;
};

class entropy_source {
public:
    virtual ~entropy_source() = default;
    /// 64 random bits. Called from every loop thread at once.
    virtual std::uint64_t next() noexcept = 0;
};

/// The steady clock (from its epoch) and the system clock.
std::shared_ptr<server_clock> system_server_clock();
/// One mt19937_64 per thread, seeded from std::random_device.
std::shared_ptr<entropy_source> system_entropy();

/// The steady-clock instant of the core's time point `t` (same epoch, see server_clock).
inline std::chrono::steady_clock::time_point to_steady(time_point t) noexcept {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(t.time_since_epoch()));
}

/// The core's time point of the steady-clock instant `t` (to the millisecond below).
inline time_point from_steady(std::chrono::steady_clock::time_point t) noexcept {
    return time_point(std::chrono::duration_cast<millis>(t.time_since_epoch()));
}

}  // namespace sockjs::detail
