// server_session: every outcome of the server state machine, driven by a fake clock (plain
// time_point values) and checked against the exact bytes the official suite expects.
#include <sockjs/frame.hpp>
#include <sockjs/session.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace sockjs;
using namespace std::chrono_literals;

namespace {

constexpr time_point t0{100000ms};

session_limits suite_limits() {
    session_limits l;
    l.response_limit = 4096;  // what the suite's /echo service uses
    l.heartbeat_delay = 25000ms;
    l.disconnect_delay = 5000ms;
    return l;
}

std::vector<session_event> drain(server_session& s) {
    std::vector<session_event> out;
    while (auto e = s.next_event()) out.push_back(std::move(*e));
    return out;
}

// The pending events, each of which must be a message: their texts in order.
std::vector<std::string> drain_messages(server_session& s) {
    std::vector<std::string> out;
    for (auto& e : drain(s)) {
        REQUIRE(e.kind == session_event::message);
        out.push_back(std::move(e.data));
    }
    return out;
}

// An open session whose first receiver (xhr polling) already got `o` and ended.
server_session opened_by_polling(const session_limits& l = suite_limits(), time_point now = t0) {
    server_session s(l, now);
    auto out = s.attach(transport::xhr, {}, now);
    REQUIRE(out.bytes == "o\n");
    REQUIRE(out.end);
    drain(s);
    return s;
}

}  // namespace

TEST_CASE("first receiver gets o, then the opened event", "[session]") {
    server_session s(suite_limits(), t0);
    CHECK(s.state() == session_state::connecting);
    CHECK(s.next_event() == std::nullopt);

    SECTION("xhr polling: o ends the response") {
        auto out = s.attach(transport::xhr, {}, t0);
        CHECK(out.bytes == "o\n");
        CHECK(out.end);
        CHECK_FALSE(s.has_receiver());
    }
    SECTION("jsonp polling: wrapped with the callback, ends") {
        auto out = s.attach(transport::jsonp, "x", t0);
        CHECK(out.bytes == "/**/x(\"o\");\r\n");
        CHECK(out.end);
    }
    SECTION("xhr streaming: o, stays attached") {
        auto out = s.attach(transport::xhr_streaming, {}, t0);
        CHECK(out.bytes == "o\n");
        CHECK_FALSE(out.end);
        CHECK(s.has_receiver());
    }
    SECTION("eventsource") {
        auto out = s.attach(transport::eventsource, {}, t0);
        CHECK(out.bytes == "data: o\r\n\r\n");
        CHECK_FALSE(out.end);
    }
    SECTION("htmlfile") {
        auto out = s.attach(transport::htmlfile, "callback", t0);
        CHECK(out.bytes == "<script>\np(\"o\");\n</script>\r\n");
        CHECK_FALSE(out.end);
    }
    SECTION("websocket: bare frame, stays attached") {
        auto out = s.attach(transport::websocket, {}, t0);
        CHECK(out.bytes == "o");
        CHECK_FALSE(out.end);
        CHECK(s.has_receiver());
    }
    CHECK(s.state() == session_state::open);
    auto ev = drain(s);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == session_event::opened);
}

TEST_CASE("o is sent once: later receivers get messages, not o", "[session]") {
    auto s = opened_by_polling();
    auto out = s.attach(transport::xhr, {}, t0 + 10ms);
    CHECK(out.bytes.empty());  // waits for a message
    CHECK_FALSE(out.end);
    REQUIRE(s.send("a") == errc::ok);
    out = s.pull(t0 + 20ms);
    CHECK(out.bytes == "a[\"a\"]\n");
    CHECK(out.end);
    CHECK(s.pull(t0 + 20ms).bytes.empty());
    CHECK(drain(s).empty());
}

