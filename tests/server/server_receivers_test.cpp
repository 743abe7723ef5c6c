// The receivers (http_receiver) on the in-memory net: what a streaming and a polling response
// carry, aborts, backpressure, and a receiver on another loop than its session.

#include "in_memory_net.hpp"

#include <sockjs/wrap.hpp>

#include <catch2/catch.hpp>

using namespace sockjs;
using namespace sockjs::test;
using namespace std::chrono_literals;

TEST_CASE("receivers: an xhr_streaming receiver gets the head, the prelude as its own chunk, then one chunk per frame",
          "[sockjs_layer][receivers]") {
    in_memory_server s;
    auto stream = s.request("POST", "/echo/000/s1/xhr_streaming");
    CHECK(stream->streaming);
    CHECK(stream->status == 200);
    CHECK(stream->header("Content-Type"));
    REQUIRE(stream->chunks.size() == 2);
    CHECK(stream->chunks[0] == prelude(transport::xhr_streaming, ""));
    CHECK(stream->chunks[0].size() == 2049);
    CHECK(stream->chunks[1] == "o\n");

    s.request("POST", "/echo/000/s1/xhr_send", "[\"a\",\"b\"]");
    CHECK(*s.log == app_log{"open", "message:a", "message:b"});
    // The echoes of one delivery go out together, as one frame in one chunk.
    REQUIRE(stream->chunks.size() == 3);
    CHECK(stream->chunks[2] == "a[\"a\",\"b\"]\n");
    CHECK_FALSE(stream->ended);
}

TEST_CASE("receivers: an eventsource receiver wraps each frame as an event", "[sockjs_layer][receivers]") {
    in_memory_server s;
    auto stream = s.request("GET", "/echo/000/s1/eventsource");
    REQUIRE(stream->chunks.size() == 2);
    CHECK(stream->chunks[0] == "\r\n");
    CHECK(stream->chunks[1] == "data: o\r\n\r\n");
}

TEST_CASE("receivers: a polling receiver answers once, with Content-Length, and the next poll takes the queue",
          "[sockjs_layer][receivers]") {
    in_memory_server s;
    auto first = s.request("POST", "/echo/000/s1/xhr");
    CHECK_FALSE(first->streaming);
    CHECK(first->responses == 1);
    CHECK(first->body == "o\n");
    s.request("POST", "/echo/000/s1/xhr_send", "[\"x\"]");
    auto second = s.request("POST", "/echo/000/s1/xhr");
    CHECK(second->body == "a[\"x\"]\n");
    // A poll with nothing queued is held until there is something (or a heartbeat).
    auto third = s.request("POST", "/echo/000/s1/xhr");
    CHECK(third->responses == 0);
    s.request("POST", "/echo/000/s1/xhr_send", "[\"y\"]");
    CHECK(third->responses == 1);
    CHECK(third->body == "a[\"y\"]\n");
}

TEST_CASE("receivers: a client that aborts its stream interrupts the session (1002)", "[sockjs_layer][receivers]") {
    in_memory_server s;
    auto stream = s.request("POST", "/echo/000/s1/xhr_streaming");
    stream->abort();
    s.settle();
    CHECK(*s.log == app_log{"open", "close:1002:Connection interrupted"});
    // The next receiver gets the close frame the session ended with.
    auto again = s.request("POST", "/echo/000/s1/xhr");
    CHECK(again->body == "c[1002,\"Connection interrupted\"]\n");
}

TEST_CASE("receivers: a congested stream stops taking frames until it drains", "[sockjs_layer][receivers]") {
    server_options so;
    so.write_high_watermark = 100;
    in_memory_server s({}, so);
    auto stream = s.request("POST", "/echo/000/s1/xhr_streaming");
    stream->buffered_bytes = 101;  // the socket stopped taking bytes
    s.request("POST", "/echo/000/s1/xhr_send", "[\"1\"]");  // the write that sees the congestion
    const auto written = stream->chunks.size();
    s.request("POST", "/echo/000/s1/xhr_send", "[\"2\"]");
    s.request("POST", "/echo/000/s1/xhr_send", "[\"3\"]");
    CHECK(stream->chunks.size() == written);  // queued in the session, not written
    stream->drain();
    s.settle();
    CHECK(stream->streamed().substr(2049) == "o\na[\"1\"]\na[\"2\",\"3\"]\n");
}

TEST_CASE("receivers: a receiver on another loop than its session gets the frames there, in order",
          "[sockjs_layer][receivers]") {
    in_memory_server s;
    auto first = s.request("POST", "/echo/000/s1/xhr", {}, 0);  // the session lives on loop 0
    REQUIRE(first->body == "o\n");
    auto stream = s.request("POST", "/echo/000/s1/xhr_streaming", {}, 1);
    s.request("POST", "/echo/000/s1/xhr_send", "[\"a\"]", 1);
    s.request("POST", "/echo/000/s1/xhr_send", "[\"b\"]", 0);
    CHECK(stream->streamed().substr(2049) == "a[\"a\"]\na[\"b\"]\n");
    CHECK(*s.log == app_log{"open", "message:a", "message:b"});
}
