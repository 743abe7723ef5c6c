#pragma once
/// @file
/// Application metrics on the server's own metrics endpoint (server_options::metrics_path).
///
///     auto& echoed = srv.metrics().add_counter("myapp_echoed_messages_total", "Messages echoed.");
///     auto& rooms = srv.metrics().add_gauge("myapp_rooms", "Chat rooms open.");
///     srv.metrics().add_callback_gauge("myapp_queue_depth", "Jobs waiting.", [&] { return q.size(); });
///     ... echoed.inc(); rooms.add(1); ...
///
/// Each metric appears after the server's own, with its `# HELP` and `# TYPE` lines, in the
/// Prometheus text format. Registration checks the name at once (std::invalid_argument), so a
/// bad name never reaches a scrape: the Prometheus grammar `[a-zA-Z_:][a-zA-Z0-9_:]*`, no
/// name given twice, not under the server's own prefixes `sockjs_` and `process_`, and a
/// counter's name ends in `_total` (what Prometheus' tools expect of a counter).
///
/// Threads: registration may happen at any time, from any thread (before start() is usual).
/// inc()/set()/add() are lock-free atomics, callable from any thread, event handlers
/// included. Registered metrics live as long as the server; the references stay valid.
/// Metrics carry no labels: one name, one value (label sets fed from request data are how a
/// metrics endpoint grows without bound).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs {

/// A value that only goes up (requests served, bytes written). Thread-safe.
class metric_counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down (items in a queue, rooms open). Thread-safe.
class metric_gauge {
public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(double d) noexcept { value_.fetch_add(d, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

/// True if `name` matches the Prometheus metric name grammar `[a-zA-Z_:][a-zA-Z0-9_:]*`.
bool valid_metric_name(std::string_view name) noexcept;

/// The application's metrics of one server (server::metrics()).
class metrics_registry {
public:
    metrics_registry();
    metrics_registry(const metrics_registry&) = delete;
    metrics_registry& operator=(const metrics_registry&) = delete;
    ~metrics_registry();

    /// A counter named `name` (ending in `_total`). Throws std::invalid_argument for a name
    /// refused as the file comment says.
    metric_counter& add_counter(std::string name, std::string help);
    /// A gauge set by the application. Throws as add_counter() does.
    metric_gauge& add_gauge(std::string name, std::string help);
    /// A gauge whose value `read` gives at each scrape. `read` runs on a loop thread, possibly
    /// concurrently with itself for simultaneous scrapes: keep it quick and thread-safe. A
    /// `read` that throws leaves its sample out of that scrape (HELP/TYPE stay).
    void add_callback_gauge(std::string name, std::string help, std::function<double()> read);

    /// Every registered metric in the Prometheus text format (what the endpoint appends).
    std::string text() const;

private:
    struct entry;
    entry& add(std::string name, std::string help, bool counter, std::function<double()> read = {});

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<entry>> entries_;
};

}  // namespace sockjs
