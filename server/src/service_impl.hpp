#pragma once
// One service (one URL prefix): its options, the application's factory, the registry of
// polling/streaming sessions by URL session id, and per-loop sets of live backends (for
// broadcast and shutdown).

#include "conn_backend.hpp"
#include "net/live_set.hpp"
#include "stats_counters.hpp"

#include <sockjs/options.hpp>
#include <sockjs/server.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sockjs::detail {

class session_backend;

/// Sessions addressable by their URL session id, from any loop. WebSocket sessions are not
/// registered (the protocol lets a WebSocket reuse an id).
///
/// This is the seam for running several processes: an implementation backed by a shared
/// store would answer find() with a proxy for a session held elsewhere; in one process it
/// is a locked hash map. (A template only so that its tests need no server.) Its keys are
/// views of the sessions' own ids (`Session::sid()`, which must not change): a session lives
/// at least as long as its entry, and a held session keeps one copy of its id, not two.
template <class Session>
class basic_registry {
public:
    using ptr = std::shared_ptr<Session>;

    ptr find(std::string_view sid) const {
        std::lock_guard lock(mutex_);
        auto it = map_.find(sid);
        return it == map_.end() ? nullptr : it->second;
    }
    /// Finds `sid` or inserts what `create` returns (null: nothing inserted, e.g. over
    /// max_sessions; else a session whose sid() is `sid`). `created` tells which happened.
    /// Both under one lock, so two requests racing to create the same id on different loops
    /// get the same session.
    ptr find_or_create(std::string_view sid, const std::function<ptr()>& create, bool& created) {
        std::lock_guard lock(mutex_);
        created = false;
        if (auto it = map_.find(sid); it != map_.end()) return it->second;
        auto s = create();
        if (!s) return nullptr;
        const std::string_view key = s->sid();
        created = true;
        return map_.emplace(key, std::move(s)).first->second;
    }
    /// Removes `sid` if it still maps to `s`.
    void erase(std::string_view sid, const Session* s) {
        std::lock_guard lock(mutex_);
        if (auto it = map_.find(sid); it != map_.end() && it->second.get() == s) map_.erase(it);
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return map_.size();
    }
    /// Takes every entry out (server stop, after the loops have ended); the sessions are
    /// destroyed outside the lock.
    void clear() {
        map_type gone;
        std::lock_guard lock(mutex_);
        gone.swap(map_);
    }

private:
    using map_type = std::unordered_map<std::string_view, ptr>;
    mutable std::mutex mutex_;
    map_type map_;
};

using session_registry = basic_registry<session_backend>;

struct service_impl {
    service_impl(server_impl& srv, std::string prefix_, service_options opts_, server::factory make_)
        : server(srv), prefix(std::move(prefix_)), opts(std::move(opts_)), make(std::move(make_)) {}

    server_impl& server;
    const std::string prefix;
    const service_options opts;
    const server::factory make;
    session_registry registry;

    /// Live backends per loop index; touched only on that loop's thread.
    std::vector<net::live_set<conn_backend>> live;
    /// This service's counters, one block per loop (the loop of a backend's home).
    service_counters counters;

    /// Takes one of max_sessions; false when full.
    bool try_reserve() noexcept {
        if (sessions.fetch_add(1, std::memory_order_acq_rel) >= opts.max_sessions) {
            sessions.fetch_sub(1, std::memory_order_acq_rel);
            return false;
        }
        return true;
    }
    void unreserve() noexcept { sessions.fetch_sub(1, std::memory_order_acq_rel); }
    std::atomic<std::size_t> sessions{0};
};

}  // namespace sockjs::detail
