#pragma once
/// @file
/// The SockJS server: every transport of the protocol on an event-driven POCO front end.
///
///     struct Echo : sockjs::connection { void on_message(std::string_view m) override { send(m); } };
///     sockjs::server srv({.port = 8081});
///     srv.route<Echo>("/echo");
///     srv.run();
///
/// One server serves several services, each under its own URL prefix with its own
/// sockjs::service_options (response_limit, heartbeat_delay, disconnect_delay, websocket,
/// jsessionid, disabled_transports, sockjs_url, origins, max_message_size, max_queued_bytes,
/// max_sessions). A request goes to the service with the longest matching prefix.
///
/// Threads: `threads` event loops (one thread each) hold every connection; the thread count
/// does not grow with connections. A session lives on the loop of the request that created it
/// and its events run there; see connection.hpp.

#include <sockjs/broadcaster.hpp>
#include <sockjs/connection.hpp>
#include <sockjs/http_route.hpp>
#include <sockjs/metrics.hpp>
#include <sockjs/options.hpp>
#include <sockjs/server_stats.hpp>
#include <sockjs/tls_options.hpp>
#include <sockjs/websocket_deflate.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sockjs {

namespace detail {
class server_impl;
struct service_impl;
}  // namespace detail

struct server_options {
    /// Address to bind: loopback by default, so that nothing is exposed by accident; "0.0.0.0"
    /// (or "::") serves every interface.
    std::string host = "127.0.0.1";
    std::uint16_t port = 8081;  ///< 0: pick a free port (see server::port())
    /// https/wss on this port when a certificate is set (see tls_options.hpp).
    sockjs::tls_options tls = {};
    std::size_t threads = 0;    ///< event loops; 0: one per core the process may run on (its affinity mask)

    // Limits of the HTTP front end. (Every member has a default initializer, so that
    // designated initializers like {.port = 8081} compile without -Wextra warnings.)
    std::size_t max_connections = 20000;
    std::size_t max_header_bytes = 16 * 1024;  ///< larger request heads get 431
    std::size_t max_body_bytes = 4u << 20;     ///< larger request bodies get 413
    /// Request bodies being received by all connections together: a request whose body would
    /// take the total above this gets 503 (with Retry-After) and its connection closes.
    std::size_t max_total_body_bytes = 64u << 20;
    std::chrono::milliseconds header_timeout{10000};      ///< a head not complete by then: 408
    std::chrono::milliseconds keep_alive_timeout{60000};  ///< idle connections close after this
    /// A receiver whose unsent bytes exceed this stops taking frames from its session until
    /// the socket drains (messages wait in the session's bounded queue meanwhile).
    std::size_t write_high_watermark = 1u << 20;
    /// A connection whose unsent bytes exceed this is closed (logged).
    std::size_t write_hard_limit = 16u << 20;
    /// permessage-deflate (RFC 7692) on WebSockets, SockJS and raw: off by default (see there).
    websocket_deflate_options websocket_deflate = {};

    /// Serve the Prometheus counters at this path (e.g. "/metrics"); empty: off. The counters
    /// are public to whoever reaches the port unless metrics_token is set.
    std::string metrics_path = {};
    /// Non-empty: metrics_path answers only requests with `Authorization: Bearer <token>`
    /// (others get 401), the way Prometheus' `authorization` scrape setting sends it.
    std::string metrics_token = {};
    /// Application close codes (3000-4999) that sockjs_sessions_closed_total counts under
    /// their own `code` label; other codes of that range count as code="other_app", so that
    /// codes a raw WebSocket peer sends cannot grow the label set. RFC 6455 codes
    /// (1000-1015) are always labeled as given, anything else is "other".
    std::vector<int> metrics_close_codes = {};
    /// Serve files under this directory for GET paths outside every service; empty: off.
    std::string static_dir = {};
    /// One structured `key=value` line per event, starting with its level:
    /// `level=info|warn|error event=<name> ...` (session open/close, refused sessions, a
    /// handler that threw, a connection over write_hard_limit, loop and TLS failures). Null:
    /// session events are not logged and the library's own errors go to stderr.
    /// Called from the loop threads, possibly concurrently.
    std::function<void(std::string_view line)> log = {};
    /// Reverse proxies (addresses or CIDRs, e.g. "10.0.0.0/8", "::1") whose Forwarded /
    /// X-Forwarded-For headers are believed: for a request from one of them, remote_address()
    /// and the logs give the client's address from those headers (the rightmost hop that is
    /// not a trusted proxy; no port). Empty: the headers are ignored (the default: anyone can
    /// send them). start() throws std::invalid_argument for an entry that is neither.
    std::vector<std::string> trusted_proxies = {};
    /// Broadcast bus; null: an in_process_broadcaster of this server's own.
    std::shared_ptr<sockjs::broadcaster> bus = {};

