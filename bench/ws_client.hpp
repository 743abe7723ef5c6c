#pragma once
// A WebSocket client connection (RFC 6455, client side) for the load generator: the upgrade
// request, masked text frames out, unmasked frames in (fragments joined, pings answered).

#include "event_loop.hpp"

#include <cstdint>
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

    ws_client(event_loop& loop, events& ev, std::string host, std::string path, std::uint32_t seed);

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

    events* ev_;
    std::string host_;
    std::string path_;
    std::uint32_t rng_;
    bool upgraded_ = false;
    std::string in_;        ///< bytes of an incomplete head or frame
    std::string fragment_;  ///< a fragmented message being joined
    std::string frame_;     ///< scratch for outgoing frames
};

}  // namespace bench
