// Bad input: each case gets the protocol's answer (or a clear 4xx/5xx, or the WebSocket close
// code that names the fault), and the server keeps serving afterwards.

#include "server_checks.hpp"

#include <atomic>
#include <mutex>
#include <thread>

using namespace sjt;

namespace {

std::string session_url(const std::string& service = "/echo") { return service + "/000/" + new_id(); }

void check_still_serving(std::uint16_t port) {
    auto r = http(port, "GET", "/echo");
    CHECK(r.status == 200);
    CHECK(r.body == "Welcome to SockJS!\n");
}

/// Records the close codes the application heard.
struct close_log {
    std::mutex m;
    std::vector<int> codes;
    void add(int c) {
        std::lock_guard l(m);
        codes.push_back(c);
    }
    bool has(int c) {
        std::lock_guard l(m);
        return std::find(codes.begin(), codes.end(), c) != codes.end();
    }
};

/// Suite services plus /small (max_message_size 1024) and /logged (records close codes).
struct small_limits {
    small_limits() {
        auto opts = test_options();
        opts.max_body_bytes = 64 * 1024;
        server = std::make_unique<test_server>(
            [this](sockjs::server& srv) {
                add_suite_services(srv);
                sockjs::service_options small;
                small.max_message_size = 1024;
                srv.route("/small",
                          sockjs::handlers{.on_message = [](sockjs::connection& c, std::string_view m) { c.send(m); },
                                           .on_close = [this](sockjs::connection&, int code, std::string_view) {
                                               closes.add(code);
                                           }},
                          small);
            },
            opts);
    }
    close_log closes;
    std::unique_ptr<test_server> server;
};

}  // namespace

TEST_CASE("bad input: JSON of the wrong shape is 500 Broken JSON encoding", "[bad_input]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    for (std::string body : {"[1]", "{}", "\"a\"", "[\"a\"]x", "[\"a\",]", "[\"\\x\"]", "[\"\\u12\"]", "nul", "[[\"a\"]]"}) {
        INFO(body);
        auto r = http(s.port, "POST", url + "/xhr_send", {}, body);
        CHECK(r.status == 500);
        CHECK(r.body.find("Broken JSON encoding.") != std::string::npos);
    }
    // Nothing of that reached the application: the next message is the only one.
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, R"(["ok"])").status == 204);
    CHECK(http(s.port, "POST", url + "/xhr").body == "a[\"ok\"]\n");
    check_still_serving(s.port);
}

TEST_CASE("bad input: a message over max_message_size is refused (xhr 413)", "[bad_input]") {
    small_limits f;
    auto port = f.server->port;
    auto url = session_url("/small");
    CHECK(http(port, "POST", url + "/xhr").body == "o\n");
    auto r = http(port, "POST", url + "/xhr_send", {}, "[\"" + std::string(2000, 'x') + "\"]");
    CHECK(r.status == 413);
    CHECK(http(port, "POST", url + "/xhr_send", {}, R"(["fits"])").status == 204);
    CHECK(http(port, "POST", url + "/xhr").body == "a[\"fits\"]\n");
    check_still_serving(port);
}

TEST_CASE("bad input: a body over max_body_bytes is 413", "[bad_input]") {
    small_limits f;
    auto port = f.server->port;
    auto url = session_url();
    CHECK(http(port, "POST", url + "/xhr").body == "o\n");
    auto r = http(port, "POST", url + "/xhr_send", {}, "[\"" + std::string(100 * 1024, 'x') + "\"]");
    CHECK(r.status == 413);
    check_still_serving(port);
}

TEST_CASE("bad input: an oversized WebSocket message closes with 1009", "[bad_input][websocket]") {
    small_limits f;
    auto port = f.server->port;
    SECTION("over the wire limit") {
        ws_client ws(port, session_url("/small") + "/websocket");
        CHECK(ws.recv().data == "o");
        ws.send_text("[\"" + std::string(8192, 'x') + "\"]");
        auto m = ws.recv();
        REQUIRE(m.kind == ws_message::close);
        CHECK(m.code == 1009);
    }
    SECTION("within the wire limit, but the decoded message is too big") {
        ws_client ws(port, session_url("/small") + "/websocket");
        CHECK(ws.recv().data == "o");
        ws.send_text("[\"" + std::string(1100, 'x') + "\"]");
        auto m = ws.recv();
        REQUIRE(m.kind == ws_message::close);
        CHECK(m.code == 1009);
        CHECK(eventually([&] { return f.closes.has(1009); }));
    }
    SECTION("raw websocket") {
        ws_client ws(port, "/small/websocket");
        ws.send_text(std::string(2000, 'x'));
        auto m = ws.recv();
        REQUIRE(m.kind == ws_message::close);
        CHECK(m.code == 1009);
    }
    SECTION("a frame header announcing a huge payload") {
        ws_client ws(port, "/small/websocket");
        // FIN text, masked, 64-bit length 2^40: refused from the header alone.
        ws.send_raw(std::string("\x81\xff\x00\x00\x01\x00\x00\x00\x00\x00" "abcd", 14));
        auto m = ws.recv();
        REQUIRE(m.kind == ws_message::close);
        CHECK(m.code == 1009);
    }
    check_still_serving(port);
}