TEST_CASE("messages queued between polls go out as one frame, in order", "[session]") {
    auto s = opened_by_polling();
    REQUIRE(s.send("a") == errc::ok);
    REQUIRE(s.send("b\n\"") == errc::ok);
    REQUIRE(s.send_escaped("\"c\"") == errc::ok);
    CHECK(s.queued_bytes() == std::string(R"("a","b\n\"","c")").size());
    auto out = s.attach(transport::xhr, {}, t0 + 1ms);
    CHECK(out.bytes == "a[\"a\",\"b\\n\\\"\",\"c\"]\n");
    CHECK(out.end);
    CHECK(s.queued_bytes() == 0);
}

TEST_CASE("send_escaped_direct: only open, websocket, nothing queued; counts as a frame sent", "[session]") {
    SECTION("websocket, empty queue: taken, and the heartbeat silence restarts") {
        server_session s(suite_limits(), t0);
        s.attach(transport::websocket, {}, t0);
        drain(s);
        CHECK(s.next_deadline() == t0 + 25s);
        CHECK(s.send_escaped_direct(7, t0 + 10s));
        CHECK(s.next_deadline() == t0 + 35s);
        CHECK(s.pull(t0 + 10s).bytes.empty());  // nothing left for the adapter to write
        CHECK(s.queued_bytes() == 0);
    }
    SECTION("something queued: refused, the queue keeps the order") {
        server_session s(suite_limits(), t0);
        s.attach(transport::websocket, {}, t0);
        drain(s);
        REQUIRE(s.send("first") == errc::ok);
        CHECK_FALSE(s.send_escaped_direct(7, t0));
        CHECK(s.pull(t0).bytes == "a[\"first\"]");
    }
    SECTION("not a websocket receiver, no receiver, or not open: refused") {
        auto polling = opened_by_polling();
        CHECK_FALSE(polling.send_escaped_direct(7, t0));  // no receiver attached
        server_session streaming(suite_limits(), t0);
        streaming.attach(transport::xhr_streaming, {}, t0);
        CHECK_FALSE(streaming.send_escaped_direct(7, t0));
        server_session closing(suite_limits(), t0);
        closing.attach(transport::websocket, {}, t0);
        closing.close(3000, "bye");
        CHECK_FALSE(closing.send_escaped_direct(7, t0));
        server_session fresh(suite_limits(), t0);
        CHECK_FALSE(fresh.send_escaped_direct(7, t0));
    }
}

TEST_CASE("pull_websocket_frame: the queued messages' frame built in the caller's buffer, as pull() builds it",
          "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::websocket, {}, t0);
    drain(s);
    CHECK(s.websocket_frame_size() == 0);  // nothing queued
    REQUIRE(s.send("one") == errc::ok);
    REQUIRE(s.send("tw\"o") == errc::ok);
    const std::string expected = R"(a["one","tw\"o"])";
    REQUIRE(s.websocket_frame_size() == expected.size());
    std::string out = "head";
    CHECK_FALSE(s.pull_websocket_frame(out, t0 + 10s));  // open: nothing else due now
    CHECK(out == "head" + expected);  // appended, exactly the announced size
    CHECK(s.queued_bytes() == 0);
    CHECK(s.websocket_frame_size() == 0);
    CHECK(s.pull(t0 + 10s).bytes.empty());       // nothing left for pull()
    CHECK(s.next_deadline() == t0 + 10s + 25s);  // a frame went out: the heartbeat waits again
    SECTION("the queue's buffer serves the next message") {
        REQUIRE(s.send("three") == errc::ok);
        std::string next;
        s.pull_websocket_frame(next, t0 + 11s);
        CHECK(next == R"(a["three"])");
    }
    SECTION("an application close: the queued messages first, then pull() gives the close frame") {
        REQUIRE(s.send("last") == errc::ok);
        s.close(3000, "bye");
        REQUIRE(s.websocket_frame_size() == std::string(R"(a["last"])").size());
        std::string last;
        CHECK(s.pull_websocket_frame(last, t0 + 11s));  // closing: the close frame is due next
        CHECK(last == R"(a["last"])");
        CHECK(s.websocket_frame_size() == 0);
        auto close = s.pull(t0 + 11s);
        CHECK(close.bytes == R"(c[3000,"bye"])");
        CHECK(close.end);
    }
    SECTION("a due heartbeat is not a messages frame: 0, pull() sends it") {
        s.on_deadline(t0 + 10s + 25s);
        CHECK(s.websocket_frame_size() == 0);
        CHECK(s.pull(t0 + 10s + 25s).bytes == "h");
    }
}

TEST_CASE("websocket_frame_size: 0 for any receiver but a websocket", "[session]") {
    server_session streaming(suite_limits(), t0);
    streaming.attach(transport::xhr_streaming, {}, t0);
    drain(streaming);
    REQUIRE(streaming.send("a") == errc::ok);
    CHECK(streaming.websocket_frame_size() == 0);
    CHECK(streaming.pull(t0).bytes == "a[\"a\"]\n");
    server_session detached(suite_limits(), t0);
    detached.attach(transport::websocket, {}, t0);
    drain(detached);
    detached.detach(false, t0);
    REQUIRE(detached.send("kept") == errc::ok);
    CHECK(detached.websocket_frame_size() == 0);  // no receiver: the message waits queued
    CHECK(detached.queued_bytes() > 0);
}

