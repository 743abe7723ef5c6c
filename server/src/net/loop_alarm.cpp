#include "net/loop_alarm.hpp"

#include <Poco/Exception.h>

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace sockjs::net {

loop_alarm::loop_alarm() : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (fd_ < 0) throw Poco::IOException("timerfd_create failed", errno);
}

loop_alarm::~loop_alarm() { ::close(fd_); }

bool loop_alarm::ring_by(clock::time_point deadline) {
    if (set_ && at_ <= deadline) return false;
    // steady_clock is CLOCK_MONOTONIC on Linux (libstdc++ and libc++ alike), so its time
    // points are the timerfd's absolute times. A deadline already past rings at once.
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
    itimerspec spec{};
    if (ns <= 0) {
        spec.it_value.tv_nsec = 1;  // zero would disarm the timerfd
    } else {
        spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
        spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    }
    if (::timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0)
        throw Poco::IOException("timerfd_settime failed", errno);
    set_ = true;
    at_ = deadline;
    return true;
}

void loop_alarm::rang() {
    std::uint64_t expirations = 0;
    // Non-blocking: EAGAIN when it was set again (and so cleared) since it became readable.
    [[maybe_unused]] const auto n = ::read(fd_, &expirations, sizeof expirations);
    set_ = false;
}

}  // namespace sockjs::net
