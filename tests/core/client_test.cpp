// client_session and the client-side decisions: /info, transport names and order, session
// paths, and every outcome of the client state machine, on a fake clock.
#include <sockjs/client.hpp>
#include <sockjs/frame.hpp>
#include <sockjs/payload.hpp>

#include <catch2/catch.hpp>

#include <limits>
#include <set>
#include <string>
#include <vector>

using namespace sockjs;
using namespace std::chrono_literals;

namespace {

constexpr time_point t0{50000ms};

std::vector<client_event> drain(client_session& c) {
    std::vector<client_event> out;
    while (auto e = c.next_event()) out.push_back(std::move(*e));
    return out;
}

const std::vector<client_transport> every_transport = {
    client_transport::websocket, client_transport::xhr_streaming, client_transport::eventsource,
    client_transport::xhr_polling, client_transport::jsonp_polling};

// A session that got /info and opened its first transport (websocket unless restricted).
client_session opened(client_options opts = {}, time_point now = t0) {
    client_session c(std::move(opts), now);
    c.on_info(server_info{}, now);
    REQUIRE(c.on_frame("o", now) == errc::ok);
    drain(c);
    REQUIRE(c.state() == ready_state::open);
    return c;
}

void check_close(const client_event& e, int code, const std::string& reason, bool clean) {
    CHECK(e.kind == client_event::close);
    CHECK(e.code == code);
    CHECK(e.reason == reason);
    CHECK(e.was_clean == clean);
}

}  // namespace

TEST_CASE("client transport names, server transports and paths", "[client]") {
    const std::vector<std::string> names = {"websocket", "xhr-streaming", "eventsource",
                                            "xhr-polling", "jsonp-polling"};
    for (std::size_t i = 0; i < every_transport.size(); ++i) {
        CHECK(name(every_transport[i]) == names[i]);
        CHECK(parse_client_transport(names[i]) == every_transport[i]);
    }
    CHECK(parse_client_transport("xhr_streaming") == std::nullopt);
    CHECK(parse_client_transport("") == std::nullopt);
    CHECK(parse_client_transport("iframe-eventsource") == std::nullopt);

    CHECK(receive_transport(client_transport::websocket) == transport::websocket);
    CHECK(receive_transport(client_transport::xhr_streaming) == transport::xhr_streaming);
    CHECK(receive_transport(client_transport::eventsource) == transport::eventsource);
    CHECK(receive_transport(client_transport::xhr_polling) == transport::xhr);
    CHECK(receive_transport(client_transport::jsonp_polling) == transport::jsonp);
    CHECK(send_transport(client_transport::websocket) == transport::websocket);
    CHECK(send_transport(client_transport::xhr_streaming) == transport::xhr_send);
    CHECK(send_transport(client_transport::eventsource) == transport::xhr_send);
    CHECK(send_transport(client_transport::xhr_polling) == transport::xhr_send);
    CHECK(send_transport(client_transport::jsonp_polling) == transport::jsonp_send);

    CHECK(session_path("000", "abcdefgh", transport::xhr_streaming) == "/000/abcdefgh/xhr_streaming");
    CHECK(session_path("1", "s", transport::websocket) == "/1/s/websocket");
}

TEST_CASE("transport_order: canonical order filtered by /info, allowed and available",
          "[client]") {
    server_info info;
    CHECK(transport_order(info, {}) == every_transport);
    // The caller's order does not matter: the fallback order is the protocol's.
    CHECK(transport_order(info, {client_transport::xhr_polling, client_transport::websocket}) ==
          std::vector<client_transport>{client_transport::websocket, client_transport::xhr_polling});
    CHECK(transport_order(info, {}, {client_transport::eventsource, client_transport::jsonp_polling}) ==
          std::vector<client_transport>{client_transport::eventsource, client_transport::jsonp_polling});
    CHECK(transport_order(info, {client_transport::websocket}, {client_transport::xhr_polling}).empty());
    info.websocket = false;
    CHECK(transport_order(info, {}) ==
          std::vector<client_transport>(every_transport.begin() + 1, every_transport.end()));
    CHECK(transport_order(info, {client_transport::websocket}).empty());
}

