// tcp_connection's output paths over real loopback sockets: bytes sent at once
// (send_now, a broadcast's frame) and bytes buffered for the loop's flush keep one order,
// whatever the socket buffer takes.

#include "net/websocket_frame.hpp"
#include "net_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>

using namespace sockjs::net;
using namespace sockjs::net::test;

namespace {

// Accepts one WebSocket and, after the 101 went out, writes `count` numbered messages of
// `size` bytes in one loop round, message i with send_text (buffered for the loop's flush)
// when `buffered(i)`, else with send_text_framed (sent at once while nothing waits before it).
// The client reads nothing until every message was written, then reads them all: returns how
// many arrived intact and in order.
template <class Buffered>
int write_then_read(int count, std::size_t size, Buffered buffered) {
    std::atomic<bool> written{false};
    test_server s([&](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 100);
        if (!ch) return;
        // A timer, not a post: the 101 is flushed at the end of this loop round, and until
        // then every write queues behind it.
        ch->owner().add_timer(std::chrono::steady_clock::now() + 20ms, [ch, &written, count, size, buffered] {
            for (int i = 0; i < count; ++i) {
                const std::string m = numbered(i, size);
                if (buffered(i)) ch->send_text(m);
                else ch->send_text_framed(m, ws_encode_frame(ws_opcode::text, m));
            }
            written = true;
        });
    });
    client c(s.address(), 5000ms, 4096);
    if (websocket_handshake(c).status != 101) return -1;
    if (!eventually([&] { return written.load(); }, 5000ms)) return -1;
    int received = 0;
    for (; received < count; ++received) {
        const ws_frame f = read_frame(c);
        if (f.opcode != 1 || f.payload != numbered(received, size)) break;
    }
    return received;
}

}  // namespace

TEST_CASE("send_now: what the socket does not take is buffered, and later frames queue behind it") {
    // 300 messages of 20 KiB (6 MB) while the client reads nothing: the socket takes its send
    // buffer (4 MiB at most on Linux) and the client's small receive buffer, so one frame is
    // taken in part. Its remainder lost, or a later frame sent ahead of it, breaks a frame.
    CHECK(write_then_read(300, 20u << 10, [](int) { return false; }) == 300);
}

TEST_CASE("send_now: a frame written after buffered bytes is sent after them") {
    // The first message waits in the buffer for the flush; the next ones, on an empty socket,
    // must not overtake it.
    CHECK(write_then_read(10, 100, [](int i) { return i == 0; }) == 10);
}

TEST_CASE("a write larger than an emptied buffer keeps is on the socket before the loop's iteration ends") {
    // A stream's head and 2 KiB prelude: held until the end of the iteration, a burst of new
    // streams would hold all their buffers at once. The handler waits, inside the iteration,
    // for the client to have read the prelude.
    const std::string prelude(2048, 'h');
    std::atomic<bool> arrived{false};
    std::atomic<int> seen_inside{-1};
    test_server s([&](std::shared_ptr<exchange> ex, http_request&) {
        ex->begin_stream(200, {});
        ex->write(prelude);
        seen_inside = eventually([&] { return arrived.load(); }, 1500ms) ? 1 : 0;
        ex->end_stream();
    });
    client c(s.address());
    c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string got = c.read_until(prelude);
    arrived = !got.empty();
    REQUIRE(eventually([&] { return seen_inside.load() >= 0; }, 3000ms));
    CHECK(seen_inside.load() == 1);
    CHECK(got.find("HTTP/1.1 200") == 0);
}
