#pragma once
/// @file
/// Time in the core is an argument. The caller reads its own monotonic clock and passes
/// milliseconds since any fixed epoch; the core answers with deadlines on the same scale.

#include <chrono>
#include <cstdint>

namespace sockjs {

/// Milliseconds on the caller's monotonic clock.
using millis = std::chrono::milliseconds;
/// A point in time: milliseconds since the caller's epoch.
using time_point = std::chrono::milliseconds;

}  // namespace sockjs
