#pragma once
// A WebSocket client connection (RFC 6455, client side) for the load generator: the upgrade
// request, masked text frames out, unmasked frames in (fragments joined, pings answered).
// With `deflate`, it offers permessage-deflate (RFC 7692, zlib) and compresses every message
// it sends; a server that declines the offer fails the connection, so that a compression
// benchmark can never measure uncompressed traffic unnoticed.

#include "event_loop.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace bench {

class ws_client : public tcp_connection {
public:
    struct events {
        virtual ~events() = default;
        virtual void on_ws_open() = 0;
        virtual void on_ws_message(std::string_view message) = 0;
        /// Closed by the server (close frame or socket), or the upgrade failed.
        virtual void on_ws_closed(std::string_view why) = 0;
    };

    ws_client(event_loop& loop, events& ev, std::string host, std::string path, std::uint32_t seed,
              bool deflate = false);
    ~ws_client() override;

    /// Sends one text message (one frame, masked). Ignored before the upgrade completed.
    void send_text(std::string_view text);
    bool upgraded() const noexcept { return upgraded_; }

protected:
    void on_connected() override;
    void on_bytes(std::string_view bytes) override;
    void on_closed(std::string_view why) override;

private:
    /// Parses whole frames from `data`; returns the bytes used. False in `ok` on a protocol error.
    std::size_t parse_frames(std::string_view data, bool& ok);
    void send_frame(std::uint8_t opcode, std::string_view payload);
    std::uint32_t next_mask() noexcept;
    /// The upgrade response's permessage-deflate answer; false (with `why`) if unusable.
    bool accept_extensions(std::string_view head, std::string& why);
    /// Inflates one compressed message into inflated_; false on a corrupt or too large one.
    bool inflate_message(std::string_view payload);
    void deliver(std::string_view payload, bool compressed, bool& ok);

    struct zlib_streams;

    events* ev_;
    std::string host_;
    std::string path_;
    std::uint32_t rng_;
    bool upgraded_ = false;
    std::string in_;        ///< bytes of an incomplete head or frame
    std::string fragment_;  ///< a fragmented message being joined
    std::string frame_;     ///< scratch for outgoing frames
    bool deflate_;          ///< offer permessage-deflate
    bool compressing_ = false;         ///< negotiated on this connection
    bool reset_per_message_ = false;   ///< the server asked for client_no_context_takeover
    bool fragment_compressed_ = false;
    std::unique_ptr<zlib_streams> z_;
    std::string deflated_, inflated_;
};

}  // namespace bench
