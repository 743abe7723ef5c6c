#pragma once
// A loop's timers: a binary min-heap of (deadline, id) plus a table of live callbacks.
// Cancelling removes the callback only; the stale heap entry is skipped when it surfaces, and
// the heap is rebuilt when stale entries outnumber live ones (so churn cannot grow it).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace sockjs::net {

class timer_heap {
public:
    using clock = std::chrono::steady_clock;

    void add(std::uint64_t id, clock::time_point deadline, std::function<void()> fn);
    void cancel(std::uint64_t id);
    /// The earliest live deadline, if any.
    std::optional<clock::time_point> next();
    /// Runs the timers due at `now` in deadline order; callbacks may add or cancel timers. At
    /// most as many callbacks run as timers were pending, so a timer re-adding itself for
    /// `now` cannot keep the loop here.
    void run_due(clock::time_point now);
    std::size_t size() const { return live_.size(); }

private:
    struct entry {
        clock::time_point deadline;
        std::uint64_t id;
    };
    void pop_stale();
    void compact();

    std::vector<entry> heap_;
    bool front_live_ = true;  ///< heap_.front(), if any, is known to be live
    std::unordered_map<std::uint64_t, std::function<void()>> live_;
};

}  // namespace sockjs::net
