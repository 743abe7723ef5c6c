#include "net/timer_heap.hpp"

#include <algorithm>

namespace sockjs::net {

namespace {

// std heap functions build a max-heap; "later" ordering turns it into a min-heap, FIFO for
// equal deadlines (ids grow).
struct later {
    template <class E>
    bool operator()(const E& a, const E& b) const {
        return a.deadline != b.deadline ? a.deadline > b.deadline : a.id > b.id;
    }
};

}  // namespace

void timer_heap::add(std::uint64_t id, clock::time_point deadline, std::function<void()> fn) {
    live_[id] = std::move(fn);
    heap_.push_back({deadline, id});
    std::push_heap(heap_.begin(), heap_.end(), later{});
    // The front is the new, live entry or the one already checked: the flag stands.
}

void timer_heap::cancel(std::uint64_t id) {
    if (!live_.erase(id)) return;
    front_live_ = false;
    if (heap_.size() > 64 && heap_.size() > 2 * live_.size()) compact();
}

void timer_heap::compact() {
    std::erase_if(heap_, [this](const entry& e) { return !live_.count(e.id); });
    std::make_heap(heap_.begin(), heap_.end(), later{});
}

void timer_heap::pop_stale() {
    // The loop asks twice per iteration, and the answer only changes when a timer is
    // cancelled or run: no table lookup in between.
    if (front_live_) return;
    while (!heap_.empty() && !live_.count(heap_.front().id)) {
        std::pop_heap(heap_.begin(), heap_.end(), later{});
        heap_.pop_back();
    }
    front_live_ = true;
}

std::optional<timer_heap::clock::time_point> timer_heap::next() {
    pop_stale();
    if (heap_.empty()) return std::nullopt;
    return heap_.front().deadline;
}

void timer_heap::run_due(clock::time_point now) {
    // Only entries present now may run: a callback re-adding itself for `now` waits.
    std::size_t budget = heap_.size();
    while (budget-- > 0) {
        pop_stale();
        if (heap_.empty() || heap_.front().deadline > now) return;
        const std::uint64_t id = heap_.front().id;
        std::pop_heap(heap_.begin(), heap_.end(), later{});
        heap_.pop_back();
        front_live_ = false;
        auto it = live_.find(id);
        std::function<void()> fn = std::move(it->second);
        live_.erase(it);
        fn();
    }
}

}  // namespace sockjs::net