TEST_CASE("recycle: the next websocket frame reuses the written one's buffer, never over queued messages",
          "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::websocket, {}, t0);
    drain(s);
    const std::string big(100, 'x');
    REQUIRE(s.send(big) == errc::ok);
    auto first = s.pull(t0);
    REQUIRE(first.bytes == "a[\"" + big + "\"]");
    const char* const buffer = first.bytes.data();
    SECTION("given back with the queue empty: the next frame is built in it") {
        s.recycle(std::move(first.bytes));
        CHECK(s.queued_bytes() == 0);
        REQUIRE(s.send("second") == errc::ok);
        CHECK(s.queued_bytes() == std::string(R"("second")").size());
        auto second = s.pull(t0);
        CHECK(second.bytes == R"(a["second"])");
        CHECK(second.bytes.data() == buffer);
    }
    SECTION("given back after more was queued: ignored, nothing lost") {
        REQUIRE(s.send("second") == errc::ok);
        s.recycle(std::move(first.bytes));
        CHECK(s.pull(t0).bytes == R"(a["second"])");
    }
    SECTION("a streaming receiver's frame is copied, and the queue keeps its buffer") {
        server_session streaming(suite_limits(), t0);
        streaming.attach(transport::xhr_streaming, {}, t0);
        REQUIRE(streaming.send("a") == errc::ok);
        REQUIRE(streaming.send("b") == errc::ok);
        CHECK(streaming.pull(t0).bytes == "a[\"a\",\"b\"]\n");
        REQUIRE(streaming.send("c") == errc::ok);
        CHECK(streaming.pull(t0).bytes == "a[\"c\"]\n");
    }
}

TEST_CASE("1000 messages each way keep their order", "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::websocket, {}, t0);
    drain(s);
    std::vector<std::string> sent;
    for (int i = 0; i < 1000; ++i) {
        sent.push_back("m" + std::to_string(i));
        REQUIRE(s.send(sent.back()) == errc::ok);
    }
    auto out = s.pull(t0);
    auto f = parse_frame(out.bytes);
    REQUIRE(f.ok());
    CHECK(f->type == frame_type::messages);
    CHECK(f->messages == sent);

    SECTION("one body") {
        REQUIRE(s.receive(encode_client_messages(sent), payload_format::array, t0) == errc::ok);
    }
    SECTION("one body per message") {
        for (const auto& m : sent)
            REQUIRE(s.receive(encode_client_messages({m}), payload_format::array, t0) == errc::ok);
    }
    CHECK(drain_messages(s) == sent);
}

TEST_CASE("application close: polling gets o, then the close frame, replayed", "[session]") {
    // The suite's /close service closes from the opened handler.
    server_session s(suite_limits(), t0);
    CHECK(s.attach(transport::jsonp, "x", t0).bytes == "/**/x(\"o\");\r\n");
    REQUIRE(drain(s).size() == 1);
    s.close(3000, "Go away!");
    CHECK(s.state() == session_state::closing);
    CHECK(s.close_code() == 3000);
    CHECK(s.close_reason() == "Go away!");
    auto ev = drain(s);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == session_event::closed);
    CHECK(ev[0].code == 3000);
    CHECK(ev[0].data == "Go away!");

    for (int i = 0; i < 3; ++i) {
        auto out = s.attach(transport::jsonp, "x", t0 + 100ms * i);
        CHECK(out.bytes == "/**/x(\"c[3000,\\\"Go away!\\\"]\");\r\n");
        CHECK(out.end);
        CHECK_FALSE(s.has_receiver());
    }
    // xhr polling on the same session sees the same frame.
    CHECK(s.attach(transport::xhr, {}, t0 + 1s).bytes == "c[3000,\"Go away!\"]\n");
    CHECK(drain(s).empty());  // closed fires once
}

TEST_CASE("application close on an attached streaming receiver ends it", "[session]") {
    server_session s(suite_limits(), t0);
    auto out = s.attach(transport::xhr_streaming, {}, t0);
    CHECK(out.bytes == "o\n");
    drain(s);
    s.close(3000, "Go away!");
    out = s.pull(t0);
    CHECK(out.bytes == "c[3000,\"Go away!\"]\n");  // a separate write from `o`
    CHECK(out.end);
    CHECK_FALSE(s.has_receiver());
    // A second streaming request replays the close frame rather than 2010.
    out = s.attach(transport::xhr_streaming, {}, t0 + 1ms);
    CHECK(out.bytes == "c[3000,\"Go away!\"]\n");
    CHECK(out.end);
}

TEST_CASE("websocket close: o, then c as its own message, then end", "[session]") {
    server_session s(suite_limits(), t0);
    CHECK(s.attach(transport::websocket, {}, t0).bytes == "o");
    drain(s);
    REQUIRE(s.send("x") == errc::ok);
    s.close(3000, "Go away!");
    CHECK(s.send("y") == errc::session_not_open);
    // Messages queued before an application close are still delivered, one frame per call.
    auto out = s.pull(t0);
    CHECK(out.bytes == "a[\"x\"]");
    CHECK_FALSE(out.end);
    out = s.pull(t0);
    CHECK(out.bytes == "c[3000,\"Go away!\"]");
    CHECK(out.end);
    out = s.pull(t0);
    CHECK(out.bytes.empty());
    CHECK_FALSE(out.end);
}

