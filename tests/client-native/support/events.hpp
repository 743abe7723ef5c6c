#pragma once
// Waiting for a connection's events with bounded time, for the tests.

#include <sockjs/client/connection.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sockjs::client::test {

using namespace std::chrono_literals;

/// The next event, or nullopt after `limit`.
inline std::optional<event> next(connection& c, std::chrono::milliseconds limit = 8s) {
    return c.next_event(limit);
}

/// Skips messages until a close event (nullopt if none within `limit`).
inline std::optional<event> wait_close(connection& c, std::chrono::milliseconds limit = 8s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left <= 0ms) return std::nullopt;
        auto e = c.next_event(left);
        if (!e) return std::nullopt;
        if (e->kind == event::close) return e;
    }
}

/// Collects `n` messages; stops early at a close event or after `limit`.
inline std::vector<std::string> messages(connection& c, std::size_t n, std::chrono::milliseconds limit = 8s) {
    std::vector<std::string> got;
    const auto until = std::chrono::steady_clock::now() + limit;
    while (got.size() < n) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left <= 0ms) break;
        auto e = c.next_event(left);
        if (!e || e->kind == event::close) break;
        if (e->kind == event::message) got.push_back(std::move(e->data));
    }
    return got;
}

inline const char* kind_name(event::kind_t k) {
    switch (k) {
    case event::open: return "open";
    case event::message: return "message";
    case event::close: return "close";
    }
    return "?";
}

/// The close event within `limit` (messages before it skipped); fails the test without one.
inline event require_close(connection& c, std::chrono::milliseconds limit = 5s) {
    auto e = wait_close(c, limit);
    INFO("last error: " << c.last_error());
    REQUIRE(e);
    return *e;
}

/// The next event is open (within 5 s); fails the test otherwise.
inline void require_next_open(connection& c) {
    auto e = next(c, 5s);
    INFO("last error: " << c.last_error());
    REQUIRE(e);
    REQUIRE(kind_name(e->kind) == std::string("open"));
}

}  // namespace sockjs::client::test