TEST_CASE("bad input: truncated WebSocket frames free the session", "[bad_input][websocket]") {
    small_limits f;
    auto port = f.server->port;
    auto svc_sessions = [&] { return f.server->srv.stats().sessions_by_transport.at("websocket"); };
    {
        ws_client ws(port, session_url("/small") + "/websocket");
        CHECK(ws.recv().data == "o");
        CHECK(svc_sessions() == 1);
        // Announces 100 payload bytes, sends 10, then the TCP connection goes away.
        ws.send_raw(std::string("\x81\xe4" "abcd" "0123456789", 16));
        ws.drop();
    }
    CHECK(eventually([&] { return svc_sessions() == 0; }));
    CHECK(eventually([&] { return f.closes.has(1002); }));  // the core's "Connection interrupted"
    check_still_serving(port);
}

TEST_CASE("bad input: an unmasked client frame is a protocol error (1002)", "[bad_input][websocket]") {
    test_server s;
    ws_client ws(s.port, session_url() + "/websocket");
    CHECK(ws.recv().data == "o");
    ws.send_frame(0x1, R"(["a"])", true, false);
    auto m = ws.recv();
    REQUIRE(m.kind == ws_message::close);
    CHECK(m.code == 1002);
    check_still_serving(s.port);
}

TEST_CASE("bad input: invalid UTF-8 in a WebSocket text message closes with 1007", "[bad_input][websocket]") {
    test_server s;
    SECTION("session") {
        ws_client ws(s.port, session_url() + "/websocket");
        CHECK(ws.recv().data == "o");
        ws.send_text("[\"\xc3\x28\"]");
        auto m = ws.recv();
        REQUIRE(m.kind == ws_message::close);
        CHECK(m.code == 1007);
    }
    SECTION("raw") {
        ws_client ws(s.port, "/echo/websocket");
        ws.send_text("\xff\xfe");
        auto m = ws.recv();
        REQUIRE(m.kind == ws_message::close);
        CHECK(m.code == 1007);
    }
    check_still_serving(s.port);
}

TEST_CASE("bad input: invalid UTF-8 in an xhr_send body is replaced, not fatal", "[bad_input]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, "[\"a\xff" "b\"]").status == 204);
    auto body = http(s.port, "POST", url + "/xhr").body;
    // U+FFFD, escaped or not, where the bad byte was.
    CHECK((body == "a[\"a\\ufffdb\"]\n" || body == "a[\"a\xef\xbf\xbd" "b\"]\n"));
    check_still_serving(s.port);
}

TEST_CASE("bad input: callbacks that are too long or hostile are 500", "[bad_input]") {
    test_server s;
    for (std::string cb : {std::string(33, 'a'), std::string("alert(1)"), std::string("a%3Cscript%3E"),
                           std::string("%E2%80%A8")}) {
        INFO(cb);
        CHECK(http(s.port, "GET", "/echo/a/a/jsonp?c=" + cb).status == 500);
        CHECK(http(s.port, "GET", "/echo/a/a/htmlfile?c=" + cb).status == 500);
    }
    check_still_serving(s.port);
}

TEST_CASE("bad input: wrong methods are 405 with Allow, unknown paths 404", "[bad_input]") {
    test_server s;
    for (std::string t : {"xhr", "xhr_send", "xhr_streaming"}) {
        INFO(t);
        for (std::string m : {"PUT", "DELETE", "PATCH"}) check_405(http(s.port, m, "/echo/a/a/" + t));
    }
    CHECK(http(s.port, "GET", "/echo/a/a/nonsense").status == 404);
    CHECK(http(s.port, "GET", "/echo/a/a/xhr/extra").status == 404);
    CHECK(http(s.port, "GET", "/nowhere").status == 404);
    CHECK(http(s.port, "GET", "/echoes").status == 404);  // a prefix match must end at a '/'
    check_still_serving(s.port);
}

