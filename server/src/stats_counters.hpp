#pragma once
// The server's counters: relaxed atomics bumped from every loop, read as a snapshot.

#include <sockjs/server_stats.hpp>
#include <sockjs/transport.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockjs::detail {

/// Transports a session can be opened by: the eight of the enum (only receiving ones are
/// used) plus the framing-less raw WebSocket.
inline constexpr std::size_t raw_websocket_index = 8;
inline constexpr std::size_t transport_slots = 9;

inline std::size_t transport_index(transport t) noexcept { return static_cast<std::size_t>(t); }
std::string_view transport_slot_name(std::size_t index) noexcept;

struct stats_counters {
    using counter = std::atomic<std::uint64_t>;
    std::array<counter, transport_slots> open_by_transport{};
    counter opened{0};
    counter closed{0};
    counter refused{0};
    counter messages_in{0};
    counter messages_out{0};
    counter bytes_in{0};
    counter bytes_out{0};

    static void add(counter& c, std::uint64_t n = 1) noexcept { c.fetch_add(n, std::memory_order_relaxed); }
    static void sub(counter& c, std::uint64_t n = 1) noexcept { c.fetch_sub(n, std::memory_order_relaxed); }

    server_stats snapshot() const;
};

/// The standard process_* metrics of this process (from /proc: CPU seconds, resident memory,
/// open file descriptors, start time) and sockjs_build_info, in Prometheus text format.
/// A figure /proc does not give is left out.
std::string process_metrics_text();

}  // namespace sockjs::detail
