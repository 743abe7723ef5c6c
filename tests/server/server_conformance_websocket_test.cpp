// Conformance, part 4: WebSocket sessions, the raw /websocket endpoint, hixie-76, and the
// HTTP errors around WebSocket URLs.

#include "server_checks.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/MD5Engine.h>
#include <Poco/SHA1Engine.h>

#include <sstream>

using namespace sjt;

namespace {

std::string ws_url(const std::string& service = "/echo") { return service + "/000/" + new_id() + "/websocket"; }

void check_text(ws_client& ws, const std::string& expected) {
    auto m = ws.recv();
    CHECK(m.kind == ws_message::text);
    CHECK(m.data == expected);
}

}  // namespace

TEST_CASE("websocket http errors: a plain GET is 400", "[conformance][websocket]") {
    test_server s;
    CHECK(http(s.port, "GET", "/echo/0/0/websocket").status == 400);
}

TEST_CASE("websocket http errors: Connection: close is 400", "[conformance][websocket]") {
    test_server s;
    auto r = http(s.port, "GET", "/echo/0/0/websocket", {{"Upgrade", "WebSocket"}, {"Connection", "close"}});
    CHECK(r.status == 400);
}

TEST_CASE("websocket http errors: POST is 405", "[conformance][websocket]") {
    test_server s;
    check_405(http(s.port, "POST", "/echo/0/0/websocket", {{"Upgrade", "WebSocket"}, {"Connection", "Upgrade"}}));
    check_405(http(s.port, "POST", "/echo/0/0/websocket"));
}

TEST_CASE("websocket: open frame, then messages as a[...]", "[conformance][websocket]") {
    test_server s;
    ws_client ws(s.port, ws_url());
    check_text(ws, "o");
    ws.send_text(R"(["a"])");
    check_text(ws, "a[\"a\"]");
    ws.close();
}

TEST_CASE("websocket: a closing session sends its close frame, then the socket closes", "[conformance][websocket]") {
    test_server s;
    ws_client ws(s.port, ws_url("/close"));
    check_text(ws, "o");
    check_text(ws, "c[3000,\"Go away!\"]");
    auto m = ws.recv();
    REQUIRE(m.kind == ws_message::close);
    CHECK(m.code == 3000);
}

TEST_CASE("websocket: handshake headers of RFC 6455", "[conformance][websocket]") {
    test_server s;
    const std::string key = "x3JJHMbDL1EzLkh9GBhXDw==";
    raw_http c(s.port);
    c.request("GET", ws_url(),
              {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Version", "13"},
               {"Sec-WebSocket-Origin", "http://asd"}, {"Sec-WebSocket-Key", key}});
    auto r = c.read_head();
    CHECK(r.status == 101);
    Poco::SHA1Engine sha1;
    sha1.update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    const auto& d = sha1.digest();
    std::ostringstream accept;
    Poco::Base64Encoder enc(accept);
    enc.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
    enc.close();
    CHECK(r.header("Sec-WebSocket-Accept") == accept.str());
    auto lower = [](std::string v) {
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return std::tolower(ch); });
        return v;
    };
    CHECK(lower(r.header("Connection").value_or("")) == "upgrade");
    CHECK(lower(r.header("Upgrade").value_or("")) == "websocket");
    CHECK_FALSE(r.has("Content-Length"));
}

TEST_CASE("websocket: empty frames and [] are ignored", "[conformance][websocket]") {
    test_server s;
    ws_client ws(s.port, ws_url());
    check_text(ws, "o");
    ws.send_text("");
    ws.send_text("[]");
    ws.send_text(R"(["a"])");
    check_text(ws, "a[\"a\"]");
    ws.close();
}

TEST_CASE("websocket: a session id may be reused, even at the same time", "[conformance][websocket]") {
    test_server s;
    auto url = ws_url();
    ws_client ws1(s.port, url);
    check_text(ws1, "o");
    ws_client ws2(s.port, url);
    check_text(ws2, "o");
    ws1.send_text(R"(["a"])");
    check_text(ws1, "a[\"a\"]");
    ws2.send_text(R"(["b"])");
    check_text(ws2, "a[\"b\"]");
    ws1.close();
    ws2.close();
    ws_client ws3(s.port, url);
    check_text(ws3, "o");
    ws3.send_text(R"(["a"])");
    check_text(ws3, "a[\"a\"]");
    ws3.close();
}

namespace {

/// hixie-76: the key's digits as a number, divided by its number of spaces, big-endian.
std::string hixie_part(const std::string& key) {
    std::uint64_t digits = 0;
    std::uint32_t spaces = 0;
    for (char ch : key) {
        if (ch >= '0' && ch <= '9') digits = digits * 10 + static_cast<std::uint64_t>(ch - '0');
        if (ch == ' ') ++spaces;
    }
    auto n = static_cast<std::uint32_t>(digits / spaces);
    return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

}  // namespace

TEST_CASE("websocket: hixie-76 head is sent before the key bytes arrive (HAProxy)", "[conformance][websocket]") {
    test_server s;
    const std::string key1 = "4 @1  46546xW%0l 1 5", key2 = "12998 5 Y3 1  .P00", key3 = "aaaaaaaa";
    const std::string host = "127.0.0.1:" + std::to_string(s.port);
    const std::string path = ws_url();
    raw_http c(s.port);
    c.request("GET", path,
              {{"Host", host}, {"Connection", "Upgrade"}, {"Upgrade", "WebSocket"}, {"Origin", "http://" + host},
               {"Sec-WebSocket-Key1", key1}, {"Sec-WebSocket-Key2", key2}},
              {}, "1.1", false);
    auto r = c.read_head();
    CHECK(r.status == 101);
    auto lower = [](std::string v) {
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return std::tolower(ch); });
        return v;
    };
    CHECK(lower(r.header("Connection").value_or("")) == "upgrade");
    CHECK(lower(r.header("Upgrade").value_or("")) == "websocket");
    CHECK(r.header("Sec-WebSocket-Location") == "ws://" + host + path);
    CHECK(r.header("Sec-WebSocket-Origin") == "http://" + host);
    CHECK_FALSE(r.has("Content-Length"));
    c.send(key3);
    Poco::MD5Engine md5;
    md5.update(hixie_part(key1) + hixie_part(key2) + key3);
    const auto& d = md5.digest();
    CHECK(c.read_exact(16) == std::string(d.begin(), d.end()));
    // Then the session speaks hixie-76 frames: 0x00 text 0xFF.
    CHECK(c.read_exact(3) == std::string("\x00o\xff", 3));
}

TEST_CASE("websocket: broken JSON ends the connection", "[conformance][websocket]") {
    test_server s;
    ws_client ws(s.port, ws_url());
    check_text(ws, "o");
    ws.send_text(R"(["a)");
    auto m = ws.recv();
    REQUIRE(m.kind == ws_message::close);
    CHECK(m.code == 3000);
    CHECK(m.data == "Broken framing.");
}

TEST_CASE("raw websocket: messages go through unframed", "[conformance][raw_websocket]") {
    test_server s;
    ws_client ws(s.port, "/echo/websocket");
    const std::string msg = "Hello world!\xef\xbf\xbf";  // U+FFFF at the end
    ws.send_text(msg);
    check_text(ws, msg);
    ws.close();
}

TEST_CASE("raw websocket: close from on_open closes with the application's reason", "[conformance][raw_websocket]") {
    test_server s;
    ws_client ws(s.port, "/close/websocket");
    auto m = ws.recv();
    REQUIRE(m.kind == ws_message::close);
    CHECK(m.code == 3000);
    CHECK(m.data == "Go away!");
}
