#pragma once
// Running code on a given event loop: inline when the caller is on it already (send() and
// friends from the loop's own callbacks), posted from anywhere else.

#include "net/net.hpp"

#include <functional>

namespace sockjs::detail {

inline bool on_loop(const net::loop& l) noexcept { return l.is_current(); }

/// Runs `fn` now if the caller is on `l`, else posts it there (FIFO per source thread).
inline void run_on(net::loop& l, std::function<void()> fn) {
    if (on_loop(l)) {
        fn();
        return;
    }
    l.post(std::move(fn));
}

/// Posts `fn` to `l` even when already there (to leave the current call stack first).
inline void post_to(net::loop& l, std::function<void()> fn) { l.post(std::move(fn)); }

/// Drops `p` on the loop's next turn instead of now, when called on that loop: a WebSocket
/// channel must not lose its last owner inside one of its own callbacks (its code is still
/// on the stack). Off the loop (server teardown) it is dropped at once.
template <class T>
void release_on_next_turn(net::loop& l, std::shared_ptr<T>&& p) {
    if (p && on_loop(l)) l.post([keep = std::move(p)] {});
    p.reset();
}

}  // namespace sockjs::detail
