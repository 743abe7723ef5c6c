#pragma once
// Helpers for the network front end's tests: a server on an ephemeral loopback port and a
// plain blocking POCO client socket with bounded reads (every wait has a deadline).

#include "net/net.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sockjs::net::test {

using namespace std::chrono_literals;

/// A ws_listener made of functions, for tests. It owns itself until the channel closes, as
/// the callbacks it stands for were owned by the channel.
class fn_ws_listener final : public ws_listener {
public:
    using message_fn = std::function<void(std::string&&)>;
    using close_fn = std::function<void(int code, std::string_view reason)>;
    static void attach(ws_channel& ch, message_fn on_message, close_fn on_close = {},
                       std::function<void()> on_drain = {}) {
        auto l = std::make_shared<fn_ws_listener>();
        l->message_ = std::move(on_message);
        l->close_ = std::move(on_close);
        l->drain_ = std::move(on_drain);
        l->self_ = l;
        ch.listen(l);
    }
    void on_ws_message(std::string&& msg) override {
        if (message_) message_(std::move(msg));
    }
    void on_ws_closed(int code, std::string_view reason) override {
        auto keep = std::move(self_);
        if (close_) close_(code, reason);
    }
    void on_ws_drained() override {
        if (drain_) drain_();
    }

private:
    message_fn message_;
    close_fn close_;
    std::function<void()> drain_;
    std::shared_ptr<fn_ws_listener> self_;
};

/// An exchange_listener made of functions, for tests. It owns itself until the exchange
/// aborts or release() is called (after a normal end), as the callbacks it stands for were
/// owned by the exchange until then.
class fn_exchange_listener final : public exchange_listener {
public:
    static std::shared_ptr<fn_exchange_listener> attach(exchange& ex, std::function<void()> on_abort,
                                                        std::function<void()> on_drain = {}) {
        auto l = std::make_shared<fn_exchange_listener>();
        l->abort_ = std::move(on_abort);
        l->drain_ = std::move(on_drain);
        l->self_ = l;
        ex.listen(l);
        return l;
    }
    void on_exchange_aborted() override {
        auto keep = std::move(self_);
        if (abort_) abort_();
    }
    void on_exchange_drained() override {
        if (drain_) drain_();
    }
    void release() { self_.reset(); }

private:
    std::function<void()> abort_;
    std::function<void()> drain_;
    std::shared_ptr<fn_exchange_listener> self_;
};

/// Message i of a numbered sequence, `size` bytes ("m<i>:" then filler): a reader can tell a
/// lost, reordered or cut message.
inline std::string numbered(int i, std::size_t size) {
    std::string s = "m" + std::to_string(i) + ":";
    s.resize(size, static_cast<char>('a' + i % 26));
    return s;
}

/// Expectations checked on a loop thread. Catch's assertions are not thread-safe (TSan sees the
/// loop thread and the test thread write the same Catch state), so a handler records what did
/// not hold here and the test thread asserts `failures().empty()`.
class loop_expectations {
public:
    void expect(bool ok, const char* what) {
        if (ok) return;
        std::lock_guard<std::mutex> lock(m_);
        failures_.emplace_back(what);
    }
    std::vector<std::string> failures() const {
        std::lock_guard<std::mutex> lock(m_);
        return failures_;
    }

private:
    mutable std::mutex m_;
    std::vector<std::string> failures_;
};
#define LOOP_EXPECT(expectations, ...) (expectations).expect(static_cast<bool>(__VA_ARGS__), #__VA_ARGS__)

/// A net_server on 127.0.0.1:<ephemeral> running `handler`.
struct test_server {
    explicit test_server(http_handler handler, net_options opts = small_options())
        : server(fill(std::move(opts)), std::move(handler)) {
        server.start();
    }
    static net_options small_options() {
        net_options o;
        o.host = "127.0.0.1";
        o.port = 0;
        o.threads = 2;
        return o;
    }
    static net_options fill(net_options o) {
        o.host = "127.0.0.1";
        o.port = 0;
        return o;
    }
    Poco::Net::SocketAddress address() const { return {"127.0.0.1", server.port()}; }

    net_server server;
};

/// Waits (bounded) until `pred` holds; returns whether it did.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 2000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return pred();
}

struct response {
    int status = 0;
    std::string version;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    bool has(const std::string& name) const { return headers.count(name) != 0; }
    std::string get(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// A blocking client with a receive timeout; reads are buffered so responses can be parsed
/// piece by piece.
class client {
public:
    /// `receive_buffer` > 0 sets SO_RCVBUF before connecting (after, it makes the kernel drop
    /// data and back off for seconds).
    explicit client(const Poco::Net::SocketAddress& addr, std::chrono::milliseconds timeout = 2000ms,
                    int receive_buffer = 0);
    void send(std::string_view bytes);
    /// Reads until `marker` is buffered; returns everything up to and including it ("" on
    /// timeout or close).
    std::string read_until(std::string_view marker);
    /// Exactly n bytes ("" short on timeout/close).
    std::string read_exact(std::size_t n);
    /// Everything until the server closes (bounded by the timeout).
    std::string read_to_close();
    /// True if the server closed the connection (EOF or reset) within the timeout.
    bool closed_by_peer();
    /// A response head, then its body by Content-Length or chunked (all chunks joined).
    response read_response(bool head_only = false);
    /// One chunk of a chunked body ("" for the last chunk).
    std::string read_chunk();
    Poco::Net::StreamSocket& socket() { return socket_; }
    std::string& buffered() { return buf_; }

private:
    bool fill();
    Poco::Net::StreamSocket socket_;
    std::string buf_;
    bool eof_ = false;
};

/// A client-to-server WebSocket frame: masked with a fixed key, FIN as given. `rsv` sets the
/// RSV bits (for error tests), `masked` false sends it unmasked (also an error).
std::string client_frame(int opcode, std::string_view payload, bool fin = true, bool masked = true,
                         unsigned rsv = 0);

struct ws_frame {
    int opcode = -1;  ///< -1: nothing (timeout or close)
    bool fin = false;
    std::string payload;
    int close_code() const {
        return payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]) : 1005;
    }
};
/// Reads one server frame (unmasked) from `c`.
ws_frame read_frame(client& c);

/// Sends an RFC 6455 upgrade request for `path` and reads the 101 head.
response websocket_handshake(client& c, const std::string& path = "/ws");

/// Number of open file descriptors of this process.
std::size_t open_fds();

}  // namespace sockjs::net::test