TEST_CASE("messages queued before an application close reach the next receiver first",
          "[session]") {
    auto s = opened_by_polling();
    REQUIRE(s.send("bye") == errc::ok);
    s.close(3001, "done");
    SECTION("polling: one frame per response") {
        auto out = s.attach(transport::xhr, {}, t0 + 1ms);
        CHECK(out.bytes == "a[\"bye\"]\n");
        CHECK(out.end);
        CHECK(s.attach(transport::xhr, {}, t0 + 2ms).bytes == "c[3001,\"done\"]\n");
    }
    SECTION("streaming: both frames, then the end") {
        auto out = s.attach(transport::xhr_streaming, {}, t0 + 1ms);
        CHECK(out.bytes == "a[\"bye\"]\nc[3001,\"done\"]\n");
        CHECK(out.end);
    }
}

TEST_CASE("close before the first receiver: no o, no events", "[session]") {
    server_session s(suite_limits(), t0);
    s.close(3000, "shutdown");
    CHECK(s.state() == session_state::closing);
    auto out = s.attach(transport::xhr, {}, t0);
    CHECK(out.bytes == "c[3000,\"shutdown\"]\n");
    CHECK(out.end);
    CHECK(drain(s).empty());
}

TEST_CASE("close is a no-op once closing", "[session]") {
    auto s = opened_by_polling();
    s.close(3000, "first");
    s.close(3001, "second");
    CHECK(s.close_code() == 3000);
    CHECK(drain(s).size() == 1);
    CHECK(s.attach(transport::xhr, {}, t0).bytes == "c[3000,\"first\"]\n");
}

TEST_CASE("a second receiver gets 2010 and the first keeps the session", "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::xhr_streaming, {}, t0);
    drain(s);

    auto second = s.attach(transport::xhr_streaming, {}, t0 + 1ms);
    CHECK(second.bytes == "c[2010,\"Another connection still open\"]\n");
    CHECK(second.end);
    CHECK(s.has_receiver());
    CHECK(s.state() == session_state::open);

    // Wrapped for the second receiver's own transport.
    CHECK(s.attach(transport::jsonp, "cb", t0 + 2ms).bytes ==
          "/**/cb(\"c[2010,\\\"Another connection still open\\\"]\");\r\n");
    CHECK(s.attach(transport::xhr, {}, t0 + 2ms).bytes ==
          "c[2010,\"Another connection still open\"]\n");

    REQUIRE(s.send("still mine") == errc::ok);
    auto out = s.pull(t0 + 3ms);
    CHECK(out.bytes == "a[\"still mine\"]\n");
    CHECK_FALSE(out.end);
    CHECK(drain(s).empty());
}

TEST_CASE("an aborted receiver closes the session with 1002", "[session]") {
    server_session s(suite_limits(), t0);
    transport t = GENERATE(transport::xhr, transport::xhr_streaming, transport::websocket);
    if (is_streaming(t)) {
        s.attach(t, {}, t0);
    } else {
        s.attach(t, {}, t0);  // `o`, ended
        REQUIRE(s.attach(t, {}, t0 + 1ms).bytes.empty());  // long poll waiting
    }
    drain(s);
    REQUIRE(s.send("lost") == errc::ok);
    // A pull is pending but the client went away first.
    s.detach(true, t0 + 2ms);
    CHECK_FALSE(s.has_receiver());
    CHECK(s.state() == session_state::closing);
    CHECK(s.queued_bytes() == 0);
    auto ev = drain(s);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == session_event::closed);
    CHECK(ev[0].code == 1002);
    CHECK(ev[0].data == "Connection interrupted");

    auto out = s.attach(transport::xhr, {}, t0 + 3ms);
    CHECK(out.bytes == "c[1002,\"Connection interrupted\"]\n");
    CHECK(out.end);
}

TEST_CASE("detach without abort starts the disconnect timer, a new receiver resumes",
          "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::xhr_streaming, {}, t0);
    drain(s);
    s.detach(false, t0 + 1s);
    CHECK(s.state() == session_state::open);
    CHECK(s.next_deadline() == t0 + 6s);
    s.detach(false, t0 + 2s);  // no receiver: no-op
    CHECK(s.next_deadline() == t0 + 6s);
    REQUIRE(s.send("m") == errc::ok);
    auto out = s.attach(transport::eventsource, {}, t0 + 5999ms);
    CHECK(out.bytes == "data: a[\"m\"]\r\n\r\n");
    CHECK_FALSE(out.end);
    CHECK(s.next_deadline() == t0 + 5999ms + 25s);
    CHECK(drain(s).empty());
}

