#include "envelope.hpp"

#include <catch2/catch.hpp>

using namespace sockjs::redis_detail;

TEST_CASE("an envelope carries node, sequence and any bytes") {
    std::string message("a\nb\0c \"x\"", 10);
    auto encoded = encode_envelope("0123456789ab", 42, message);
    auto e = decode_envelope(encoded);
    REQUIRE(e);
    CHECK(e->node == "0123456789ab");
    CHECK(e->seq == 42);
    CHECK(e->message == message);
    CHECK(encode_envelope("n", 1, "hi") == "sockjs1 n 1\nhi");
}

TEST_CASE("anything else is not an envelope") {
    for (std::string_view bad : {"", "hello", "sockjs1 ", "sockjs1 n 1", "sockjs1 n x\nm", "sockjs1  1\nm",
                                 "sockjs1 n \nm", "sockjs2 n 1\nm", "sockjs1 n 1x\nm"})
        CHECK_FALSE(decode_envelope(bad));
}

TEST_CASE("Redis URLs") {
    auto u = parse_redis_url("redis://127.0.0.1:6380/2");
    REQUIRE(u);
    CHECK(u->host == "127.0.0.1");
    CHECK(u->port == 6380);
    CHECK(u->db == 2);
    CHECK(u->password.empty());
    u = parse_redis_url("redis://:s3cret@redis.example");
    REQUIRE(u);
    CHECK(u->host == "redis.example");
    CHECK(u->port == 6379);
    CHECK(u->password == "s3cret");
    u = parse_redis_url("redis://user:pw@[::1]:7000");
    REQUIRE(u);
    CHECK(u->host == "::1");
    CHECK(u->port == 7000);
    CHECK(u->password == "pw");
    for (std::string_view bad : {"http://h:1", "redis://", "redis://:1", "redis://h:0", "redis://h:70000",
                                 "redis://h:", "redis://h:1/x", "redis://[::1"})
        CHECK_FALSE(parse_redis_url(bad));
}

TEST_CASE("channel prefixes are matched literally by PSUBSCRIBE") {
    CHECK(glob_escape("app*[1]?\\:") == "app\\*\\[1\\]\\?\\\\:");
}
