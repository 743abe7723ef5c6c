#pragma once
/// @file
/// Time in the core is an argument. The caller reads its own monotonic clock and passes
/// milliseconds since any fixed epoch; the core answers with deadlines on the same scale.
///
/// A point in time and a length of time are distinct types, so passing one where the other
/// is expected (a delay as "now", or "now" as a timeout) does not compile.

#include <chrono>
#include <cstdint>

namespace sockjs {

/// The scale of the core's time points: milliseconds on the caller's monotonic clock, from an
/// epoch the caller picks. The core never reads a clock, so this tag has no `now()`; build a
/// time_point from the caller's reading with `time_point(millis(ms))` (or `to_time_point`).
struct core_clock {
    using duration = std::chrono::milliseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<core_clock, duration>;
    static constexpr bool is_steady = true;
};

/// A length of time in milliseconds (delays, timeouts, intervals).
using millis = std::chrono::milliseconds;
/// A point in time: milliseconds since the caller's epoch. `time_point{}` is the epoch.
using time_point = std::chrono::time_point<core_clock, millis>;

/// `ms` milliseconds after the caller's epoch.
constexpr time_point to_time_point(std::int64_t ms) noexcept { return time_point(millis(ms)); }
/// Milliseconds since the caller's epoch.
constexpr std::int64_t to_millis(time_point t) noexcept { return t.time_since_epoch().count(); }

}  // namespace sockjs
