#pragma once
// What a sockjs::connection talks to: one session (session_backend) or one raw WebSocket
// (raw_websocket_backend). A backend lives on one loop, its home; everything but the
// "any thread" members runs there.

#include "loop_context.hpp"
#include "net/net.hpp"
#include "packed_headers.hpp"
#include "stats_counters.hpp"

#include <sockjs/connection.hpp>
#include <sockjs/time.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs::detail {

struct service_impl;
class server_impl;

/// One broadcast, prepared once for every session of every loop.
struct broadcast_message {
    std::string literal;  ///< the message escaped as a JSON string literal (SockJS sessions)
    std::string raw;      ///< the message as is (raw WebSocket sessions)
    /// The RFC 6455 text frame of `a[literal]`, header included: a WebSocket session with
    /// nothing queued writes it as is (server_session::send_escaped_direct) instead of
    /// framing the same bytes again for each of thousands of sessions.
    std::string ws_frame;
    std::size_t ws_header = 0;  ///< bytes of ws_frame before the payload
};

/// Gives the server access to a connection's private fields.
struct connection_access {
    static void bind(connection& c, std::weak_ptr<conn_backend> backend, std::string id,
                     std::string_view transport_name, std::string_view remote, std::string_view prefix,
                     std::string_view path, const Poco::Net::NameValueCollection& headers,
                     bool websocket_upgrade) {
        c.backend_ = std::move(backend);
        c.id_ = std::move(id);
        c.transport_ = transport_name;
        std::string& r = c.request_;
        r.clear();
        // Exactly sized: it is kept for the session's life.
        r.reserve(remote.size() + prefix.size() + path.size() + 3 + packed_headers_size(headers, websocket_upgrade));
        r.append(remote).push_back('\0');
        c.prefix_at_ = static_cast<std::uint32_t>(r.size());
        r.append(prefix).push_back('\0');
        c.path_at_ = static_cast<std::uint32_t>(r.size());
        r.append(path).push_back('\0');
        c.headers_at_ = static_cast<std::uint32_t>(r.size());
        append_packed_headers(r, headers, websocket_upgrade);
    }
    static std::string_view packed_headers(const connection& c) noexcept {
        return std::string_view(c.request_).substr(c.headers_at_);
    }
};

class conn_backend : public std::enable_shared_from_this<conn_backend> {
public:
    conn_backend(service_impl& svc, net::loop& home, std::size_t counted_transport);
    virtual ~conn_backend();
    conn_backend(const conn_backend&) = delete;
    conn_backend& operator=(const conn_backend&) = delete;

    net::loop& home() const noexcept { return home_; }
    service_impl& service() const noexcept { return svc_; }

    // ---- any thread ----
    /// Queues an application message (inline on the home loop, posted from elsewhere).
    bool send(std::string_view message);
    void close(int code, std::string_view reason);
    void broadcast(std::string_view message);
    /// connection::subscribe()/unsubscribe(): applied on the home loop.
    bool subscribe(std::string_view topic);
    void unsubscribe(std::string_view topic);
    void publish(std::string_view topic, std::string_view message);
    bool is_open() const noexcept { return open_.load(std::memory_order_acquire); }
    /// The backend whose application callback (on_open, on_message, on_close) is running on
    /// the calling thread, the innermost if they nest; null outside callbacks.
    static conn_backend* in_callback() noexcept;
    /// The application's object for this backend (null before make_connection()).
    const connection* app_connection() const noexcept { return conn_.get(); }
    /// send() from inside this backend's own callback: on its home loop, the backend held
    /// by whoever called the callback, so neither the thread check nor a reference is needed.
    bool send_from_callback(std::string_view message) { return is_open() && send_here(message); }
    /// Where this backend is in its service's live set (see net::live_set).
    std::size_t live_slot = 0;

    // ---- home loop ----
    /// A broadcast, prepared once for every session (see broadcast_message). A session whose
    /// WebSocket can take `m.ws_frame` as it is adds its connection to `batch` (sent by the
    /// caller after the last session); one that does more (application events, its own
    /// framing) sends the batch first, so that no code runs between a batch's adds and sends.
    virtual void deliver_broadcast(const broadcast_message& m, net::send_batch& batch) = 0;
    /// Server shutdown: close with a close frame, end receivers.
    virtual void shutdown(int code, std::string_view reason) = 0;
    /// True while a client connection is attached (a receiver, or an open WebSocket).
    virtual bool has_connection() const noexcept = 0;

    /// Server stop, once the loops have ended: leaves the service as the backend's last step
    /// would (nothing else runs any more, so the stopping thread may call it).
    void release_at_stop() { release(); }

    /// Creates the application's connection object for the request that opened this backend.
    /// Returns false (and logs) if the application's factory failed.
    bool make_connection(const net::http_request& req);

protected:
    virtual bool send_here(std::string_view message) = 0;
    virtual void close_here(int code, std::string_view reason) = 0;

    // Application events with the bookkeeping around them (stats, log, exceptions).
    void app_open();
    void app_message(std::string_view message);
    void app_close(int code, std::string_view reason);
    /// Forgets the application object and leaves the service (the last step of a backend).
    void release();

    /// Exceptions from application code: logged, then the session closes with 1011.
    void app_failed(std::string_view what);

    server_impl& server() const noexcept;
    /// This backend's service's counters on its home loop.
    loop_counters& counters() const noexcept { return counters_; }

    service_impl& svc_;
    net::loop& home_;
    std::size_t counted_transport_;
    // Looked up once: the blocks are allocated when the server starts, before any backend,
    // and an echoed message bumps counters three times.
    loop_counters& counters_;
    std::shared_ptr<connection> conn_;
    std::atomic<bool> open_{true};
    bool opened_ = false;
    time_point opened_at_{};  // the open event, on the server's clock (session duration)
    bool released_ = false;
    std::vector<std::string> topics_;  // joined topics (home loop), left on release()
};

}  // namespace sockjs::detail
