#pragma once
// RFC 6455 framing, sans-IO: bytes in, events out; frames to bytes.
//
// Why hand-written: Poco::Net::WebSocket is a blocking socket that reads whole frames itself;
// it cannot be fed bytes incrementally from an event loop, does not reassemble fragmented
// messages and does not validate UTF-8. This parser accepts input split anywhere (even one
// byte at a time), unmasks payload as it arrives and never buffers more than one message.

#include <sockjs/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockjs::net {

enum class ws_opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// Close codes the parser fails with (RFC 6455 section 7.4.1).
inline constexpr int ws_close_normal = 1000;
inline constexpr int ws_close_protocol_error = 1002;
inline constexpr int ws_close_unsupported_data = 1003;
inline constexpr int ws_close_no_status = 1005;
inline constexpr int ws_close_abnormal = 1006;
inline constexpr int ws_close_invalid_payload = 1007;
inline constexpr int ws_close_too_big = 1009;

/// Receives parsed events. Each returns false to stop parsing (the connection went away).
class ws_frame_sink {
public:
    /// A complete, reassembled message; text messages are valid UTF-8.
    virtual bool on_ws_message(std::string&& msg, bool binary) = 0;
    virtual bool on_ws_ping(std::string_view payload) = 0;
    virtual bool on_ws_pong(std::string_view payload) = 0;
    /// The peer's close frame: code 1005 when it carried none; the reason is valid UTF-8.
    virtual bool on_ws_close(int code, std::string_view reason) = 0;

protected:
    ~ws_frame_sink() = default;
};

/// What to do with binary messages. SockJS carries text only, so the server refuses them at
/// the first frame header (1003, unsupported data, RFC 6455 section 7.4.1) rather than buffer
/// a message it can only drop or pass on as an invalid text frame.
enum class ws_binary : std::uint8_t { accept, refuse };

class ws_deflate;

/// Parses client-to-server frames (which must be masked). Text is validated as each chunk of
/// payload arrives, so invalid UTF-8 fails the connection (1007) at the byte that makes it
/// invalid, not at the end of the message.
class ws_frame_parser {
public:
    explicit ws_frame_parser(std::size_t max_message, ws_binary binary = ws_binary::accept)
        : max_message_(max_message), binary_(binary) {}

    /// Feeds bytes. Returns 0 while the stream is fine (any incomplete frame is kept), or the
    /// close code to fail the connection with: 1002 (protocol), 1003 (a binary message when
    /// refused), 1007 (bad UTF-8), 1009 (too big). After a close frame, an error or a sink
    /// returning false, input is ignored.
    int feed(std::string_view bytes, ws_frame_sink& sink);

    /// permessage-deflate was agreed: RSV1 marks compressed messages, which inflate through
    /// `d` (kept by the caller) into the bounded message buffer.
    void use_deflate(ws_deflate* d) { deflate_ = d; }

    bool done() const { return done_; }
    int error() const { return error_; }

private:
    int fail(int code);
    int header_complete();
    /// A whole unfragmented data message at `p` (the start of a frame), handled in one pass:
    /// past it, or null to take the byte-at-a-time path (also after failing, with done_ set).
    const char* whole_message(const char* p, const char* end, ws_frame_sink& sink);
    bool frame_complete(ws_frame_sink& sink);

    std::size_t max_message_;
    ws_deflate* deflate_ = nullptr;
    // The frame being read.
    std::uint64_t remaining_ = 0;
    // Reassembly.
    std::string message_;
    std::string control_;
    utf8_stream_validator utf8_;  // text is checked as it arrives: bad UTF-8 fails fast
    // Header accumulation: up to 2 + 8 + 4 bytes. Small fields packed together: thousands of
    // held WebSockets each carry a parser.
    unsigned char hdr_[14] = {};
    unsigned char mask_[4] = {};
    std::uint8_t hdr_have_ = 0;
    std::uint8_t hdr_need_ = 2;
    std::uint8_t mask_pos_ = 0;
    ws_binary binary_;
    ws_opcode op_ = ws_opcode::continuation;
    bool in_payload_ = false;
    bool fin_ = false;
    bool in_message_ = false;
    bool message_binary_ = false;
    bool message_compressed_ = false;
    bool done_ = false;
    int error_ = 0;
};

/// Writes a server frame header (FIN set, unmasked; RSV1 if `compressed`) for a payload of
/// `len` bytes into `out` and returns its size (2, 4 or 10).
std::size_t ws_frame_header(unsigned char (&out)[10], ws_opcode op, std::size_t len, bool compressed = false);

/// A whole server frame (header + payload); convenience for tests and control frames.
std::string ws_encode_frame(ws_opcode op, std::string_view payload);

/// The payload of a close frame: 2-byte code + reason (made well-formed UTF-8, then cut to fit
/// 125 bytes at a character boundary). Code 1005 (or any code that must not be sent) gives an
/// empty payload.
std::string ws_close_payload(int code, std::string_view reason);

/// True for codes a peer may send in a close frame.
bool ws_close_code_valid(int code);

}  // namespace sockjs::net
