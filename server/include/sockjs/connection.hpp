#pragma once
/// @file
/// One SockJS session as the application sees it.
///
/// Two ways to write a service:
///
///     // a class: one object per session, created by the server
///     struct Echo : sockjs::connection {
///         void on_message(std::string_view m) override { send(m); }
///     };
///     srv.route<Echo>("/echo");
///
///     // or a struct of lambdas
///     srv.route("/echo", sockjs::handlers{
///         .on_message = [](sockjs::connection& c, std::string_view m) { c.send(m); }});
///
/// Threading: every event (on_open, on_message, on_close) runs on the session's own loop
/// thread, one at a time, in order. send(), close() and broadcast() may be called from any
/// thread (from elsewhere they are posted to the session's loop, keeping their order), and so
/// may subscribe(), unsubscribe() and publish().
///
/// To reject a session, call close(code, reason) in on_open: the client sees the open frame
/// followed by the close frame, which is how SockJS reports a refusal (e.g. 3000 "Go away!").

#include <sockjs/http.hpp>  // header_list

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sockjs {

namespace detail {
class conn_backend;
struct connection_access;
}  // namespace detail

class connection : public std::enable_shared_from_this<connection> {
public:
    connection() = default;
    virtual ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // ---- events (override what you need; they run on the session's loop thread) ----------

    /// The session is open (the client got the open frame).
    virtual void on_open() {}
    /// One message from the client, decoded.
    virtual void on_message(std::string_view message) { (void)message; }
    /// The session left the open state: `code`/`reason` are the close frame's (1000 normal,
    /// 1002 "Connection interrupted" when the client went away, 3000-4999 from close(), 1013
    /// "Send queue overflow" when the client did not read fast enough, 1001 on shutdown).
    virtual void on_close(int code, std::string_view reason) { (void)code; (void)reason; }

    // ---- actions (any thread) ------------------------------------------------------------

    /// Queues one message for the client. Returns false if the session is already closed
    /// (or, on the loop thread, if the session's queue overflowed and it closed itself).
    bool send(std::string_view message);
    /// Closes the session with a close frame `c[code,"reason"]` (raw WebSocket: a close
    /// frame). Use 1000 or 3000-4999. No-op once closing.
    void close(int code = 1000, std::string_view reason = "Normal closure");
    /// Sends `message` to every connection of this service (escaped once for all of them,
    /// and through the server's broadcaster, so other processes can take part).
    void broadcast(std::string_view message);
    /// Joins `topic`: messages published on it (server::publish(), publish(), from this
    /// process or, through a shared bus, any other) reach this session, once however often it
    /// joined. Returns false if the session is closed or the topic is empty or begins with
    /// '@' (reserved). Left automatically when the session ends.
    bool subscribe(std::string_view topic);
    /// Leaves `topic` (no-op if not joined).
    void unsubscribe(std::string_view topic);
    /// server::publish(topic, message) of this session's server (no-op once the session is gone).
    void publish(std::string_view topic, std::string_view message);

    // ---- what the server knows about the session (fixed before on_open) ------------------

    /// A server-generated id, unique in this server (not the client-chosen session id of the
    /// URL, which the protocol keeps away from applications). Find a connection by it with
    /// server::find(); reach it from any process with server::send_to(). With a shared bus it
    /// begins with the bus's node id and '-'.
    const std::string& id() const noexcept { return id_; }
    /// Transport of the request that opened the session: "websocket", "xhr",
    /// "xhr_streaming", "eventsource", "htmlfile", "jsonp", or "raw_websocket" (the
    /// framing-less `/websocket` endpoint).
    std::string_view transport() const noexcept { return transport_; }
    /// "ip:port" of the client that opened the session. Like prefix() and path(), a view
    /// into one buffer the connection keeps for what it knows of its opening request (a held
    /// session's memory): valid as long as the connection.
    std::string_view remote_address() const noexcept { return request_field(0, prefix_at_); }
    /// The service prefix, e.g. "/echo".
    std::string_view prefix() const noexcept { return request_field(prefix_at_, path_at_); }
    /// The request path that opened the session, e.g. "/echo/000/abc/xhr_streaming".
    std::string_view path() const noexcept { return request_field(path_at_, headers_at_); }
    /// Headers of the request that opened the session, names as the client sent them, in
    /// the order it sent them (duplicates kept). A copy, built on each call: the connection
    /// keeps them packed in one buffer (a held session's memory), so prefer header() for a
    /// lookup. A WebSocket's handshake headers describe the transport, not the client, and
    /// are left out (Upgrade, Connection, Sec-WebSocket-Key, -Key1, -Key2, -Version,
    /// -Extensions), as the other transports never had them; Sec-WebSocket-Protocol stays.
    header_list headers() const;
    /// The first header named `name` (case-insensitive), if present. The view lives as long
    /// as the connection.
    std::optional<std::string_view> header(std::string_view name) const;
    /// The value of cookie `name` from the opening request's Cookie header, if present.
    std::optional<std::string> cookie(std::string_view name) const;
    /// True until the session closes.
    bool is_open() const noexcept;

private:
    friend struct detail::connection_access;
    std::weak_ptr<detail::conn_backend> backend_;
    std::string id_;
    std::string_view request_field(std::uint32_t at, std::uint32_t next) const noexcept {
        return std::string_view(request_).substr(at, next - at - 1);
    }

    std::string_view transport_;
    /// remote '\0' prefix '\0' path '\0', then each header as name '\0' value '\0' (HTTP
    /// forbids NUL in names and values).
    std::string request_;
    std::uint32_t prefix_at_ = 0, path_at_ = 0, headers_at_ = 0;
};

/// The lambda form of a service. Empty members are ignored.
struct handlers {
    std::function<void(connection&)> on_open = {};
    std::function<void(connection&, std::string_view message)> on_message = {};
    std::function<void(connection&, int code, std::string_view reason)> on_close = {};
};

}  // namespace sockjs
