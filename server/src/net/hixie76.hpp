#pragma once
// The hixie-76 (draft-ietf-hybi-thewebsocketprotocol-00) handshake answer and framing, kept
// because the SockJS protocol suite (and old proxies such as HAProxy setups) still use it.
// Sans-IO like websocket_frame.hpp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sockjs::net {

/// The Sec-WebSocket-Location of a hixie-76 answer, "ws://" host path ["?" query], or nullopt
/// when `host` is not a valid Host value (RFC 9110 7.2). Bytes of path and query outside
/// visible ASCII are percent-encoded, so the value can never break the header block.
std::optional<std::string> hixie76_location(std::string_view host, std::string_view path,
                                            std::string_view query);

/// The 16-byte challenge answer: MD5(be32(key1 digits / key1 spaces) + be32(key2 ...) + key3),
/// or nullopt when a key is malformed (no spaces, not divisible, too large).
std::optional<std::string> hixie76_answer(std::string_view key1, std::string_view key2,
                                          std::string_view key3);

/// The number a Sec-WebSocket-Key1/2 header encodes, or nullopt.
std::optional<std::uint32_t> hixie76_key_number(std::string_view key);

/// Receives hixie-76 frames.
class hixie76_sink {
public:
    virtual bool on_hixie_message(std::string&& msg) = 0;  ///< valid UTF-8
    virtual bool on_hixie_close() = 0;                     ///< the 0xFF 0x00 closing frame

protected:
    ~hixie76_sink() = default;
};

/// Parses `0x00 <utf-8> 0xFF` text frames and the `0xFF 0x00` closing frame. Anything else is
/// an error (this server never agreed to binary frames).
class hixie76_parser {
public:
    explicit hixie76_parser(std::size_t max_message) : max_message_(max_message) {}
    /// Returns 0, or a close code (1002 bad framing, 1007 bad UTF-8, 1009 too big); after a
    /// close frame, an error or a sink returning false, input is ignored.
    int feed(std::string_view bytes, hixie76_sink& sink);
    bool done() const { return done_; }

private:
    enum class state { frame_type, text, close_length };
    std::size_t max_message_;
    state state_ = state::frame_type;
    std::string message_;
    bool done_ = false;
    int error_ = 0;
};

/// A text frame: 0x00 + bytes + 0xFF.
void hixie76_append_frame(std::string& out, std::string_view utf8);
/// The closing frame 0xFF 0x00.
inline constexpr std::string_view hixie76_close_frame{"\xFF\x00", 2};

}  // namespace sockjs::net