TEST_CASE("xhr_streaming ends once 4096 wrapped bytes were written (suite numbers)",
          "[session]") {
    server_session s(suite_limits(), t0);
    REQUIRE(s.attach(transport::xhr_streaming, {}, t0).bytes == "o\n");
    const std::string msg(128, 'x');
    const std::string frame = "a[\"" + msg + "\"]\n";
    std::size_t written = 2;
    for (int i = 0; i < 31; ++i) {
        REQUIRE(s.send(msg) == errc::ok);
        auto out = s.pull(t0);
        CHECK(out.bytes == frame);
        written += out.bytes.size();
        // The suite reads 31 frames and then expects the end: 30 * 134 + 2 < 4096 <= 31 * 134 + 2.
        CHECK(out.end == (i == 30));
        CHECK(out.end == (written >= 4096));
    }
    CHECK_FALSE(s.has_receiver());
    CHECK(s.state() == session_state::open);
    // The client reopens; no second `o`.
    REQUIRE(s.send("next") == errc::ok);
    auto out = s.attach(transport::xhr_streaming, {}, t0 + 1ms);
    CHECK(out.bytes == "a[\"next\"]\n");
    CHECK_FALSE(out.end);
}

TEST_CASE("eventsource and htmlfile end after one frame over the limit", "[session]") {
    const std::string msg(4096, 'x');
    SECTION("eventsource") {
        server_session s(suite_limits(), t0);
        REQUIRE(s.attach(transport::eventsource, {}, t0).bytes == "data: o\r\n\r\n");
        REQUIRE(s.send(msg) == errc::ok);
        auto out = s.pull(t0);
        CHECK(out.bytes == "data: a[\"" + msg + "\"]\r\n\r\n");
        CHECK(out.end);
    }
    SECTION("htmlfile") {
        server_session s(suite_limits(), t0);
        REQUIRE(s.attach(transport::htmlfile, "callback", t0).bytes ==
                "<script>\np(\"o\");\n</script>\r\n");
        REQUIRE(s.send(msg) == errc::ok);
        auto out = s.pull(t0);
        CHECK(out.bytes == "<script>\np(\"a[\\\"" + msg + "\\\"]\");\n</script>\r\n");
        CHECK(out.end);
    }
}

TEST_CASE("a websocket receiver never ends on volume", "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::websocket, {}, t0);
    const std::string msg(1000, 'y');
    for (int i = 0; i < 50; ++i) {
        REQUIRE(s.send(msg) == errc::ok);
        auto out = s.pull(t0);
        CHECK(out.bytes == "a[\"" + msg + "\"]");
        CHECK_FALSE(out.end);
    }
    CHECK(s.has_receiver());
}

TEST_CASE("polling receivers end after exactly one frame", "[session]") {
    auto s = opened_by_polling();
    REQUIRE(s.attach(transport::jsonp, "f", t0).bytes.empty());
    REQUIRE(s.send("1") == errc::ok);
    auto out = s.pull(t0);
    CHECK(out.bytes == "/**/f(\"a[\\\"1\\\"]\");\r\n");
    CHECK(out.end);
    REQUIRE(s.send("2") == errc::ok);
    CHECK(s.pull(t0).bytes.empty());  // no receiver until the next poll
    CHECK(s.queued_bytes() == 3);
}

TEST_CASE("heartbeat after heartbeat_delay of frame silence", "[session]") {
    SECTION("streaming: h, stays attached, next one 25 s later") {
        server_session s(suite_limits(), t0);
        s.attach(transport::xhr_streaming, {}, t0);
        CHECK(s.next_deadline() == t0 + 25s);
        s.on_deadline(t0 + 24999ms);
        CHECK(s.pull(t0 + 24999ms).bytes.empty());
        // A frame resets the silence.
        REQUIRE(s.send("m") == errc::ok);
        CHECK(s.pull(t0 + 10s).bytes == "a[\"m\"]\n");
        CHECK(s.next_deadline() == t0 + 35s);
        s.on_deadline(t0 + 35s);
        CHECK(s.next_deadline() == std::nullopt);  // waits for the pull
        auto out = s.pull(t0 + 35s);
        CHECK(out.bytes == "h\n");
        CHECK_FALSE(out.end);
        CHECK(s.next_deadline() == t0 + 60s);
    }
    SECTION("polling: h ends the long poll") {
        auto s = opened_by_polling();
        REQUIRE(s.attach(transport::xhr, {}, t0 + 1s).bytes.empty());
        CHECK(s.next_deadline() == t0 + 26s);
        s.on_deadline(t0 + 26s);
        auto out = s.pull(t0 + 26s);
        CHECK(out.bytes == "h\n");
        CHECK(out.end);
        CHECK(s.next_deadline() == t0 + 31s);  // now the disconnect timer runs
    }
    SECTION("websocket") {
        server_session s(suite_limits(), t0);
        s.attach(transport::websocket, {}, t0);
        s.on_deadline(t0 + 25s);
        CHECK(s.pull(t0 + 25s).bytes == "h");
    }
    SECTION("a late pull sends h even if on_deadline was not called") {
        server_session s(suite_limits(), t0);
        s.attach(transport::eventsource, {}, t0);
        CHECK(s.pull(t0 + 30s).bytes == "data: h\r\n\r\n");
    }
    SECTION("no heartbeat without a receiver") {
        auto s = opened_by_polling();
        s.on_deadline(t0 + 4s);
        CHECK(s.attach(transport::xhr, {}, t0 + 4s).bytes.empty());
    }
}