TEST_CASE("round trip timeout as sockjs-client computes it", "[client]") {
    CHECK(round_trip_timeout(0ms) == 300ms);
    CHECK(round_trip_timeout(50ms) == 350ms);
    CHECK(round_trip_timeout(100ms) == 400ms);
    CHECK(round_trip_timeout(101ms) == 404ms);
    CHECK(round_trip_timeout(1000ms) == 4000ms);
    CHECK(round_trips(client_transport::jsonp_polling) == 1);
    CHECK(round_trips(client_transport::websocket) == 2);
    CHECK(round_trips(client_transport::xhr_polling) == 2);
}

TEST_CASE("happy path: info, websocket, open, messages, heartbeat, server close", "[client]") {
    client_session c({}, t0);
    CHECK(c.state() == ready_state::connecting);
    CHECK(c.current_transport() == std::nullopt);
    CHECK(c.next_deadline() == t0 + 8s);
    CHECK(drain(c).empty());

    c.on_info(server_info{}, t0 + 10ms);
    auto ev = drain(c);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == client_event::start_transport);
    CHECK(ev[0].transport == client_transport::websocket);
    CHECK(c.current_transport() == client_transport::websocket);
    CHECK(c.next_deadline() == t0 + 10ms + 5s);

    CHECK(c.on_frame("o", t0 + 20ms) == errc::ok);
    CHECK(c.state() == ready_state::connecting);  // until the open event is taken
    CHECK(c.next_deadline() == std::nullopt);
    ev = drain(c);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == client_event::open);
    CHECK(c.state() == ready_state::open);

    CHECK(c.on_frame("a[\"x\",\"y\\n\"]", t0 + 30ms) == errc::ok);
    CHECK(c.on_frame("h", t0 + 40ms) == errc::ok);
    ev = drain(c);
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].kind == client_event::message);
    CHECK(ev[0].data == "x");
    CHECK(ev[1].data == "y\n");
    CHECK(ev[2].kind == client_event::heartbeat);

    CHECK(c.on_frame("c[3000,\"Go away!\"]", t0 + 50ms) == errc::ok);
    CHECK(c.state() == ready_state::open);  // until the close event is taken
    ev = drain(c);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == client_event::stop_transport);
    CHECK(ev[0].transport == client_transport::websocket);
    check_close(ev[1], 3000, "Go away!", true);
    CHECK(c.state() == ready_state::closing);  // until the close event is dispatched
    c.on_close_dispatched();
    CHECK(c.state() == ready_state::closed);
    CHECK(c.close_code() == 3000);
    CHECK(c.close_reason() == "Go away!");
    CHECK(c.current_transport() == std::nullopt);
    CHECK(c.next_deadline() == std::nullopt);

    // Late frames and transport ends change nothing.
    CHECK(c.on_frame("a[\"late\"]", t0 + 60ms) == errc::ok);
    c.on_transport_closed(t0 + 60ms);
    c.on_deadline(t0 + 1h);
    CHECK(drain(c).empty());
}

TEST_CASE("/info failure and timeout close with 1002", "[client]") {
    client_session c({}, t0);
    SECTION("failed request") {
        c.on_info(std::nullopt, t0 + 1s);
        auto ev = drain(c);
        REQUIRE(ev.size() == 1);
        check_close(ev[0], 1002, "Cannot connect to server", false);
    }
    SECTION("no answer within 8 s: the request is aborted") {
        c.on_deadline(t0 + 7999ms);
        CHECK(drain(c).empty());
        c.on_deadline(t0 + 8s);
        auto ev = drain(c);
        REQUIRE(ev.size() == 2);
        CHECK(ev[0].kind == client_event::stop_transport);
        check_close(ev[1], 1002, "Cannot connect to server", false);
        c.on_info(server_info{}, t0 + 9s);  // too late
        CHECK(drain(c).empty());
    }
    CHECK(c.state() == ready_state::closing);  // until the close event is dispatched
    c.on_close_dispatched();
    CHECK(c.state() == ready_state::closed);
}

TEST_CASE("info_timeout 0 leaves /info timing to the adapter", "[client]") {
    client_options o;
    o.info_timeout = 0ms;
    client_session c(o, t0);
    CHECK(c.next_deadline() == std::nullopt);
    c.on_deadline(t0 + 1h);
    CHECK(c.state() == ready_state::connecting);
}

TEST_CASE("no usable transport closes with 2000", "[client]") {
    client_options o;
    o.transports = {client_transport::websocket};
    client_session c(o, t0);
    server_info info;
    info.websocket = false;
    c.on_info(info, t0);
    auto ev = drain(c);
    REQUIRE(ev.size() == 1);
    check_close(ev[0], 2000, "All transports failed", false);
}

