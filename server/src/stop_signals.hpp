#pragma once
// SIGINT and SIGTERM for server::run(): while a stop_signals lives, either signal is caught
// (whichever thread the kernel picks) and wait() returns; the handlers it replaced are put
// back when it goes. A second signal during the drain gets the previous handler's behaviour
// (by default: the process ends at once), so a stuck drain can still be interrupted.

#include <chrono>
#include <csignal>

namespace sockjs::detail {

class stop_signals {
public:
    stop_signals();
    ~stop_signals();
    stop_signals(const stop_signals&) = delete;
    stop_signals& operator=(const stop_signals&) = delete;

    /// Waits up to `limit` for a signal; returns it, or 0.
    int wait(std::chrono::milliseconds limit);

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

}  // namespace sockjs::detail