TEST_CASE("no receiver for disconnect_delay: closed event, replay, then expiry",
          "[session]") {
    auto s = opened_by_polling();
    CHECK(s.next_deadline() == t0 + 5s);
    s.on_deadline(t0 + 4999ms);
    CHECK(s.state() == session_state::open);
    REQUIRE(s.send("dropped") == errc::ok);
    s.on_deadline(t0 + 5s);
    CHECK(s.state() == session_state::closing);
    CHECK(s.queued_bytes() == 0);
    auto ev = drain(s);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == session_event::closed);
    CHECK(ev[0].code == 1000);
    CHECK(ev[0].data == "Session timed out");
    CHECK(s.next_deadline() == t0 + 10s);

    // A late client is told, and that extends the replay window (as sockjs-node).
    CHECK(s.attach(transport::xhr, {}, t0 + 7s).bytes == "c[1000,\"Session timed out\"]\n");
    CHECK(s.next_deadline() == t0 + 12s);
    s.on_deadline(t0 + 10s);
    CHECK(s.state() == session_state::closing);
    s.on_deadline(t0 + 12s);
    CHECK(s.state() == session_state::closed);
    CHECK(s.next_deadline() == std::nullopt);
    CHECK(drain(s).empty());
    // Should the adapter still attach before dropping it, the client still gets the close.
    auto out = s.attach(transport::xhr, {}, t0 + 13s);
    CHECK(out.bytes == "c[1000,\"Session timed out\"]\n");
    CHECK(out.end);
}

TEST_CASE("closing expires disconnect_delay after the close frame went out", "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::xhr_streaming, {}, t0);
    s.pull(t0 + 2s);  // moves the session's clock
    s.close(3000, "bye");
    CHECK(s.next_deadline() == t0 + 7s);
    s.pull(t0 + 3s);  // the close frame is delivered later: the window starts then
    CHECK(s.next_deadline() == t0 + 8s);
    s.on_deadline(t0 + 8s);
    CHECK(s.state() == session_state::closed);
}

TEST_CASE("a session never attached expires silently", "[session]") {
    server_session s(suite_limits(), t0);
    CHECK(s.next_deadline() == t0 + 5s);
    s.on_deadline(t0 + 5s);
    CHECK(s.state() == session_state::closed);
    CHECK(drain(s).empty());
    CHECK(s.next_deadline() == std::nullopt);
}

TEST_CASE("queue overflow closes the session with 1013", "[session]") {
    auto l = suite_limits();
    l.max_queued_bytes = 20;
    auto s = opened_by_polling(l);
    REQUIRE(s.send("12345678") == errc::ok);  // "12345678" is 10 bytes
    SECTION("send") {
        CHECK(s.send("12345678") == errc::queue_full);  // 10 + 1 + 10 > 20
    }
    SECTION("send_escaped") {
        CHECK(s.send_escaped("\"12345678\"") == errc::queue_full);
    }
    CHECK(s.state() == session_state::closing);
    CHECK(s.queued_bytes() == 0);
    auto ev = drain(s);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].code == 1013);
    CHECK(ev[0].data == "Send queue overflow");
    CHECK(s.send("x") == errc::session_not_open);
    CHECK(s.attach(transport::xhr, {}, t0).bytes == "c[1013,\"Send queue overflow\"]\n");
}

TEST_CASE("queue up to exactly max_queued_bytes is fine", "[session]") {
    auto l = suite_limits();
    l.max_queued_bytes = 21;
    auto s = opened_by_polling(l);
    REQUIRE(s.send("12345678") == errc::ok);
    CHECK(s.send("12345678") == errc::ok);
    CHECK(s.queued_bytes() == 21);
    CHECK(s.state() == session_state::open);
}

