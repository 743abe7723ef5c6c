#include "stop_signals.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

namespace sockjs::detail {

namespace {

// A self-pipe: the handler may only call async-signal-safe functions, so it writes the signal
// number and wait() reads it.
int pipe_fds[2] = {-1, -1};
std::once_flag pipe_once;
struct sigaction saved_int {};
struct sigaction saved_term {};

void on_signal(int sig) {
    const int saved_errno = errno;
    // The next one gets what was there before us (sigaction is async-signal-safe).
    sigaction(sig, sig == SIGINT ? &saved_int : &saved_term, nullptr);
    const unsigned char b = static_cast<unsigned char>(sig);
    [[maybe_unused]] const ssize_t n = ::write(pipe_fds[1], &b, 1);
    errno = saved_errno;
}

}  // namespace

stop_signals::stop_signals() {
    std::call_once(pipe_once, [] {
        if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) pipe_fds[0] = pipe_fds[1] = -1;
    });
    if (pipe_fds[0] < 0) return;
    // Drop a signal left over from an earlier run().
    unsigned char b;
    while (::read(pipe_fds[0], &b, 1) > 0) {
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    saved_int = old_int_;
    saved_term = old_term_;
    // A thread that blocked them (the demo's sigwait style) would never see them: unblock here.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

stop_signals::~stop_signals() {
    if (pipe_fds[0] < 0) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
}

int stop_signals::wait(std::chrono::milliseconds limit) {
    if (pipe_fds[0] < 0) {
        ::poll(nullptr, 0, static_cast<int>(limit.count()));
        return 0;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return 0;
    unsigned char b = 0;
    return ::read(pipe_fds[0], &b, 1) == 1 ? b : 0;
}

}  // namespace sockjs::detail
