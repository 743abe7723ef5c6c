#pragma once
// One service (one URL prefix): its options, the application's factory, the registry of
// polling/streaming sessions by URL session id, and per-loop sets of live backends (for
// broadcast and shutdown).

#include "conn_backend.hpp"

#include <sockjs/options.hpp>
#include <sockjs/server.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sockjs::detail {

class session_slot;

/// Sessions addressable by their URL session id, from any loop. WebSocket sessions are not
/// registered (the protocol lets a WebSocket reuse an id).
///
/// This is the seam for running several processes: an implementation backed by a shared
/// store would answer find() with a proxy for a session held elsewhere; in one process it
/// is a locked hash map.
class session_registry {
public:
    using slot_ptr = std::shared_ptr<session_slot>;

    slot_ptr find(const std::string& sid) const;
    /// Finds `sid` or inserts what `create` returns (null: nothing inserted, e.g. over
    /// max_sessions). `created` tells which happened. Both under one lock, so two requests
    /// racing to create the same id on different loops get the same session.
    slot_ptr find_or_create(const std::string& sid, const std::function<slot_ptr()>& create,
                            bool& created);
    /// Removes `sid` if it still maps to `slot`.
    void erase(const std::string& sid, const session_slot* slot);
    std::size_t size() const;
    /// Takes every entry out (server stop, after the loops have ended).
    void clear();

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, slot_ptr> map_;
};

struct service_impl {
    service_impl(server_impl& srv, std::string prefix_, service_options opts_, server::factory make_)
        : server(srv), prefix(std::move(prefix_)), opts(std::move(opts_)), make(std::move(make_)) {}

    server_impl& server;
    const std::string prefix;
    const service_options opts;
    const server::factory make;
    session_registry registry;

    /// Live backends per loop index; touched only on that loop's thread.
    std::vector<std::unordered_set<std::shared_ptr<conn_backend>>> live;

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
