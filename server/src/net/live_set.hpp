#pragma once
// A loop's set of live objects, walked whole: the loop's connections (event_loop, each a
// tcp_connection) and a service's sessions on that loop (what a broadcast and shutdown walk).
//
// A vector with swap-remove rather than a hash set: a broadcast to thousands of sessions walks
// it once per message, and a set's nodes are one more allocation per member to miss in the
// cache on that walk (callgrind's cache simulation: ~0.8 misses per delivery), and ~40 bytes
// per held session. Each member knows its own slot (its `live_slot`), so removal is O(1) too.
// Loop thread only.

#include <cstddef>
#include <memory>
#include <vector>

namespace sockjs::net {

template <class Backend>
class live_set {
public:
    void insert(std::shared_ptr<Backend> b) {
        b->live_slot = all_.size();
        all_.push_back(std::move(b));
    }
    /// `b` leaves; the last backend takes its slot. No-op if `b` is not here.
    void erase(const Backend& b) {
        if (!contains(b)) return;
        const std::size_t i = b.live_slot;
        if (i + 1 != all_.size()) {
            all_[i] = std::move(all_.back());
            all_[i]->live_slot = i;
        }
        all_.pop_back();
    }
    bool contains(const Backend& b) const noexcept { return b.live_slot < all_.size() && all_[b.live_slot].get() == &b; }
    std::size_t size() const noexcept { return all_.size(); }
    /// For walks that change nothing (counting).
    auto begin() const noexcept { return all_.cbegin(); }
    auto end() const noexcept { return all_.cend(); }
    void clear() noexcept { all_.clear(); }
    /// A copy to walk: what is walked may close backends, which leave the set.
    std::vector<std::shared_ptr<Backend>> snapshot() const { return all_; }

private:
    std::vector<std::shared_ptr<Backend>> all_;
};

}  // namespace sockjs::net
