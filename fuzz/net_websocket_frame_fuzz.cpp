// The RFC 6455 frame parser (server/src/net/websocket_frame.hpp) on client bytes.
// Properties: no memory error or UB; text messages and close reasons are valid UTF-8; no
// message exceeds the limit; the result and the events are the same whether the bytes come
// at once or one at a time (the parser is incremental).
#include "fuzz_util.hpp"
#include "net/websocket_frame.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using sockjs_fuzz::check;
using sockjs_fuzz::strict_utf8;

struct recorder final : sockjs::net::ws_frame_sink {
    std::size_t limit = 0;
    std::string log;
    bool on_ws_message(std::string&& msg, bool binary) override {
        check(msg.size() <= limit, "a message larger than max_message");
        check(binary || strict_utf8(msg), "a text message that is not UTF-8");
        log += binary ? "B:" : "T:";
        log += msg;
        log += '\0';
        return true;
    }
    bool on_ws_ping(std::string_view p) override {
        check(p.size() <= 125, "a ping payload over 125 bytes");
        log.append("P:").append(p) += '\0';
        return true;
    }
    bool on_ws_pong(std::string_view p) override {
        check(p.size() <= 125, "a pong payload over 125 bytes");
        log.append("p:").append(p) += '\0';
        return true;
    }
    bool on_ws_close(int code, std::string_view reason) override {
        check(strict_utf8(reason), "a close reason that is not UTF-8");
        log.append("C:" + std::to_string(code) + ":").append(reason) += '\0';
        return true;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // First byte: the message limit (small limits reach the 1009 paths).
    const std::size_t limit = data[0] < 0x80 ? data[0] * 4u : 1u << 20;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

    recorder whole;
    whole.limit = limit;
    sockjs::net::ws_frame_parser a(limit);
    const int rc_whole = a.feed(bytes, whole);

    recorder split;
    split.limit = limit;
    sockjs::net::ws_frame_parser b(limit);
    int rc_split = 0;
    for (std::size_t i = 0; i < bytes.size() && rc_split == 0 && !b.done(); ++i)
        rc_split = b.feed(bytes.substr(i, 1), split);

    check(rc_whole == 0 || rc_whole == 1002 || rc_whole == 1007 || rc_whole == 1009,
          "an unexpected close code");
    check(rc_whole == rc_split, "a different result when fed one byte at a time");
    check(whole.log == split.log, "different events when fed one byte at a time");
    return 0;
}
