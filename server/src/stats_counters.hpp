#pragma once
// The server's counters. Each service has one block of counters per event loop; a loop bumps
// only its own block (relaxed atomics on a cache line no other loop writes: no lock, no
// contention on the hot path) and a scrape sums the blocks.

#include <sockjs/server_stats.hpp>
#include <sockjs/transport.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs::detail {

/// Transports a session can be opened by: the eight of the enum (only receiving ones are
/// used) plus the framing-less raw WebSocket.
inline constexpr std::size_t raw_websocket_index = 8;
inline constexpr std::size_t counted_transports = 9;

inline std::size_t transport_index(transport t) noexcept { return static_cast<std::size_t>(t); }
std::string_view counted_transport_name(std::size_t index) noexcept;

using counter = std::atomic<std::uint64_t>;
// One writer per counter, its loop's thread: a relaxed load and store, not a locked
// read-modify-write (an echoed message bumps six counters). A scrape on another thread still
// reads whole values.
inline void add(counter& c, std::uint64_t n = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
inline void sub(counter& c, std::uint64_t n = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
}

/// Upper bounds (seconds) of sockjs_session_duration_seconds: sessions last seconds to hours.
inline constexpr std::array<double, 8> session_duration_bounds{1, 5, 30, 60, 300, 1800, 3600, 14400};
/// Upper bounds (seconds) of sockjs_handler_duration_seconds: 10 µs to 1 s.
inline constexpr std::array<double, 11> handler_duration_bounds{1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3,
                                                                1e-2, 5e-2, 0.1,  0.5,  1};

/// One loop's share of a histogram: a count per bucket (not cumulative; the last is +Inf) and
/// the sum in nanoseconds.
template <std::size_t N>
struct loop_histogram {
    std::array<counter, N + 1> buckets{};
    counter sum_ns{0};

    void observe(std::chrono::nanoseconds d, const std::array<double, N>& bounds) noexcept {
        const double s = std::chrono::duration<double>(d).count();
        std::size_t i = 0;
        while (i < N && s > bounds[i]) ++i;
        add(buckets[i]);
        add(sum_ns, static_cast<std::uint64_t>(d.count() > 0 ? d.count() : 0));
    }
    /// Adds this loop's share to `h` (bounds set, cumulative buckets, sum in seconds).
    void add_to(histogram_snapshot& h, const std::array<double, N>& bounds) const;
};

/// The application callbacks timed by sockjs_handler_duration_seconds.
enum class handler_kind : std::size_t { on_open, on_message, on_close };
inline constexpr std::size_t handler_kinds = 3;
std::string_view handler_name(handler_kind k) noexcept;

/// Close codes as sockjs_sessions_closed_total labels them: the bounded set of labels, and a
/// code's index in it. RFC 6455's codes 1000-1015 as given; application codes 3000-4999
/// listed in server_options::metrics_close_codes as given, the rest of that range as
/// "other_app"; anything else "other".
class close_code_labels {
public:
    explicit close_code_labels(std::vector<int> app_codes);
    std::size_t size() const noexcept { return names_.size(); }
    std::size_t index(int code) const noexcept;
    const std::string& name(std::size_t i) const noexcept { return names_[i]; }

private:
    std::vector<int> app_codes_;  // sorted, unique, within 3000-4999
    std::vector<std::string> names_;
};

/// One service's counters on one loop.
struct alignas(64) loop_counters {
    explicit loop_counters(std::size_t close_labels) : closed_by_code(close_labels) {}

    std::array<counter, counted_transports> open_by_transport{};
    counter opened{0};
    counter refused{0};
    counter messages_in{0};
    counter messages_out{0};
    counter bytes_in{0};
    counter bytes_out{0};
    std::vector<counter> closed_by_code;  // by close_code_labels::index
    loop_histogram<session_duration_bounds.size()> session_duration;
    std::array<loop_histogram<handler_duration_bounds.size()>, handler_kinds> handler_duration;
};

/// A service's counters: one block per loop (allocated by start(), when the loop count is
/// known).
class service_counters {
public:
    void resize(std::size_t loops, std::size_t close_labels);
    loop_counters& at(std::size_t loop) noexcept { return *loops_[loop]; }
    /// The sum over loops.
    service_stats snapshot(const close_code_labels& codes) const;

private:
    std::vector<std::unique_ptr<loop_counters>> loops_;
};

/// The standard process_* metrics of this process (from /proc: CPU seconds, resident memory,
/// open file descriptors, start time) and sockjs_build_info, in Prometheus text format.
/// A figure /proc does not give is left out.
std::string process_metrics_text();

}  // namespace sockjs::detail