TEST_CASE("fallback through every transport when each fails before o", "[client]") {
    client_session c({}, t0);
    c.on_info(server_info{}, t0);
    std::vector<client_transport> tried;
    for (int step = 0; step < 5; ++step) {
        auto ev = drain(c);
        REQUIRE(ev.size() == 1);
        REQUIRE(ev[0].kind == client_event::start_transport);
        tried.push_back(ev[0].transport);
        CHECK(c.current_transport() == ev[0].transport);
        // A network error or a non-application WebSocket code: the next transport.
        if (step % 2 == 0)
            c.on_transport_closed(t0 + 1s * step);
        else
            c.on_transport_closed(t0 + 1s * step, 1006, "WebSocket connection broken");
    }
    CHECK(tried == every_transport);
    auto ev = drain(c);
    REQUIRE(ev.size() == 1);  // no stop_transport: the adapter reported it closed
    check_close(ev[0], 2000, "All transports failed", false);
    CHECK(c.state() == ready_state::closing);  // until the close event is dispatched
    c.on_close_dispatched();
    CHECK(c.state() == ready_state::closed);
}

TEST_CASE("transport timeout: abort and fall back; the last one ends with 2000", "[client]") {
    client_options o;
    o.transports = {client_transport::xhr_streaming, client_transport::xhr_polling};
    client_session c(o, t0);
    c.on_info(server_info{}, t0);
    auto ev = drain(c);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].transport == client_transport::xhr_streaming);
    CHECK(c.next_deadline() == t0 + 5s);

    // The prelude is a heartbeat; it does not count as opening.
    CHECK(c.on_frame(std::string(2048, 'h'), t0 + 1s) == errc::ok);
    ev = drain(c);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == client_event::heartbeat);

    c.on_deadline(t0 + 4999ms);
    CHECK(drain(c).empty());
    c.on_deadline(t0 + 5s);
    ev = drain(c);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == client_event::stop_transport);
    CHECK(ev[0].transport == client_transport::xhr_streaming);
    CHECK(ev[1].kind == client_event::start_transport);
    CHECK(ev[1].transport == client_transport::xhr_polling);
    CHECK(c.next_deadline() == t0 + 10s);

    c.on_deadline(t0 + 10s);
    ev = drain(c);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == client_event::stop_transport);
    CHECK(ev[0].transport == client_transport::xhr_polling);
    check_close(ev[1], 2000, "All transports failed", false);
}

TEST_CASE("transport timeout derived from the /info round trip when set to 0", "[client]") {
    client_options o;
    o.transport_timeout = 0ms;
    o.transports = {client_transport::websocket, client_transport::jsonp_polling};
    SECTION("with rtt") {
        client_session c(o, t0);
        c.on_info(server_info{}, t0, 50ms);
        CHECK(c.next_deadline() == t0 + 700ms);  // (300 + 50) * 2 round trips
        c.on_deadline(t0 + 700ms);
        CHECK(c.current_transport() == client_transport::jsonp_polling);
        CHECK(c.next_deadline() == t0 + 1050ms);  // 350 * 1 round trip
    }
    SECTION("without rtt: 5 s") {
        client_session c(o, t0);
        c.on_info(server_info{}, t0);
        CHECK(c.next_deadline() == t0 + 5s);
    }
}

TEST_CASE("a transport closed before o with an application code ends the session",
          "[client]") {
    client_session c({}, t0);
    c.on_info(server_info{}, t0);
    drain(c);
    c.on_transport_closed(t0 + 1s, 4001, "nope");
    auto ev = drain(c);
    REQUIRE(ev.size() == 1);
    check_close(ev[0], 4001, "nope", false);
}

TEST_CASE("a close frame before o ends the session without fallback", "[client]") {
    client_session c({}, t0);
    c.on_info(server_info{}, t0);
    drain(c);
    CHECK(c.on_frame("c[2010,\"Another connection still open\"]", t0) == errc::ok);
    auto ev = drain(c);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == client_event::stop_transport);
    check_close(ev[1], 2010, "Another connection still open", true);
}