TEST_CASE("overflow with a receiver attached sends the close frame", "[session]") {
    auto l = suite_limits();
    l.max_queued_bytes = 5;
    server_session s(l, t0);
    s.attach(transport::websocket, {}, t0);
    CHECK(s.send("toolong") == errc::queue_full);
    auto out = s.pull(t0);
    CHECK(out.bytes == "c[1013,\"Send queue overflow\"]");
    CHECK(out.end);
}

TEST_CASE("send before open and after close", "[session]") {
    server_session s(suite_limits(), t0);
    CHECK(s.send("x") == errc::session_not_open);
    CHECK(s.send_escaped("\"x\"") == errc::session_not_open);
    s.attach(transport::xhr, {}, t0);
    CHECK(s.send("x") == errc::ok);
    s.close(1000, "Normal closure");
    CHECK(s.send("x") == errc::session_not_open);
}

TEST_CASE("receive: payload errors leave nothing queued", "[session]") {
    auto l = suite_limits();
    l.max_message_size = 4;
    auto s = opened_by_polling(l);
    CHECK(s.receive("", payload_format::array, t0) == errc::empty_payload);
    CHECK(s.receive("[\"a", payload_format::array, t0) == errc::broken_json);
    CHECK(s.receive("[\"a\",1]", payload_format::array, t0) == errc::broken_json);
    CHECK(s.receive("\"a\"", payload_format::array, t0) == errc::broken_json);
    CHECK(s.receive("[\"ok\",\"too long\"]", payload_format::array, t0) ==
          errc::message_too_large);
    CHECK(drain(s).empty());

    // WebSocket: empty message and [] are no-ops, a bare string is one message.
    CHECK(s.receive("", payload_format::array_or_string, t0) == errc::ok);
    CHECK(s.receive("[]", payload_format::array_or_string, t0) == errc::ok);
    CHECK(s.receive("\"ws\"", payload_format::array_or_string, t0) == errc::ok);
    CHECK(s.receive("[\"x\",\"y\"]", payload_format::array, t0) == errc::ok);
    CHECK(drain_messages(s) == std::vector<std::string>{"ws", "x", "y"});
}

TEST_CASE("receive: a broken body drops only its own messages", "[session]") {
    auto s = opened_by_polling();
    REQUIRE(s.receive("[\"kept\"]", payload_format::array, t0) == errc::ok);
    CHECK(s.receive("[\"dropped\",\"also dropped\",1]", payload_format::array, t0) == errc::broken_json);
    REQUIRE(s.receive("[\"after\"]", payload_format::array, t0) == errc::ok);
    CHECK(drain_messages(s) == std::vector<std::string>{"kept", "after"});
}

TEST_CASE("receive on a closing session: checked, answered ok, dropped", "[session]") {
    auto s = opened_by_polling();
    s.close(3000, "Go away!");
    drain(s);
    CHECK(s.receive("[\"late\"]", payload_format::array, t0) == errc::ok);
    CHECK(s.receive("[", payload_format::array, t0) == errc::broken_json);
    CHECK(drain(s).empty());
}

TEST_CASE("receive_direct: a lone message skips the queue, as a view into the body when plain",
          "[session]") {
    auto s = opened_by_polling();
    std::string scratch;
    std::optional<std::string_view> m;
    const std::string body = "[\"hello\"]";
    REQUIRE(s.receive_direct(body, payload_format::array_or_string, t0, scratch, m) == errc::ok);
    REQUIRE(m);
    CHECK(*m == "hello");
    CHECK(m->data() == body.data() + 2);  // no copy
    CHECK(drain(s).empty());

    const std::string bare = " \"bare\" ";
    REQUIRE(s.receive_direct(bare, payload_format::array_or_string, t0, scratch, m) == errc::ok);
    REQUIRE(m);
    CHECK(*m == "bare");

    // Escapes and non-ASCII are decoded into the scratch buffer, as receive() decodes them.
    const std::string escaped = "[ \"a\\\"b\\u00e9\\ud83d\\ude00 \xc3\xa9\" ]";
    REQUIRE(s.receive_direct(escaped, payload_format::array_or_string, t0, scratch, m) == errc::ok);
    REQUIRE(m);
    CHECK(*m == "a\"b\xc3\xa9\xf0\x9f\x98\x80 \xc3\xa9");
    CHECK(m->data() == scratch.data());
    CHECK(drain(s).empty());
}