    /// Close frame sent to every session when the server stops.
    int shutdown_code = 1001;
    std::string shutdown_reason = "Server shutting down";
    /// How long stop() waits for close frames to reach clients before closing sockets.
    std::chrono::milliseconds drain_timeout{1000};
    /// run() catches SIGINT and SIGTERM while it runs and stops the server gracefully on
    /// them (the previous handlers are restored when it returns). Off: run() leaves the
    /// signals alone (handle them yourself and call stop()).
    bool stop_on_signals = true;
};

class server;

/// A handle to one service (valid as long as its server).
class service {
public:
    const std::string& prefix() const noexcept;
    const service_options& options() const noexcept;
    /// Sends `message` to every session of this service (see broadcaster.hpp). Thread-safe.
    void broadcast(std::string_view message);
    /// Sessions this service holds now (any state, raw WebSockets included).
    std::size_t session_count() const noexcept;

private:
    friend class server;
    explicit service(detail::service_impl& impl) noexcept : impl_(&impl) {}
    detail::service_impl* impl_;
};

class server {
public:
    using factory = std::function<std::shared_ptr<connection>()>;

    explicit server(server_options opts = {});
    ~server();  ///< stops the server if running
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Adds a service whose sessions are `Conn` objects (default-constructed, one per session).
    /// `prefix` starts with '/' and has no trailing '/' (e.g. "/echo"). Before start() only.
    /// Throws std::invalid_argument for a malformed or duplicate prefix.
    template <class Conn>
    service route(std::string prefix, service_options opts = {}) {
        static_assert(std::is_base_of_v<connection, Conn>, "Conn must derive from sockjs::connection");
        return route(std::move(prefix), factory([] { return std::make_shared<Conn>(); }),
                     std::move(opts));
    }
    /// Adds a service whose sessions call `h`.
    service route(std::string prefix, handlers h, service_options opts = {});
    /// Adds a service whose sessions are made by `make` (called on the session's loop).
    service route(std::string prefix, factory make, service_options opts = {});

    /// Answers `method` requests to exactly `path` with `h` (see http_route.hpp); a GET route
    /// also answers HEAD. Before start() only. Throws std::invalid_argument for a path that
    /// does not start with '/', lies under a service prefix (or is one: routes never shadow a
    /// service), is the metrics path, or a method/path pair given twice.
    void http_route(std::string method, std::string path, http_handler h);

    /// Binds and starts the loops; returns at once. Throws std::runtime_error saying what
    /// went wrong if it cannot listen ("address already in use: 127.0.0.1:8081") or a TLS
    /// file cannot be loaded.
    void start();
    /// start() if needed, then blocks until the server has stopped: after stop() (from
    /// another thread or a handler) or, with server_options::stop_on_signals (the default),
    /// after SIGINT or SIGTERM, on which it drains as stop() does (clients get a close frame,
    /// not 1006). A second signal during the drain ends the process as it would have before.
    void run();
    /// Graceful stop: sends a close frame to every session, waits up to drain_timeout for
    /// them to leave, closes every connection and joins the loops. Thread-safe, idempotent.
    /// Connections' send() returns false afterwards. Called from an event handler, it
    /// returns at once and the stop proceeds on a thread of its own (run() returns when done).
    void stop();

    /// The bound port (after start()).
    std::uint16_t port() const;
    /// Number of event loops (after start()).
    std::size_t loop_count() const;

    /// Publishes `message` to every session of the service at `prefix`.
    void broadcast(std::string_view prefix, std::string_view message);
    /// The live connection with this id (connection::id()), or null.
    std::shared_ptr<connection> find(std::string_view connection_id) const;
    /// Publishes `message` on `topic` to every session subscribed to it (connection::
    /// subscribe()) and, if `topic` is a service prefix, to every session of that service; on
    /// every process sharing the bus. Escaped once per process. Topics beginning with '@' are
    /// reserved and ignored. Thread-safe.
    void publish(std::string_view topic, std::string_view message);
    /// Sends `message` to the session with this id, wherever it lives: here it is
    /// connection::send() (false if unknown or closed); an id of another node on a shared bus
    /// is handed to the bus and true returned (delivered if that session is still open when
    /// the message arrives: asynchronous, at most once). Any other id: false, nothing sent.
    bool send_to(std::string_view connection_id, std::string_view message);

    server_stats stats() const;
    /// What metrics_path serves: prometheus_text(stats()), then the process_* metrics of this
    /// process (CPU seconds, resident and virtual memory, open fds, start time, from /proc),
    /// sockjs_build_info{version="..."} 1, then the application's metrics (metrics()).
    std::string metrics_text() const;
    /// The application's own counters and gauges, served with the server's (metrics.hpp).
    /// Registration is allowed at any time, from any thread.
    metrics_registry& metrics() noexcept;

private:
    std::unique_ptr<detail::server_impl> impl_;
};

}  // namespace sockjs