TEST_CASE("transport lost after open", "[client]") {
    auto c = opened();
    SECTION("no code: server lost session") {
        c.on_transport_closed(t0 + 1s);
        auto ev = drain(c);
        REQUIRE(ev.size() == 1);
        check_close(ev[0], 1006, "Server lost session", false);
    }
    SECTION("a WebSocket close code is passed on") {
        c.on_transport_closed(t0 + 1s, 1001, "going away");
        auto ev = drain(c);
        REQUIRE(ev.size() == 1);
        check_close(ev[0], 1001, "going away", false);
    }
    CHECK(c.state() == ready_state::closing);  // until the close event is dispatched
    c.on_close_dispatched();
    CHECK(c.state() == ready_state::closed);
}

TEST_CASE("a second o means the server lost the session", "[client]") {
    auto c = opened();
    CHECK(c.on_frame("o", t0 + 1s) == errc::unexpected_frame);
    auto ev = drain(c);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == client_event::stop_transport);
    check_close(ev[1], 1006, "Server lost session", false);
}

TEST_CASE("bad frames are reported and ignored", "[client]") {
    auto c = opened();
    for (const char* bad : {"", "x", "a", "a[", "a[1]", "a{}", "c", "c[3000]", "c[\"x\",\"y\"]",
                            "c[3000,\"x\"", "m\"x\""})
        CHECK(c.on_frame(bad, t0) == errc::bad_frame);
    CHECK(drain(c).empty());
    CHECK(c.state() == ready_state::open);
}

TEST_CASE("frames out of place are ignored", "[client]") {
    client_session c({}, t0);
    CHECK(c.on_frame("o", t0) == errc::unexpected_frame);  // /info still pending
    c.on_info(server_info{}, t0);
    drain(c);
    CHECK(c.on_frame("a[\"early\"]", t0) == errc::unexpected_frame);
    CHECK(drain(c).empty());
    CHECK(c.state() == ready_state::connecting);
    c.on_info(server_info{}, t0);  // a second answer is ignored
    CHECK(drain(c).empty());
}

TEST_CASE("messages keep their order", "[client]") {
    auto c = opened();
    std::vector<std::string> sent;
    for (int i = 0; i < 1000; ++i) sent.push_back("m" + std::to_string(i));
    SECTION("one frame") {
        REQUIRE(c.on_frame(messages_frame(sent), t0) == errc::ok);
    }
    SECTION("one frame each") {
        for (const auto& m : sent) REQUIRE(c.on_frame(messages_frame({m}), t0) == errc::ok);
    }
    std::vector<std::string> got;
    for (auto& e : drain(c)) {
        REQUIRE(e.kind == client_event::message);
        got.push_back(e.data);
    }
    CHECK(got == sent);

    for (const auto& m : sent) REQUIRE(c.send(m) == errc::ok);
    std::vector<std::string> decoded;
    REQUIRE(decode_messages(c.take_outgoing(), payload_format::array, decoded) == errc::ok);
    CHECK(decoded == sent);
}

TEST_CASE("send and take_outgoing", "[client]") {
    client_session c({}, t0);
    CHECK(c.send("x") == errc::session_not_open);
    c.on_info(server_info{}, t0);
    CHECK(c.send("x") == errc::session_not_open);
    c.on_frame("o", t0);
    CHECK(c.take_outgoing().empty());
    CHECK(c.send("a") == errc::ok);
    CHECK(c.send("b\"") == errc::ok);
    CHECK(c.take_outgoing() == "[\"a\",\"b\\\"\"]");
    CHECK(c.take_outgoing().empty());
    CHECK(c.send("lost") == errc::ok);
    REQUIRE(c.close() == errc::ok);
    CHECK(c.take_outgoing().empty());
    CHECK(c.send("x") == errc::session_not_open);
}

TEST_CASE("close: code and reason validation", "[client]") {
    auto c = opened();
    for (int bad : {1, 999, 1001, 1006, 2000, 2999, 5000, -1})
        CHECK(c.close(bad, "x") == errc::invalid_close_code);
    CHECK(c.close(1000, std::string(124, 'r')) == errc::reason_too_long);
    CHECK(drain(c).empty());
    CHECK(c.state() == ready_state::open);

    int code = GENERATE(1000, 3000, 4999);
    REQUIRE(c.close(code, std::string(123, 'r')) == errc::ok);
    auto ev = drain(c);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == client_event::stop_transport);
    check_close(ev[1], code, std::string(123, 'r'), true);
    CHECK(c.state() == ready_state::closing);  // until the close event is dispatched
    c.on_close_dispatched();
    CHECK(c.state() == ready_state::closed);
    // Closing again is a no-op.
    CHECK(c.close(3001, "again") == errc::ok);
    CHECK(drain(c).empty());
    CHECK(c.close_code() == code);
}

