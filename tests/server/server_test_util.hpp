#pragma once
// Test support for the server tests: an in-process server on a free port with the services
// the protocol suite expects, a raw HTTP/1.x client that can read a streaming response one
// chunk at a time, and a small WebSocket client that can also send malformed frames.

#include <sockjs/server.hpp>

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sjt {

using namespace std::chrono_literals;
using headers = std::vector<std::pair<std::string, std::string>>;

/// A random id like the clients make (hex), for fresh session URLs.
std::string new_id();

// ---- server fixture ---------------------------------------------------------------------

/// The demo server's services (server/demo/demo_services.hpp): the suite's /echo, /close,
/// /disabled_websocket_echo, /cookie_needed_echo, plus /broadcast, /rooms and /healthz.
void add_suite_services(sockjs::server& srv);

/// Options for a test server: 127.0.0.1, a free port, two loops (so that cross-loop paths
/// are exercised), quick shutdown.
sockjs::server_options test_options();

/// A started server; stopped and destroyed with the fixture.
struct test_server {
    explicit test_server(const std::function<void(sockjs::server&)>& setup = add_suite_services,
                         sockjs::server_options opts = test_options());
    ~test_server();
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    sockjs::server srv;
    std::uint16_t port = 0;
};

// ---- HTTP ---------------------------------------------------------------------------------

struct response {
    int status = 0;
    std::string version;  ///< "1.0" or "1.1"
    headers hdrs;
    std::string body;

    /// First header `name` (case-insensitive).
    std::optional<std::string> header(std::string_view name) const;
    bool has(std::string_view name) const { return header(name).has_value(); }
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SJT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SJT_SANITIZED 1
#endif
#endif
#ifndef SJT_SANITIZED
#define SJT_SANITIZED 0
#endif
/// True under ASan or TSan. Their quarantine and shadow memory make a bound measured as the
/// process's RSS meaningless, and work sized for an optimized build may take 10x longer:
/// such checks run in the plain build only (CI runs both).
inline constexpr bool sanitized_build = SJT_SANITIZED;

/// One request on a fresh connection; reads the whole response (Content-Length, chunked, or
/// until close). `content_length=false` sends a body-less POST with no Content-Length.
response http(std::uint16_t port, std::string_view method, std::string_view target,
              const headers& hs = {}, std::string_view body = {}, bool content_length = true);

/// A connection on which the test reads as the protocol suite does: head first, then a
/// streaming body piece by piece.
class raw_http {
public:
    explicit raw_http(std::uint16_t port, std::chrono::milliseconds timeout = 3s);

    /// Sends a request. `version` "1.0" or "1.1".
    void request(std::string_view method, std::string_view target, const headers& hs = {},
                 std::string_view body = {}, std::string_view version = "1.1",
                 bool content_length = true);
    void send(std::string_view bytes);

    /// Reads the status line and headers.
    response read_head();
    /// Next chunk of a chunked body ("" for the last chunk). Throws on timeout or EOF.
    std::string read_chunk();
    /// The body of `head` (Content-Length, chunked or until close), for non-streaming replies.
    std::string read_body(const response& head);
    /// Exactly `n` bytes (throws on timeout or EOF).
    std::string read_exact(std::size_t n);
    /// Whatever arrives next (at least one byte), or "" at EOF. Throws on timeout.
    std::string read_some();
    /// True if the peer closes the connection within `wait` (pending bytes are discarded).
    bool closed_within(std::chrono::milliseconds wait = 3s);
    void close();
    Poco::Net::StreamSocket& socket() noexcept { return sock_; }

private:
    bool fill();  // false at EOF
    Poco::Net::StreamSocket sock_;
    std::string buf_;
};

// ---- WebSocket ----------------------------------------------------------------------------

struct ws_message {
    enum kind_t { text, binary, close, eof } kind = eof;
    std::string data;
    int code = 0;  ///< close: the code (1005 if none)
};

class ws_client {
public:
    /// Connects and completes an RFC 6455 handshake (throws if the answer is not 101 with the
    /// right Sec-WebSocket-Accept).
    ws_client(std::uint16_t port, std::string_view path, const headers& extra = {},
              std::chrono::milliseconds timeout = 3s);

    void send_text(std::string_view text);
    /// Any frame; masked as a client must, unless `mask` is false (a protocol error).
    void send_frame(std::uint8_t opcode, std::string_view payload, bool fin = true, bool mask = true);
    void send_raw(std::string_view bytes);
    /// Next message (pings are answered, pongs skipped). Throws on timeout.
    ws_message recv();
    /// Sends a close frame.
    void close(int code = 1000, std::string_view reason = {});
    /// Drops the TCP connection without a close frame.
    void drop();
    Poco::Net::StreamSocket& socket() noexcept { return sock_; }

private:
    bool fill();
    std::string take(std::size_t n);
    Poco::Net::StreamSocket sock_;
    std::string buf_;
    std::string partial_;
    std::uint8_t partial_op_ = 0;
};

/// The HTTP answer to a WebSocket upgrade (for handshakes that must fail).
response ws_handshake_response(std::uint16_t port, std::string_view path, const headers& extra = {});

// ---- misc -----------------------------------------------------------------------------------

/// Polls `pred` every 10 ms until it holds or `limit` passes; returns its last value.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s);

/// Open file descriptors of this process.
std::size_t open_fds();

/// Threads of this process.
std::size_t thread_count();

/// A JSON string literal (without validation beyond what the tests need) decoded to UTF-16
/// code units, so that lone surrogates compare exactly.
std::u16string json_string_to_utf16(std::string_view literal);

}  // namespace sjt
