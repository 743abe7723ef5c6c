#pragma once
// What the generator reads about the server under test from /proc: resident memory (for the
// per-session cost of held sessions) and CPU time (to show whether the server, rather than
// the generator, was the bottleneck of a step).

#include <cstdint>

namespace bench {

/// VmRSS of `pid` in bytes; -1 if unreadable (no pid given, or the process is gone).
std::int64_t rss_bytes(int pid);
/// User + system CPU seconds of `pid` (all its threads) so far, to the nanosecond where the
/// kernel keeps scheduler statistics (else in clock ticks); -1 if unreadable.
double cpu_seconds(int pid);
/// The same, split into user and system (kernel) seconds. The split follows the tick counts,
/// so it is only as fine as they are; the total is exact.
double cpu_seconds(int pid, double& user, double& sys);
/// User + system CPU seconds of this process so far.
double own_cpu_seconds();

}  // namespace bench
