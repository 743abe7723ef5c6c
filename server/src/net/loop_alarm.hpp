#pragma once
// A loop's wake-up at its next deadline: a timerfd in the loop's epoll set, so that the loop
// can wait with no timeout. An epoll_wait with a timeout arms and cancels a kernel timer on
// every sleep: measured on the bound server, echo with one client, that is ~4 % of its CPU
// per message (docs/benchmarks.md). The timerfd is set only when a deadline comes earlier
// than the one it holds; a deadline that moves later (a heartbeat pushed back by traffic,
// the next sweep) leaves it alone, and the loop then wakes once early and sets it again.

#include <chrono>

namespace sockjs::net {

class loop_alarm {
public:
    using clock = std::chrono::steady_clock;

    loop_alarm();  ///< throws Poco::IOException when the kernel refuses a timerfd
    ~loop_alarm();
    loop_alarm(const loop_alarm&) = delete;
    loop_alarm& operator=(const loop_alarm&) = delete;

    /// The descriptor to watch for reading: readable from `deadline` on.
    int fd() const noexcept { return fd_; }
    /// Makes sure the alarm goes off at `deadline` or earlier. Returns whether it had to set
    /// the timerfd (a system call); a deadline at or after the one set costs nothing.
    bool ring_by(clock::time_point deadline);
    /// The alarm went off (its descriptor was readable): clears it; the next ring_by() sets it.
    void rang();
    bool set() const noexcept { return set_; }

private:
    int fd_ = -1;
    bool set_ = false;
    clock::time_point at_{};
};

}  // namespace sockjs::net
