// Text that reaches raw WebSocket peers is well-formed UTF-8 (issue 9, defect 2): one client's
// lone surrogate must not make every raw peer on a broadcast fail the connection with 1007,
// and a raw peer's binary message is refused with 1003 rather than passed on as text. Bodies
// decode ill-formed UTF-8 as the reference server does (defect 7).

#include "server_checks.hpp"

#include <sockjs/utf8.hpp>

using namespace sjt;

namespace {

const std::string fffd = "\xEF\xBF\xBD";

void expect_text(ws_client& ws, const std::string& expected) {
    const ws_message m = ws.recv();
    CHECK(m.kind == ws_message::text);
    CHECK(m.data == expected);
}

}  // namespace

TEST_CASE("broadcast: a lone surrogate from xhr_send reaches raw peers as U+FFFD, SockJS peers as \\ud800",
          "[websocket][utf8]") {
    test_server s;
    ws_client raw1(s.port, "/broadcast/websocket");
    ws_client raw2(s.port, "/broadcast/websocket");
    ws_client framed(s.port, "/broadcast/000/" + new_id() + "/websocket");
    expect_text(framed, "o");
    const std::string url = "/broadcast/000/" + new_id();
    REQUIRE(http(s.port, "POST", url + "/xhr").body == "o\n");

    REQUIRE(http(s.port, "POST", url + "/xhr_send", {}, R"(["warm"])").status == 204);
    expect_text(raw1, "warm");
    expect_text(raw2, "warm");
    expect_text(framed, R"(a["warm"])");

    REQUIRE(http(s.port, "POST", url + "/xhr_send", {}, R"(["x\ud800y"])").status == 204);
    expect_text(raw1, "x" + fffd + "y");
    expect_text(raw2, "x" + fffd + "y");
    expect_text(framed, R"(a["x\ud800y"])");
    CHECK(http(s.port, "POST", url + "/xhr").body == "a[\"warm\",\"x\\ud800y\"]\n");

    // Nobody was closed: the next broadcast reaches every peer.
    REQUIRE(http(s.port, "POST", url + "/xhr_send", {}, R"(["after"])").status == 204);
    expect_text(raw1, "after");
    expect_text(raw2, "after");
    expect_text(framed, R"(a["after"])");
}

TEST_CASE("raw websocket: a binary message is refused with 1003 and reaches no other peer",
          "[websocket][utf8]") {
    test_server s;
    ws_client sender(s.port, "/broadcast/websocket");
    ws_client other(s.port, "/broadcast/websocket");
    sender.send_frame(0x2, std::string("\xff\xfe", 2));
    const ws_message m = sender.recv();
    CHECK(m.kind == ws_message::close);
    CHECK(m.code == 1003);
    // The other peer's next message is its own broadcast: nothing came before it.
    other.send_text("mine");
    expect_text(other, "mine");
}

TEST_CASE("raw websocket echo: a binary message gets 1003, text still echoes on a new connection",
          "[websocket][utf8]") {
    test_server s;
    {
        ws_client ws(s.port, "/echo/websocket");
        ws.send_frame(0x2, "bin");
        const ws_message m = ws.recv();
        CHECK(m.kind == ws_message::close);
        CHECK(m.code == 1003);
    }
    ws_client ws(s.port, "/echo/websocket");
    ws.send_text("caf\xc3\xa9");
    expect_text(ws, "caf\xc3\xa9");
}

TEST_CASE("xhr_send: CESU-8 surrogate bytes decode to U+FFFD per maximal subpart, as the reference",
          "[xhr][utf8]") {
    test_server s;
    const std::string url = "/echo/000/" + new_id();
    REQUIRE(http(s.port, "POST", url + "/xhr").body == "o\n");
    REQUIRE(http(s.port, "POST", url + "/xhr_send", {}, "[\"\xed\xa0\x80\",\"ok\xe2\x82\"]").status == 204);
    CHECK(http(s.port, "POST", url + "/xhr").body == "a[\"\\ufffd\\ufffd\\ufffd\",\"ok\\ufffd\"]\n");
}

TEST_CASE("SockJS websocket: ill-formed text from the application goes out escaped, as well-formed UTF-8",
          "[websocket][utf8]") {
    // The channel does not check a SockJS frame's UTF-8 again (send_valid_text): the core's
    // JSON escaping must write every ill-formed byte and surrogate as an escape.
    test_server s([](sockjs::server& srv) {
        sockjs::handlers h;
        h.on_message = [](sockjs::connection& c, std::string_view) {
            c.send(std::string("a\xFF" "b\xED\xA0\x80" "c\xC0\xAF" "d\xF4\x90\x80\x80" "e", 15));
        };
        srv.route("/bytes", h);
    });
    ws_client ws(s.port, "/bytes/000/" + new_id() + "/websocket");
    expect_text(ws, "o");
    ws.send_text(R"(["go"])");
    const ws_message m = ws.recv();
    CHECK(m.kind == ws_message::text);
    CHECK(sockjs::utf8_valid(m.data));
    CHECK(m.data == R"(a["a\ufffdb\ud800c\ufffd\ufffdd\ufffd\ufffd\ufffd\ufffde"])");
}
