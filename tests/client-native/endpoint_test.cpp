// parse_endpoint: which URLs a connection accepts and how it normalises them.

#include "endpoint.hpp"

#include <sockjs/client/connection.hpp>

#include <catch2/catch.hpp>

using sockjs::client::detail::parse_endpoint;

TEST_CASE("endpoint: http URLs with and without port, prefix and trailing slash", "[unit]") {
    auto e = parse_endpoint("http://127.0.0.1:8081/echo");
    REQUIRE(e);
    CHECK(e->host == "127.0.0.1");
    CHECK(e->port == 8081);
    CHECK(e->prefix == "/echo");
    CHECK(e->url == "http://127.0.0.1:8081/echo");

    e = parse_endpoint("http://example.org/a/b//?q=1#frag");
    REQUIRE(e);
    CHECK(e->port == 80);
    CHECK(e->prefix == "/a/b");
    CHECK(e->url == "http://example.org:80/a/b");

    e = parse_endpoint("http://localhost:9");
    REQUIRE(e);
    CHECK(e->prefix.empty());
    CHECK_FALSE(e->secure);
}

TEST_CASE("endpoint: https URLs are TLS, port 443 by default", "[unit]") {
    auto e = parse_endpoint("https://example.org/echo/");
    REQUIRE(e);
    CHECK(e->secure);
    CHECK(e->port == 443);
    CHECK(e->url == "https://example.org:443/echo");
}

TEST_CASE("endpoint: anything but an absolute http(s) URL is refused", "[unit]") {
    for (const char* bad : {"", "echo", "/echo", "ws://127.0.0.1/echo", "wss://127.0.0.1/echo",
                            "ftp://host/x", "http://", "http://[::1/echo", "http://host:99999/echo"}) {
        INFO(bad);
        CHECK_FALSE(parse_endpoint(bad));
    }
}

TEST_CASE("connection: a bad URL throws std::invalid_argument, as the browser throws SyntaxError", "[unit]") {
    CHECK_THROWS_AS(sockjs::client::connection("not a url"), std::invalid_argument);
    CHECK_THROWS_AS(sockjs::client::connection("ws://127.0.0.1:1/echo"), std::invalid_argument);
}
