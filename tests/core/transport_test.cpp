#include <sockjs/transport.hpp>

#include <catch2/catch.hpp>

#include <string>

using sockjs::transport;

TEST_CASE("transport names are the URL segments and parse back", "[transport]") {
    const std::pair<transport, const char*> table[] = {
        {transport::websocket, "websocket"},     {transport::xhr, "xhr"},
        {transport::xhr_streaming, "xhr_streaming"}, {transport::xhr_send, "xhr_send"},
        {transport::eventsource, "eventsource"}, {transport::htmlfile, "htmlfile"},
        {transport::jsonp, "jsonp"},             {transport::jsonp_send, "jsonp_send"},
    };
    for (auto [t, n] : table) {
        CHECK(sockjs::name(t) == n);
        auto parsed = sockjs::parse_transport(n);
        REQUIRE(parsed);
        CHECK(*parsed == t);
    }
}

TEST_CASE("unknown transport names do not parse", "[transport]") {
    for (const char* s : {"", "XHR", "xhr ", " xhr", "xhr_sen", "xhr_sends", "jsonp_send/", "web socket",
                          "xhr-streaming", "iframe", "info"})
        CHECK_FALSE(sockjs::parse_transport(s));
    CHECK_FALSE(sockjs::parse_transport(std::string_view("xhr\0", 4)));
}

TEST_CASE("receiving and streaming transports", "[transport]") {
    CHECK(sockjs::is_receiving(transport::websocket));
    CHECK(sockjs::is_receiving(transport::xhr));
    CHECK(sockjs::is_receiving(transport::xhr_streaming));
    CHECK(sockjs::is_receiving(transport::eventsource));
    CHECK(sockjs::is_receiving(transport::htmlfile));
    CHECK(sockjs::is_receiving(transport::jsonp));
    CHECK_FALSE(sockjs::is_receiving(transport::xhr_send));
    CHECK_FALSE(sockjs::is_receiving(transport::jsonp_send));

    CHECK(sockjs::is_streaming(transport::websocket));
    CHECK(sockjs::is_streaming(transport::xhr_streaming));
    CHECK(sockjs::is_streaming(transport::eventsource));
    CHECK(sockjs::is_streaming(transport::htmlfile));
    CHECK_FALSE(sockjs::is_streaming(transport::xhr));
    CHECK_FALSE(sockjs::is_streaming(transport::jsonp));
    CHECK_FALSE(sockjs::is_streaming(transport::xhr_send));
    CHECK_FALSE(sockjs::is_streaming(transport::jsonp_send));
}
