// The RFC 6455 frame parser without sockets: every input is also fed split at every byte
// boundary and one byte at a time, and must give the same events.

#include "net/websocket_frame.hpp"
#include "net_test_util.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sockjs::net;
using sockjs::net::test::client_frame;

namespace {

// Records events as readable strings.
struct recorder final : ws_frame_sink {
    std::vector<std::string> events;
    bool stop_after_message = false;
    bool on_ws_message(std::string&& msg, bool binary) override {
        events.push_back((binary ? "bin:" : "text:") + msg);
        return !stop_after_message;
    }
    bool on_ws_ping(std::string_view p) override {
        events.push_back("ping:" + std::string(p));
        return true;
    }
    bool on_ws_pong(std::string_view p) override {
        events.push_back("pong:" + std::string(p));
        return true;
    }
    bool on_ws_close(int code, std::string_view reason) override {
        events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
        return true;
    }
};

struct outcome {
    std::vector<std::string> events;
    int error = 0;
    bool operator==(const outcome& o) const { return events == o.events && error == o.error; }
};

outcome feed_whole(const std::string& bytes, std::size_t max = 1 << 20) {
    ws_frame_parser p(max);
    recorder r;
    const int e = p.feed(bytes, r);
    return {r.events, e};
}

outcome feed_split(const std::string& bytes, std::size_t at, std::size_t max = 1 << 20) {
    ws_frame_parser p(max);
    recorder r;
    int e = p.feed(std::string_view(bytes).substr(0, at), r);
    if (!e) e = p.feed(std::string_view(bytes).substr(at), r);
    return {r.events, e};
}

outcome feed_bytewise(const std::string& bytes, std::size_t max = 1 << 20) {
    ws_frame_parser p(max);
    recorder r;
    int e = 0;
    for (char c : bytes) {
        e = p.feed(std::string_view(&c, 1), r);
        if (e) break;
    }
    return {r.events, e};
}

// Checks that every way of splitting `bytes` gives `expected`.
void check_all_splits(const std::string& bytes, const outcome& expected, std::size_t max = 1 << 20) {
    CHECK(feed_whole(bytes, max) == expected);
    // Long inputs: every split in the first and last 300 bytes, a sample in between.
    for (std::size_t i = 0; i <= bytes.size(); i += (i < 300 || i + 300 > bytes.size()) ? 1 : 331) {
        INFO("split at " << i);
        CHECK(feed_split(bytes, i, max) == expected);
    }
    CHECK(feed_bytewise(bytes, max) == expected);
}

std::string be16(int v) {
    return std::string{static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
}

}  // namespace

TEST_CASE("ws parser: a masked text frame, split anywhere") {
    check_all_splits(client_frame(1, "Hello"), {{"text:Hello"}, 0});
}

TEST_CASE("ws parser: a stream of frames with fragmentation and an interleaved ping") {
    const std::string bytes = client_frame(1, "ab", false) + client_frame(9, "p1") +
                              client_frame(0, "cd", false) + client_frame(0, "ef") +
                              client_frame(2, std::string("\x00\xff", 2)) + client_frame(10, "") +
                              client_frame(1, "");
    check_all_splits(bytes, {{"ping:p1", "text:abcdef", std::string("bin:\x00\xff", 6), "pong:", "text:"}, 0});
}

TEST_CASE("ws parser: 16-bit and 64-bit lengths") {
    const std::string mid(300, 'm');
    const std::string big(70000, 'B');
    check_all_splits(client_frame(1, mid) + client_frame(1, big), {{"text:" + mid, "text:" + big}, 0});
}

TEST_CASE("ws parser: UTF-8 is validated on the reassembled message, not per fragment") {
    // "é" = C3 A9 split across two fragments is fine.
    check_all_splits(client_frame(1, "\xc3", false) + client_frame(0, "\xa9"), {{"text:\xc3\xa9"}, 0});
    check_all_splits(client_frame(1, "ok\xc3"), {{}, ws_close_invalid_payload});
    // Binary messages are not UTF-8 checked.
    check_all_splits(client_frame(2, "\xc3"), {{"bin:\xc3"}, 0});
}

TEST_CASE("ws parser: invalid UTF-8 fails fast, before the message or even the frame ends") {
    // The first fragment already holds a byte that cannot be UTF-8: no need for the rest.
    check_all_splits(client_frame(1, "ok\xff", false), {{}, ws_close_invalid_payload});
    // A surrogate's second byte (ED A0) is enough, in the middle of a frame's payload.
    const std::string frame = client_frame(1, "abc\xed\xa0\x80" + std::string(1000, 'x'));
    check_all_splits(frame.substr(0, 2 + 2 + 4 + 5), {{}, ws_close_invalid_payload});
    // A character split over four fragments is fine; a truncated one at the end is not.
    check_all_splits(client_frame(1, "\xf0", false) + client_frame(0, "\x9f", false) +
                         client_frame(0, "\x98", false) + client_frame(0, "\x80"),
                     {{"text:\xf0\x9f\x98\x80"}, 0});
    check_all_splits(client_frame(1, "\xf0\x9f", false) + client_frame(0, "\x98"), {{}, ws_close_invalid_payload});
    // Each message starts clean.
    check_all_splits(client_frame(1, "a") + client_frame(1, "\xc3\xa9"), {{"text:a", "text:\xc3\xa9"}, 0});
}

TEST_CASE("ws parser: refusing binary messages fails at the first frame header with 1003") {
    auto run = [](const std::string& bytes) {
        ws_frame_parser p(1 << 20, ws_binary::refuse);
        recorder r;
        const int e = p.feed(bytes, r);
        return outcome{r.events, e};
    };
    CHECK(run(client_frame(2, "\xc3")) == outcome{{}, ws_close_unsupported_data});
    // Only the two first bytes are needed: nothing of the payload is waited for or buffered.
    CHECK(run(client_frame(2, std::string(100000, 'b'), false).substr(0, 2)) ==
          outcome{{}, ws_close_unsupported_data});
    // Text and control frames before it are handled as usual.
    CHECK(run(client_frame(1, "t") + client_frame(9, "p") + client_frame(2, "b")) ==
          outcome{{"text:t", "ping:p"}, ws_close_unsupported_data});
}

TEST_CASE("ws parser: close frames") {
    check_all_splits(client_frame(8, ""), {{"close:1005:"}, 0});
    check_all_splits(client_frame(8, be16(1000) + "bye"), {{"close:1000:bye"}, 0});
    check_all_splits(client_frame(8, be16(4999)), {{"close:4999:"}, 0});
    check_all_splits(client_frame(8, "x"), {{}, ws_close_protocol_error});
    check_all_splits(client_frame(8, be16(1005)), {{}, ws_close_protocol_error});
    check_all_splits(client_frame(8, be16(999)), {{}, ws_close_protocol_error});
    check_all_splits(client_frame(8, be16(2000)), {{}, ws_close_protocol_error});
    check_all_splits(client_frame(8, be16(1000) + "\xff"), {{}, ws_close_invalid_payload});
}

TEST_CASE("ws parser: nothing after a close frame is read") {
    const std::string bytes = client_frame(8, be16(1000)) + client_frame(1, "after");
    check_all_splits(bytes, {{"close:1000:"}, 0});
}

TEST_CASE("ws parser: protocol errors give 1002") {
    const int e = ws_close_protocol_error;
    check_all_splits(client_frame(1, "x", true, false), {{}, e});         // unmasked
    check_all_splits(client_frame(1, "x", true, true, 1), {{}, e});       // RSV3
    check_all_splits(client_frame(1, "x", true, true, 4), {{}, e});       // RSV1
    check_all_splits(client_frame(3, "x"), {{}, e});                      // reserved opcode
    check_all_splits(client_frame(0xB, "x"), {{}, e});                    // reserved control
    check_all_splits(client_frame(9, "x", false), {{}, e});               // fragmented control
    check_all_splits(client_frame(9, std::string(126, 'p')), {{}, e});    // control > 125
    check_all_splits(client_frame(0, "x"), {{}, e});                      // stray continuation
    check_all_splits(client_frame(1, "a", false) + client_frame(1, "b"), {{}, e});  // new msg mid-fragment
    // A 64-bit length with the most significant bit set.
    std::string bad = "\x81\xff";
    bad += std::string("\x80\x00\x00\x00\x00\x00\x00\x01", 8);
    bad += "MASK";
    check_all_splits(bad, {{}, e});
}

TEST_CASE("ws parser: max_message bounds a message, across fragments too") {
    check_all_splits(client_frame(1, std::string(10, 'x')), {{"text:" + std::string(10, 'x')}, 0}, 10);
    check_all_splits(client_frame(1, std::string(11, 'x')), {{}, ws_close_too_big}, 10);
    check_all_splits(client_frame(1, "123456", false) + client_frame(0, "7890a"), {{}, ws_close_too_big}, 10);
    // A huge declared length fails at the header, without waiting for (or buffering) it.
    std::string huge = "\x81\xff";
    huge += std::string("\x00\x00\x00\x01\x00\x00\x00\x00", 8);
    huge += "MASK";
    CHECK(feed_whole(huge, 1 << 20).error == ws_close_too_big);
}

TEST_CASE("ws parser: a message the sink did not take does not count against the next one") {
    // The recorder copies each message and leaves the parser's buffer as it was (the server's
    // sinks do the same, to keep its allocation): two messages of 7 under a limit of 10, whole,
    // fragmented and after a ping, each split everywhere.
    const std::string seven(7, 'x');
    check_all_splits(client_frame(1, seven) + client_frame(1, seven), {{"text:" + seven, "text:" + seven}, 0}, 10);
    check_all_splits(client_frame(1, seven) + client_frame(1, "xxxx", false) + client_frame(9, "p") +
                         client_frame(0, "xxx"),
                     {{"text:" + seven, "ping:p", "text:" + seven}, 0}, 10);
    check_all_splits(client_frame(1, seven) + client_frame(1, "xxxx", false) + client_frame(0, "xxxxxxx"),
                     {{"text:" + seven}, ws_close_too_big}, 10);
}

TEST_CASE("ws parser: a sink returning false stops the parser") {
    ws_frame_parser p(100);
    recorder r;
    r.stop_after_message = true;
    CHECK(p.feed(client_frame(1, "a") + client_frame(1, "b"), r) == 0);
    CHECK(r.events == std::vector<std::string>{"text:a"});
    CHECK(p.done());
}

TEST_CASE("ws encoder: header sizes and the payload follows unmasked") {
    unsigned char hdr[10];
    CHECK(ws_frame_header(hdr, ws_opcode::text, 0) == 2);
    CHECK(hdr[0] == 0x81);
    CHECK(hdr[1] == 0);
    CHECK(ws_frame_header(hdr, ws_opcode::text, 125) == 2);
    CHECK(ws_frame_header(hdr, ws_opcode::text, 126) == 4);
    CHECK(hdr[1] == 126);
    CHECK(ws_frame_header(hdr, ws_opcode::text, 65535) == 4);
    CHECK(ws_frame_header(hdr, ws_opcode::binary, 65536) == 10);
    CHECK(hdr[0] == 0x82);
    CHECK(hdr[1] == 127);
    CHECK(hdr[7] == 1);  // 65536 = 0x10000
    CHECK(ws_encode_frame(ws_opcode::pong, "ab") == std::string("\x8a\x02" "ab"));
}

TEST_CASE("ws encoder: close payloads") {
    CHECK(ws_close_payload(1000, "") == be16(1000));
    CHECK(ws_close_payload(3000, "Go away!") == be16(3000) + "Go away!");
    CHECK(ws_close_payload(1005, "x").empty());
    CHECK(ws_close_payload(1006, "x").empty());
    // Reasons are cut to fit a control frame, never inside a UTF-8 sequence.
    std::string reason(122, 'r');
    reason += "\xc3\xa9\xc3\xa9";  // 126 bytes
    const std::string p = ws_close_payload(1000, reason);
    CHECK(p.size() <= 125);
    CHECK(p.substr(2) == std::string(122, 'r'));
}

TEST_CASE("ws encoder: a close reason that is not UTF-8 is made well-formed, then cut") {
    CHECK(ws_close_payload(3000, "x\xed\xa0\x80") == be16(3000) + "x\xef\xbf\xbd");
    const std::string long_bad = std::string(122, 'r') + "\xff";
    CHECK(ws_close_payload(3000, long_bad) == be16(3000) + std::string(122, 'r'));
}

TEST_CASE("ws close codes a peer may send") {
    CHECK(ws_close_code_valid(1000));
    CHECK(ws_close_code_valid(1011));
    CHECK(ws_close_code_valid(3000));
    CHECK_FALSE(ws_close_code_valid(1004));
    CHECK_FALSE(ws_close_code_valid(1005));
    CHECK_FALSE(ws_close_code_valid(1006));
    CHECK_FALSE(ws_close_code_valid(1015));
    CHECK_FALSE(ws_close_code_valid(2999));
    CHECK_FALSE(ws_close_code_valid(5000));
}
