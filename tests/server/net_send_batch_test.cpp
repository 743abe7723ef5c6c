// send_batch: one frame to many WebSockets in one pass of sends keeps each connection's order
// and loses nothing, whether a socket takes the frame whole, in part, or not at all, and
// whether bytes were already queued before it.

#include "net/send_batch.hpp"
#include "net/websocket_frame.hpp"
#include "net_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

using namespace sockjs::net;
using namespace sockjs::net::test;

namespace {

// `clients` WebSockets; once all are open, `count` messages of `size` bytes go to all of them
// in one loop round, message i through one batch for every channel, or, when `buffered(i)`,
// with send_text (queued for the loop's flush: the next batched frame must wait behind it).
// The clients read nothing until everything was written. Returns, per client, how many
// messages arrived intact and in order.
template <class Buffered>
std::vector<int> broadcast_then_read(int clients, int count, std::size_t size, Buffered buffered) {
    std::mutex m;
    std::vector<std::shared_ptr<ws_channel>> channels;
    std::atomic<bool> written{false};
    // One loop: a batch covers the connections of the loop it runs on, as a broadcast posts one
    // to each loop (channels are used on their own loop's thread only).
    net_options o = test_server::small_options();
    o.threads = 1;
    test_server s([&](std::shared_ptr<exchange> ex, http_request& req) {
        auto ch = accept_websocket(ex, req, 100);
        if (!ch) return;
        std::lock_guard lock(m);
        channels.push_back(ch);
        if (static_cast<int>(channels.size()) < clients) return;
        // A timer, not a post: the 101s are flushed at the end of this loop round.
        auto all = channels;
        ch->owner().add_timer(std::chrono::steady_clock::now() + 20ms, [all, &written, count, size, buffered] {
            for (int i = 0; i < count; ++i) {
                const std::string msg = numbered(i, size);
                if (buffered(i)) {
                    for (auto& c : all) c->send_text(msg);
                    continue;
                }
                const std::string frame = ws_encode_frame(ws_opcode::text, msg);
                send_batch batch(frame);
                for (auto& c : all) c->send_text_framed(msg, frame, &batch);
                batch.send_all();
            }
            written = true;
        });
    }, o);
    std::vector<std::unique_ptr<client>> cs;
    for (int k = 0; k < clients; ++k) {
        cs.push_back(std::make_unique<client>(s.address(), 5000ms, 4096));
        if (websocket_handshake(*cs.back()).status != 101) return {};
    }
    if (!eventually([&] { return written.load(); }, 5000ms)) return {};
    std::vector<int> received;
    for (auto& c : cs) {
        int n = 0;
        for (; n < count; ++n) {
            const ws_frame f = read_frame(*c);
            if (f.opcode != 1 || f.payload != numbered(n, size)) break;
        }
        received.push_back(n);
    }
    return received;
}

}  // namespace

TEST_CASE("send_batch: every connection gets every frame, in order, when sockets take them whole") {
    CHECK(broadcast_then_read(4, 50, 100, [](int) { return false; }) == std::vector<int>(4, 50));
}

TEST_CASE("send_batch: what a socket does not take is buffered, and later frames queue behind it") {
    // 300 frames of 20 KiB (6 MB) per client while the clients read nothing: each socket takes
    // its send buffer and the client's small receive buffer, then a frame in part, then none.
    CHECK(broadcast_then_read(3, 300, 20u << 10, [](int) { return false; }) == std::vector<int>(3, 300));
}

TEST_CASE("send_batch: a frame batched after bytes queued for the flush is sent after them") {
    // Every third message waits in the connections' buffers for the flush; the batched ones
    // after it must not overtake it.
    CHECK(broadcast_then_read(3, 30, 100, [](int i) { return i % 3 == 0; }) == std::vector<int>(3, 30));
}

TEST_CASE("send_batch: an empty batch and a second send_all send nothing") {
    const std::string frame = ws_encode_frame(ws_opcode::text, "x");
    send_batch batch(frame);
    batch.send_all();
    batch.send_all();
    CHECK(batch.size() == 0);
}
