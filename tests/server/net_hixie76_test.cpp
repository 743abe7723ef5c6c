#include "net/hixie76.hpp"
#include "net/websocket_frame.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sockjs::net;

namespace {

struct recorder final : hixie76_sink {
    std::vector<std::string> events;
    bool on_hixie_message(std::string&& msg) override {
        events.push_back("msg:" + msg);
        return true;
    }
    bool on_hixie_close() override {
        events.push_back("close");
        return true;
    }
};

std::pair<std::vector<std::string>, int> feed_split(const std::string& bytes, std::size_t at,
                                                    std::size_t max = 1000) {
    hixie76_parser p(max);
    recorder r;
    int e = p.feed(std::string_view(bytes).substr(0, at), r);
    if (!e) e = p.feed(std::string_view(bytes).substr(at), r);
    return {r.events, e};
}

}  // namespace

TEST_CASE("hixie-76: the challenge answer of the protocol suite's test_haproxy") {
    const auto answer = hixie76_answer("4 @1  46546xW%0l 1 5", "12998 5 Y3 1  .P00", "aaaaaaaa");
    REQUIRE(answer);
    CHECK(*answer == std::string("\xca\x34\x00\xd8\xa5\x08\x47\x97\x2c\xd5\x71\x5a\xba\xbf\x43\x7b", 16));
}

TEST_CASE("hixie-76: malformed keys") {
    CHECK(hixie76_key_number("4 @1  46546xW%0l 1 5") == 829309203u);  // 4146546015 / 5 spaces
    CHECK_FALSE(hixie76_key_number("12345"));       // no spaces
    CHECK_FALSE(hixie76_key_number("1 2 3"));       // 123 / 2 is not whole
    CHECK_FALSE(hixie76_key_number("99999999999 "));  // above 32 bits
    CHECK_FALSE(hixie76_answer("1 2", "1 2", "short"));
}

TEST_CASE("hixie-76: frames split anywhere") {
    const std::string bytes = std::string("\x00hello\xff\x00\xff\x00w\xc3\xa9\xff\xff\x00", 16);
    const std::vector<std::string> expected{"msg:hello", "msg:", "msg:w\xc3\xa9", "close"};
    for (std::size_t i = 0; i <= bytes.size(); ++i) {
        INFO("split at " << i);
        const auto [events, error] = feed_split(bytes, i);
        CHECK(events == expected);
        CHECK(error == 0);
    }
}

TEST_CASE("hixie-76: errors") {
    CHECK(feed_split(std::string("\x80\x01x", 3), 1).second == ws_close_protocol_error);
    CHECK(feed_split(std::string("\xff\x05", 2), 1).second == ws_close_protocol_error);
    CHECK(feed_split(std::string("\x00\xc3\x28\xff", 4), 2).second == ws_close_invalid_payload);
    CHECK(feed_split(std::string(1, '\0') + std::string(11, 'x') + "\xff", 5, 10).second == ws_close_too_big);
}

TEST_CASE("hixie-76: frame writing") {
    std::string out;
    hixie76_append_frame(out, "o");
    CHECK(out == std::string("\x00o\xff", 3));
}

TEST_CASE("hixie76_location: validated host, escaped path and query (no header injection)") {
    using sockjs::net::hixie76_location;
    CHECK(hixie76_location("example.com:80", "/echo/websocket", "") == "ws://example.com:80/echo/websocket");
    CHECK(hixie76_location("h", "/a", "b=1") == "ws://h/a?b=1");
    CHECK_FALSE(hixie76_location("x\r\nX-Injected: 1", "/a", "").has_value());
    CHECK_FALSE(hixie76_location("x y", "/a", "").has_value());
    CHECK(hixie76_location("h", "/a\r\nX-Injected: 1", "q\n") == "ws://h/a%0D%0AX-Injected:%201?q%0A");
}
