#pragma once
// permessage-deflate (RFC 7692): the negotiation from a client's Sec-WebSocket-Extensions
// offer, and the per-connection zlib streams (inflate into a bounded message buffer, deflate
// with the 00 00 FF FF tail removed).

#include <sockjs/websocket_deflate.hpp>

#include <zlib.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sockjs::net {

/// What both sides agreed to.
struct ws_deflate_params {
    int server_window_bits = 15;  // ours, for deflate
    int client_window_bits = 15;  // theirs, for inflate
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    /// The Sec-WebSocket-Extensions value of our 101 answer.
    std::string response_header() const;
};

/// zlib's own figures of its memory use (zconf.h): deflate 2^(w+2) + 2^(m+9), inflate 2^w
/// plus about 7 KiB.
std::size_t ws_deflate_memory(int server_window_bits, int client_window_bits, int mem_level);

/// The first acceptable permessage-deflate offer in a Sec-WebSocket-Extensions value, or
/// nothing (declined: the connection runs uncompressed).
std::optional<ws_deflate_params> ws_deflate_negotiate(std::string_view offers,
                                                      const websocket_deflate_options& o);

/// One connection's compression state.
class ws_deflate {
public:
    explicit ws_deflate(const ws_deflate_params& p);
    ~ws_deflate();
    ws_deflate(const ws_deflate&) = delete;
    ws_deflate& operator=(const ws_deflate&) = delete;

    /// Inflates a piece of a compressed message's payload, appending to `out`; `last` adds the
    /// removed tail. Returns 0, or a close code: 1009 once `out` would pass `max`, 1007 for a
    /// corrupt stream. Output is produced in pieces of at most 16 KiB, so memory grows only
    /// with what is kept.
    int inflate(std::string_view in, bool last, std::string& out, std::size_t max);
    /// A whole message compressed, tail removed.
    std::string deflate(std::string_view message);

    bool ok() const { return ok_; }
    /// The frame parser's buffer for an unmasked compressed piece before it is inflated: here,
    /// so that connections without compression do not carry it.
    std::string& scratch() { return scratch_; }

private:
    ws_deflate_params p_;
    std::string scratch_;
    z_stream in_{};
    z_stream out_{};
    bool ok_ = false;
};

}  // namespace sockjs::net