TEST_CASE("receive_direct: every other body takes receive()'s way, with its result", "[session]") {
    auto l = suite_limits();
    l.max_message_size = 8;
    const std::vector<std::pair<std::string, payload_format>> bodies = {
        {"[\"a\",\"b\"]", payload_format::array_or_string},
        {"[]", payload_format::array_or_string},
        {"", payload_format::array_or_string},
        {"", payload_format::array},
        {"\"x\"", payload_format::array},  // a bare string only counts on a WebSocket
        {"[\"a\"", payload_format::array_or_string},
        {"[\"a\"]x", payload_format::array_or_string},
        {"[\"a\",1]", payload_format::array_or_string},
        {"[\"a\\q\"]", payload_format::array_or_string},
        {"[\"a\x01\"]", payload_format::array_or_string},
        {"[\"too long a message\"]", payload_format::array_or_string},
        {"[\"\\u0041\\u00e9\\ud800\"]", payload_format::array_or_string},
        {"[\"\xff\xfe\"]", payload_format::array_or_string},
    };
    for (const auto& [body, format] : bodies) {
        CAPTURE(body);
        auto direct = opened_by_polling(l);
        auto queued = opened_by_polling(l);
        std::string scratch;
        std::optional<std::string_view> m;
        const errc e = direct.receive_direct(body, format, t0, scratch, m);
        CHECK(e == queued.receive(body, format, t0));
        std::vector<std::string> got;
        if (m) got.emplace_back(*m);
        for (auto& text : drain_messages(direct)) got.push_back(text);
        CHECK(got == drain_messages(queued));
        // Only a lone message that decodes cleanly is handed over directly.
        CHECK(m.has_value() == (e == errc::ok && got.size() == 1 && body.find(',') == std::string::npos));
    }
}

TEST_CASE("receive_direct: never overtakes a waiting event, never delivers when not open", "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::websocket, {}, t0);  // `opened` waits, not yet taken
    std::string scratch;
    std::optional<std::string_view> m;
    REQUIRE(s.receive_direct("[\"first\"]", payload_format::array_or_string, t0, scratch, m) == errc::ok);
    CHECK_FALSE(m);
    auto events = drain(s);
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == session_event::opened);
    CHECK(events[1].data == "first");

    s.close(3000, "Go away!");
    drain(s);
    CHECK(s.receive_direct("[\"late\"]", payload_format::array_or_string, t0, scratch, m) == errc::ok);
    CHECK_FALSE(m);
    CHECK(drain(s).empty());
}

TEST_CASE("pull and detach without a receiver do nothing", "[session]") {
    auto s = opened_by_polling();
    auto out = s.pull(t0 + 1s);
    CHECK(out.bytes.empty());
    CHECK_FALSE(out.end);
    s.detach(true, t0 + 1s);
    CHECK(s.state() == session_state::open);
    CHECK(drain(s).empty());
}

TEST_CASE("terminate: no close frame to the receiver, closed event, replay later",
          "[session]") {
    server_session s(suite_limits(), t0);
    s.attach(transport::websocket, {}, t0);
    drain(s);
    REQUIRE(s.send("pending") == errc::ok);
    CHECK(s.receive("[\"a", payload_format::array_or_string, t0 + 1s) == errc::broken_json);
    s.terminate(3000, "Broken framing.", t0 + 1s);
    CHECK_FALSE(s.has_receiver());
    CHECK(s.state() == session_state::closing);
    CHECK(s.queued_bytes() == 0);
    auto out = s.pull(t0 + 1s);
    CHECK(out.bytes.empty());
    CHECK_FALSE(out.end);
    auto ev = drain(s);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == session_event::closed);
    CHECK(ev[0].code == 3000);
    CHECK(ev[0].data == "Broken framing.");
    CHECK(s.next_deadline() == t0 + 6s);
    CHECK(s.attach(transport::xhr, {}, t0 + 2s).bytes == "c[3000,\"Broken framing.\"]\n");

    // Once closing it changes nothing more.
    s.terminate(1009, "other", t0 + 3s);
    CHECK(s.close_code() == 3000);
    CHECK(drain(s).empty());
}

TEST_CASE("websocket_closed: a clean close ends the session with 1000, others with 1002",
          "[session]") {
    const auto [peer_code, code, reason] =
        GENERATE(std::make_tuple(1000, 1000, std::string("Normal closure")),
                 std::make_tuple(1001, 1000, std::string("Normal closure")),
                 std::make_tuple(1006, 1002, std::string("Connection interrupted")),
                 std::make_tuple(1011, 1002, std::string("Connection interrupted")),
                 std::make_tuple(3000, 1002, std::string("Connection interrupted")));
    CAPTURE(peer_code);
    server_session s(suite_limits(), t0);
    s.attach(transport::websocket, {}, t0);
    drain(s);
    s.websocket_closed(peer_code, t0 + 1s);
    CHECK_FALSE(s.has_receiver());
    CHECK(s.state() == session_state::closing);
    auto ev = drain(s);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == session_event::closed);
    CHECK(ev[0].code == code);
    CHECK(ev[0].data == reason);
    CHECK(s.close_code() == code);

    // Without a receiver it changes nothing.
    s.websocket_closed(1000, t0 + 2s);
    CHECK(s.close_code() == code);
    CHECK(drain(s).empty());
}
