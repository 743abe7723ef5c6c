#pragma once
// How many cores this process may run on: the default number of event loops ("one per
// core"). A process pinned with taskset, or in a container limited to a cpuset, may use
// fewer cores than the machine has; more loops than that only share the same cores (and
// every broadcast then crosses loops for nothing).

#include <cstddef>

namespace sockjs::detail {

/// The CPUs in the calling thread's affinity mask; the online CPU count if that cannot be
/// read; at least 1.
std::size_t usable_cores();

}  // namespace sockjs::detail