TEST_CASE("bad input: an over-long request head is refused", "[bad_input]") {
    test_server s;
    auto r = http(s.port, "GET", "/echo/" + std::string(20000, 'a'));
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    check_still_serving(s.port);
}

TEST_CASE("bad input: a head sent one byte at a time is cut off by header_timeout", "[bad_input]") {
    auto opts = test_options();
    opts.header_timeout = 300ms;
    test_server s(add_suite_services, opts);
    raw_http slow(s.port);
    const std::string head = "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    bool cut = false;
    for (std::size_t i = 0; i < head.size() && !cut; ++i) {
        try {
            slow.send(head.substr(i, 1));
        } catch (const Poco::Exception&) {
            cut = true;
            break;
        }
        // Meanwhile everyone else is served.
        if (i % 4 == 0) check_still_serving(s.port);
        std::this_thread::sleep_for(60ms);
        if (slow.socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) cut = true;
    }
    CHECK(cut);
    // The server answered (408) or simply closed; either way the connection is over.
    std::string rest;
    try {
        rest = slow.read_some();
    } catch (const Poco::Exception&) {
    }
    CHECK((rest.empty() || rest.rfind("HTTP/1.1 408", 0) == 0));
}

TEST_CASE("bad input: a client that never reads overflows only its own session (1013)", "[bad_input][slow]") {
    close_log closes;
    auto opts = test_options();
    opts.write_high_watermark = 16 * 1024;
    std::shared_ptr<sockjs::connection> keep;
    std::mutex keep_mutex;
    test_server s(
        [&](sockjs::server& srv) {
            add_suite_services(srv);
            sockjs::service_options o;
            o.max_queued_bytes = 64 * 1024;
            srv.route("/firehose",
                      sockjs::handlers{.on_open =
                                           [&](sockjs::connection& c) {
                                               std::lock_guard l(keep_mutex);
                                               keep = c.shared_from_this();
                                           },
                                       .on_close = [&](sockjs::connection&, int code, std::string_view) { closes.add(code); }},
                      o);
        },
        opts);

    // A streaming client with a tiny receive buffer that reads the head and then nothing.
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress::IPv4);
    sock.setReceiveBufferSize(4096);
    sock.connect(Poco::Net::SocketAddress("127.0.0.1", s.port));
    std::string req = "POST /firehose/000/" + new_id() +
                      "/xhr_streaming HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    sock.sendBytes(req.data(), static_cast<int>(req.size()));
    REQUIRE(eventually([&] {
        std::lock_guard l(keep_mutex);
        return keep != nullptr;
    }));
    std::shared_ptr<sockjs::connection> c;
    {
        std::lock_guard l(keep_mutex);
        c = keep;
    }
    const std::string chunk(1024, 'x');
    int sent = 0;
    for (; sent < 40000 && c->send(chunk); ++sent) {
        if (sent % 1000 == 999) check_still_serving(s.port);
    }
    CHECK(sent < 40000);  // the session closed itself long before 40 MB were queued
    CHECK(eventually([&] { return closes.has(1013); }));
    CHECK_FALSE(c->is_open());
    check_still_serving(s.port);
}

TEST_CASE("bad input: a Content-Type that only starts like a form is not a form",
          "[bad-input][jsonp]") {
    test_server s;
    auto url = session_url();
    REQUIRE(http(s.port, "GET", url + "/jsonp?c=cb").status == 200);
    // Read as JSON, not as a form without `d` (which would be "Payload expected.").
    auto r = http(s.port, "POST", url + "/jsonp_send",
                  {{"Content-Type", "application/x-www-form-urlencodedXYZ"}}, R"(["x"])");
    CHECK(r.status == 200);
    CHECK(r.body == "ok");
    CHECK(http(s.port, "GET", url + "/jsonp?c=cb").body == "/**/cb(\"a[\\\"x\\\"]\");\r\n");
    // With parameters the form is still a form.
    r = http(s.port, "POST", url + "/jsonp_send",
             {{"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"}}, "d=%5B%22y%22%5D");
    CHECK(r.body == "ok");
    CHECK(http(s.port, "GET", url + "/jsonp?c=cb").body == "/**/cb(\"a[\\\"y\\\"]\");\r\n");
}

TEST_CASE("bad input: a path outside every service gets the core's 404", "[bad-input]") {
    test_server s;
    auto r = http(s.port, "GET", "/no-such-service/info");
    CHECK(r.status == 404);
    CHECK(r.body == "404 Error: Page not found\n");
    check_still_serving(s.port);
}
