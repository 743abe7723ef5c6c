#pragma once
// The server behind sockjs::server: the network front end, the services, the broadcast bus,
// the connection-id registry and the counters.

#include "clock_and_entropy.hpp"
#include "net/net.hpp"
#include "service_impl.hpp"
#include "stats_counters.hpp"
#include "topic_registry.hpp"
#include "trusted_proxies.hpp"

#include <sockjs/http.hpp>
#include <sockjs/server.hpp>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sockjs::detail {

class server_impl {
public:
    /// `clock` and `entropy`: what the SockJS layer reads for time and randomness (see
    /// clock_and_entropy.hpp); the real ones unless a test passes its own.
    explicit server_impl(server_options opts, std::shared_ptr<server_clock> clock = system_server_clock(),
                         std::shared_ptr<entropy_source> entropy = system_entropy());
    ~server_impl();

    service_impl& add_service(std::string prefix, server::factory make, service_options opts);

    void add_http_route(std::string method, std::string path, http_handler h);

    void start();
    /// Everything start() does but open the network: there are `loops` loops, the caller's,
    /// and requests come from the caller through handle(). For the in-memory tests of the
    /// SockJS layer; stop() does nothing then (the caller owns the loops).
    void start_without_network(std::size_t loops);
    /// One request from the front end, on the loop that owns `ex`.
    void handle(std::shared_ptr<net::exchange> ex, net::http_request& req);
    void run();
    void stop();
    bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }
    /// Posts `fn` to `l` unless the server is stopping (then returns false). Safe from any
    /// thread at any time before the server is destroyed: stop() waits for a post in progress
    /// before it destroys the loops.
    bool post_unless_stopping(net::loop& l, std::function<void()> fn);

    std::uint16_t port() const;
    std::size_t loop_count() const noexcept { return loops_; }

    void publish(std::string_view topic, std::string_view message);
    std::shared_ptr<connection> find(std::string_view id) const;
    bool send_to(std::string_view id, std::string_view message);
    server_stats stats() const;
    /// What metrics_path serves: the server's metrics, the process', the application's.
    std::string metrics_text() const;
    metrics_registry& metrics() noexcept { return app_metrics_; }

    // ---- for backends ----
    const close_code_labels& close_labels() const noexcept { return close_labels_; }
    const server_options& options() const noexcept { return opts_; }
    /// The core's "now" (monotonic).
    time_point now() const noexcept { return clock_->now(); }
    std::string new_connection_id();
    void register_connection(const std::shared_ptr<connection>& c);
    void unregister_connection(const std::string& id);
    bool logging() const noexcept { return static_cast<bool>(opts_.log); }
    void log(std::string_view line) const;
    topic_registry& topics() noexcept { return topics_; }

private:
    /// Sizes the per-loop state and orders the services (start() without the network).
    void prepare(std::size_t loops);

    // request_dispatch.cpp: the glue between net's requests and the core's routing.
    service_impl* match(std::string_view path) noexcept;
    void open_receiver(service_impl& svc, std::shared_ptr<net::exchange> ex,
                       net::http_request& req, const request_info& info,
                       const route_result& rr);
    void open_websocket_session(service_impl& svc, std::shared_ptr<net::exchange> ex,
                                net::http_request& req, const request_info& info);
    void open_raw_websocket(service_impl& svc, std::shared_ptr<net::exchange> ex,
                            net::http_request& req, const request_info& info);
    void handle_send(service_impl& svc, std::shared_ptr<net::exchange> ex, net::http_request& req,
                     const request_info& info, const route_result& rr);
    /// Answers `req` if a plain HTTP route has its path; false otherwise.
    bool serve_http_route(net::exchange& ex, const net::http_request& req);
    void refuse(service_impl& svc, net::exchange& ex, const net::http_request& req);

    void deliver(std::string_view topic, std::string_view message);
    /// A send_to() message from another node: "<connection id>\n<message>".
    void deliver_direct(std::string_view envelope);
    /// Runs `fn(loop index)` on every loop, waiting until all ran.
    void on_every_loop(const std::function<void(std::size_t)>& fn);

    server_options opts_;
    std::shared_ptr<server_clock> clock_;
    std::shared_ptr<entropy_source> entropy_;
    std::vector<std::unique_ptr<service_impl>> services_;  // longest prefix first once started
    // path -> method -> handler; written before start() only, read by the loops after.
    std::map<std::string, std::map<std::string, http_handler, std::less<>>, std::less<>> http_routes_;
    std::unique_ptr<net::net_server> net_;
    std::size_t loops_ = 0;
    close_code_labels close_labels_;
    metrics_registry app_metrics_;
    std::shared_ptr<broadcaster> bus_;
    std::optional<trusted_proxies> proxies_;  // set by start() when opts_.trusted_proxies is not empty
    std::size_t bus_token_ = 0;
    std::string node_;  // bus_->node_id(): the prefix of this server's connection ids
    topic_registry topics_;

    mutable std::mutex ids_mutex_;
    /// Keyed by a view of the connection's own id, so that a held session's entry has no copy
    /// of its 24-character id. The view never outlives the string: a backend registers its
    /// connection only while it is in its service's live set, and leaves the set only through
    /// release(), which unregisters before letting go of the connection (the live sets die
    /// after this map, at the server's destruction).
    std::unordered_map<std::string_view, std::weak_ptr<connection>> ids_;

    std::mutex state_mutex_;
    std::condition_variable state_cv_;
    bool started_ = false;
    bool without_network_ = false;  // start_without_network() was called
    bool stopped_ = false;
    std::atomic<bool> stopping_{false};
    std::shared_mutex posting_;  // held shared by post_unless_stopping, exclusively by stop()
    std::thread stopper_;  // stop() asked for from a loop thread runs here
};

}  // namespace sockjs::detail
