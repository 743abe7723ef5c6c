#pragma once
// An HTTP/1.1 client connection for the load generator: one request at a time over a
// keep-alive connection, the response body handed over as it arrives (xhr-streaming needs the
// frames of a response that has not ended). Bodies: Content-Length, chunked, or until close.
// Hand-written because POCO's HTTP client classes are blocking stream readers, and the
// generator must hold thousands of open responses on one thread.

#include "event_loop.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace bench {

class http_client : public tcp_connection {
public:
    struct events {
        virtual ~events() = default;
        /// The connection is up and can take a request.
        virtual void on_http_ready(http_client& c) = 0;
        virtual void on_http_head(http_client& c, int status) = 0;
        virtual void on_http_body(http_client& c, std::string_view bytes) = 0;
        /// The response ended; the connection takes the next request (or reconnects by itself
        /// if the server closes it: on_http_ready follows).
        virtual void on_http_done(http_client& c) = 0;
        /// The connection failed, or the server closed it in the middle of a response.
        virtual void on_http_error(http_client& c, std::string_view why) = 0;
    };

    http_client(event_loop& loop, events& ev, std::string host);

    /// Sends `POST path` with `body`. Only when ready() (connected, no response pending).
    void post(std::string_view path, std::string_view body);
    /// Sends any request: `GET path` (no body when `body` and `content_type` are empty), or a
    /// POST with its own Content-Type (jsonp_send's form body). Only when ready().
    void request(std::string_view method, std::string_view path, std::string_view body,
                 std::string_view content_type);
    bool ready() const noexcept { return is_open() && state_ == state::idle; }
    /// Stops reconnecting after the server closes the connection.
    void retire() noexcept { retired_ = true; }

protected:
    void on_connected() override;
    void on_bytes(std::string_view bytes) override;
    void on_closed(std::string_view why) override;

private:
    enum class state { idle, head, body_length, chunk_size, chunk_data, chunk_crlf, trailer, body_close };
    bool parse_head(std::string_view head);
    void finish();
    void error(std::string why);

    events* ev_;
    std::string host_;
    std::string req_;
    state state_ = state::idle;
    std::string in_;            ///< incomplete head, chunk-size or trailer line
    std::size_t left_ = 0;      ///< body or chunk bytes still to come
    bool close_after_ = false;  ///< the response said Connection: close (or HTTP/1.0)
    bool retired_ = false;
};

}  // namespace bench
