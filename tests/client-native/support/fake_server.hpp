#pragma once
// A misbehaving "SockJS server" inside the test process: it accepts connections on a leased
// port, reads one HTTP request head per connection and hands the raw socket to the test's
// script, which writes whatever bytes it likes (broken frames, broken HTTP, broken
// WebSocket framing, nothing at all). The connection is closed when the script returns.

#include "port_lease.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace sockjs::client::test {

class fake_server;

struct fake_request {
    std::string method;
    std::string path;    ///< without the query
    std::string body;
    std::map<std::string, std::string> headers;  ///< names lower-cased
    Poco::Net::StreamSocket* socket = nullptr;  ///< owned by the server
    fake_server* server = nullptr;

    /// The last path segment: "info", "websocket", "xhr_streaming", "xhr", "xhr_send", ...
    std::string last_segment() const;

    // Writers; they ignore errors (the client may have gone).
    void write(std::string_view bytes);
    /// A complete response with Content-Length.
    void respond(int status, std::string_view content_type, std::string_view content);
    /// Status line and headers of a chunked response; then chunk() and end_chunks().
    void start_chunked(int status, std::string_view content_type);
    void chunk(std::string_view data);
    void end_chunks();
    /// Completes a WebSocket handshake (101 with the right Sec-WebSocket-Accept).
    void accept_websocket();
    /// One unmasked server-to-client WebSocket frame (opcode 1 text by default).
    void ws_frame(std::string_view payload, int opcode = 1, bool fin = true);
    /// Keeps the connection open until the server stops or `limit` passes.
    void hold(std::chrono::milliseconds limit);
};

class fake_server {
public:
    using script = std::function<void(fake_request&)>;

    explicit fake_server(script s);
    /// Stops accepting, cuts every open connection and joins all threads.
    ~fake_server();
    fake_server(const fake_server&) = delete;
    fake_server& operator=(const fake_server&) = delete;

    std::string url(std::string_view prefix = "/echo") const;
    /// Closes the listening socket: new connections are refused from now on.
    void stop_listening();
    /// Requests served so far whose last path segment is `segment`.
    int count(std::string_view segment) const;

    /// For fake_request::hold.
    void wait_stopped(std::chrono::milliseconds limit);

private:
    void accept_loop();
    void serve(std::list<Poco::Net::StreamSocket>::iterator socket);

    port_lease lease_;
    script script_;
    Poco::Net::ServerSocket listener_;
    mutable std::mutex m_;
    std::condition_variable stopped_cv_;
    bool stopping_ = false;
    bool listening_ = true;
    // The open connections; each worker uses its own element (never a copy, so that no
    // reference count is shared between threads) and erases it when done.
    std::list<Poco::Net::StreamSocket> open_;
    std::list<std::thread> workers_;
    std::map<std::string, int, std::less<>> counts_;
    std::thread acceptor_;
};

}  // namespace sockjs::client::test
