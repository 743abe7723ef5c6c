#pragma once
// Which event loop the calling thread is (if any), and the core's clock.
//
// Every piece of SockJS-layer code that runs on a loop is entered through the request handler,
// a callback of an exchange/ws_channel (always on their loop), or run_on() / a timer set up by
// this layer, each of which records the loop in a thread_local first. That lets send() and
// friends run inline on their own loop and post from anywhere else.

#include "net/net.hpp"

#include <sockjs/time.hpp>

#include <chrono>
#include <functional>

namespace sockjs::detail {

inline thread_local net::loop* tl_current_loop = nullptr;

inline bool on_loop(const net::loop& l) noexcept { return tl_current_loop == &l; }

/// Runs `fn` now if the caller is on `l`, else posts it there (FIFO per source thread).
inline void run_on(net::loop& l, std::function<void()> fn) {
    if (on_loop(l)) {
        fn();
        return;
    }
    l.post([lp = &l, fn = std::move(fn)] {
        tl_current_loop = lp;
        fn();
    });
}

/// Posts `fn` to `l` even when already there (to leave the current call stack first).
inline void post_to(net::loop& l, std::function<void()> fn) {
    l.post([lp = &l, fn = std::move(fn)] {
        tl_current_loop = lp;
        fn();
    });
}

/// Drops `p` on the loop's next turn instead of now, when called on that loop: a WebSocket
/// channel must not lose its last owner inside one of its own callbacks (its code is still
/// on the stack). Off the loop (server teardown) it is dropped at once.
template <class T>
void release_on_next_turn(net::loop& l, std::shared_ptr<T>&& p) {
    if (p && on_loop(l)) l.post([keep = std::move(p)] {});
    p.reset();
}

/// The core's time: milliseconds on the steady clock.
inline time_point core_now() noexcept {
    return time_point(std::chrono::duration_cast<millis>(
        std::chrono::steady_clock::now().time_since_epoch()));
}

inline std::chrono::steady_clock::time_point to_steady(time_point t) noexcept {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(t.time_since_epoch()));
}

}  // namespace sockjs::detail