TEST_CASE("close defaults as sockjs-client", "[client]") {
    auto c = opened();
    SECTION("no arguments") { REQUIRE(c.close() == errc::ok); }
    SECTION("zero code, empty reason") { REQUIRE(c.close(0, "") == errc::ok); }
    auto ev = drain(c);
    REQUIRE(ev.size() == 2);
    check_close(ev[1], 1000, "Normal closure", true);
}

TEST_CASE("close while connecting aborts what is in flight", "[client]") {
    client_session c({}, t0);
    SECTION("during /info") {
        REQUIRE(c.close(3000, "bye") == errc::ok);
        auto ev = drain(c);
        REQUIRE(ev.size() == 2);
        CHECK(ev[0].kind == client_event::stop_transport);
        check_close(ev[1], 3000, "bye", true);
        c.on_info(server_info{}, t0);  // arrives anyway: ignored
        CHECK(drain(c).empty());
    }
    SECTION("during a transport attempt") {
        c.on_info(server_info{}, t0);
        drain(c);
        REQUIRE(c.close() == errc::ok);
        auto ev = drain(c);
        REQUIRE(ev.size() == 2);
        CHECK(ev[0].kind == client_event::stop_transport);
        CHECK(ev[0].transport == client_transport::websocket);
        check_close(ev[1], 1000, "Normal closure", true);
        c.on_deadline(t0 + 1h);  // the old transport timeout is gone
        CHECK(drain(c).empty());
    }
    CHECK(c.next_deadline() == std::nullopt);
}

TEST_CASE("liveness watchdog (opt-in)", "[client]") {
    SECTION("off by default: no deadline while open") {
        auto c = opened();
        CHECK(c.next_deadline() == std::nullopt);
        c.on_deadline(t0 + 24h);
        CHECK(c.state() == ready_state::open);
    }
    SECTION("on: any frame feeds it") {
        client_options o;
        o.liveness_timeout = 30s;
        auto c = opened(o);
        CHECK(c.next_deadline() == t0 + 30s);
        REQUIRE(c.on_frame("h", t0 + 10s) == errc::ok);
        drain(c);
        CHECK(c.next_deadline() == t0 + 40s);
        c.on_deadline(t0 + 39999ms);
        CHECK(c.state() == ready_state::open);
        c.on_deadline(t0 + 40s);
        auto ev = drain(c);
        REQUIRE(ev.size() == 2);
        CHECK(ev[0].kind == client_event::stop_transport);
        check_close(ev[1], 4900, "Liveness timeout", false);
    }
}

TEST_CASE("ids: session ids are 8 characters of [a-z0-5], server ids 3 digits, all from the seed", "[client]") {
    std::set<std::string> seen;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        client_options o;
        o.random_seed = seed * 0x9e3779b97f4a7c15ULL;
        client_session c(o, t0);
        c.on_info(server_info{}, t0);
        drain(c);
        const auto& s = c.session_id();
        REQUIRE(s.size() == 8);
        CHECK(s.find_first_not_of("abcdefghijklmnopqrstuvwxyz012345") == std::string::npos);
        seen.insert(s);
        REQUIRE(c.server_id().size() == 3);
        CHECK(c.server_id().find_first_not_of("0123456789") == std::string::npos);
        CHECK(c.path() == "/" + c.server_id() + "/" + s + "/websocket");
        // The same seed gives the same ids: the adapter's entropy is all there is.
        client_session again(o, t0);
        again.on_info(server_info{}, t0);
        CHECK(again.session_id() == s);
    }
    CHECK(seen.size() == 200);  // 32^8 possibilities: a repeat would mean a broken generator
    client_options o;
    o.session_id_length = 12;
    client_session c(o, t0);
    c.on_info(server_info{}, t0);
    CHECK(c.session_id().size() == 12);
    o.session_id_length = std::numeric_limits<std::size_t>::max();  // bounded, not a huge allocation
    client_session huge(o, t0);
    huge.on_info(server_info{}, t0);
    CHECK(huge.session_id().size() == 1024);
}
