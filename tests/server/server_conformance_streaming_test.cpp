// Conformance, part 3: the streaming transports (xhr_streaming, eventsource, htmlfile),
// closing rules, HTTP/1.0 and 1.1 framing, and a POST without Content-Length.

#include "server_checks.hpp"

#include <thread>

using namespace sjt;

namespace {

std::string session_url(const std::string& service = "/echo") { return service + "/000/" + new_id(); }

/// A streaming request as the suite makes them: the head is read, the body stays open.
struct stream {
    stream(std::uint16_t port, std::string_view method, const std::string& url, const headers& hs = {})
        : c(port) {
        c.request(method, url, hs);
        head = c.read_head();
    }
    std::string next() { return c.read_chunk(); }
    raw_http c;
    response head;
};

}  // namespace

// ---- xhr_streaming ------------------------------------------------------------------------

TEST_CASE("xhr_streaming: OPTIONS preflight", "[conformance][xhr_streaming]") {
    test_server s;
    check_options(s.port, "/echo/abc/abc/xhr_streaming", "OPTIONS, POST");
}

TEST_CASE("xhr_streaming: prelude, open frame, then messages, each in its own chunk", "[conformance][xhr_streaming]") {
    test_server s;
    auto url = session_url();
    stream r(s.port, "POST", url + "/xhr_streaming", {{"Origin", "test"}});
    CHECK(r.head.status == 200);
    check_content_type(r.head, "application/javascript;charset=UTF-8");
    check_cors(r.head, std::string("test"));
    check_not_cached(r.head);
    CHECK(r.next() == std::string(2048, 'h') + "\n");
    CHECK(r.next() == "o\n");
    auto send = http(s.port, "POST", url + "/xhr_send", {}, R"(["x"])");
    CHECK(send.status == 204);
    CHECK(send.body.empty());
    CHECK(r.next() == "a[\"x\"]\n");
}

TEST_CASE("xhr_streaming: the response ends after response_limit bytes", "[conformance][xhr_streaming]") {
    test_server s;
    auto url = session_url();
    stream r(s.port, "POST", url + "/xhr_streaming");
    CHECK(r.head.status == 200);
    CHECK_FALSE(r.next().empty());  // prelude
    CHECK(r.next() == "o\n");
    const std::string msg = "\"" + std::string(128, 'x') + "\"";
    for (int i = 0; i < 31; ++i) {
        INFO("message " << i);
        CHECK(http(s.port, "POST", url + "/xhr_send", {}, "[" + msg + "]").status == 204);
        CHECK(r.next() == "a[" + msg + "]\n");
    }
    CHECK(r.next().empty());  // the last chunk: 4096 bytes were sent
}

// ---- eventsource --------------------------------------------------------------------------

TEST_CASE("eventsource: prelude, data: lines, escapes left to JSON", "[conformance][eventsource]") {
    test_server s;
    auto url = session_url();
    stream r(s.port, "GET", url + "/eventsource");
    CHECK(r.head.status == 200);
    check_content_type(r.head, "text/event-stream");
    check_not_cached(r.head);
    CHECK(r.next() == "\r\n");
    CHECK(r.next() == "data: o\r\n\r\n");
    auto send = http(s.port, "POST", url + "/xhr_send", {}, R"(["x"])");
    CHECK(send.body.empty());
    CHECK(send.status == 204);
    CHECK(r.next() == "data: a[\"x\"]\r\n\r\n");
    send = http(s.port, "POST", url + "/xhr_send", {}, R"(["  \u0000\n\r "])");
    CHECK(send.body.empty());
    CHECK(send.status == 204);
    CHECK(r.next() == "data: a[\"  \\u0000\\n\\r \"]\r\n\r\n");
}

TEST_CASE("eventsource: the response ends after response_limit bytes", "[conformance][eventsource]") {
    test_server s;
    auto url = session_url();
    stream r(s.port, "GET", url + "/eventsource");
    CHECK(r.head.status == 200);
    CHECK_FALSE(r.next().empty());
    CHECK(r.next() == "data: o\r\n\r\n");
    const std::string msg = "\"" + std::string(4096, 'x') + "\"";
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, "[" + msg + "]").status == 204);
    CHECK(r.next() == "data: a[" + msg + "]\r\n\r\n");
    CHECK(r.next().empty());
}

// ---- htmlfile -----------------------------------------------------------------------------

namespace {

std::string htmlfile_head(const std::string& callback) {
    return "<!doctype html>\n"
           "<html><head>\n"
           "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
           "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
           "</head><body><h2>Don't panic!</h2>\n"
           "  <script>\n"
           "    document.domain = document.domain;\n"
           "    var c = parent." + callback + ";\n"
           "    c.start();\n"
           "    function p(d) {c.message(d);};\n"
           "    window.onload = function() {c.stop();};\n"
           "  </script>";
}

std::string trimmed(const std::string& s) {
    auto b = s.find_first_not_of(" \r\n\t");
    auto e = s.find_last_not_of(" \r\n\t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

TEST_CASE("htmlfile: padded page naming the callback, then script tags", "[conformance][htmlfile]") {
    test_server s;
    auto url = session_url();
    stream r(s.port, "GET", url + "/htmlfile?c=%63allback");
    CHECK(r.head.status == 200);
    check_content_type(r.head, "text/html;charset=UTF-8");
    check_not_cached(r.head);
    auto page = r.next();
    CHECK(trimmed(page) == htmlfile_head("callback"));
    CHECK(page.size() > 1024);
    CHECK(r.next() == "<script>\np(\"o\");\n</script>\r\n");
    auto send = http(s.port, "POST", url + "/xhr_send", {}, R"(["x"])");
    CHECK(send.body.empty());
    CHECK(send.status == 204);
    CHECK(r.next() == "<script>\np(\"a[\\\"x\\\"]\");\n</script>\r\n");
}

TEST_CASE("htmlfile: missing callback is 500", "[conformance][htmlfile]") {
    test_server s;
    auto r = http(s.port, "GET", "/echo/a/a/htmlfile");
    CHECK(r.status == 500);
    CHECK(r.body.find("\"callback\" parameter required") != std::string::npos);
}

TEST_CASE("htmlfile: invalid callback is 500", "[conformance][htmlfile]") {
    test_server s;
    for (std::string cb : {"%20", "*", "abc(", "abc%28"}) {
        INFO(cb);
        auto r = http(s.port, "GET", "/echo/a/a/htmlfile?c=" + cb);
        CHECK(r.status == 500);
        CHECK(r.body.find("invalid \"callback\" parameter") != std::string::npos);
    }
}

TEST_CASE("htmlfile: the response ends after response_limit bytes", "[conformance][htmlfile]") {
    test_server s;
    auto url = session_url();
    stream r(s.port, "GET", url + "/htmlfile?c=callback");
    CHECK(r.head.status == 200);
    CHECK_FALSE(r.next().empty());
    CHECK(r.next() == "<script>\np(\"o\");\n</script>\r\n");
    const std::string msg(4096, 'x');
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, "[\"" + msg + "\"]").status == 204);
    CHECK(r.next() == "<script>\np(\"a[\\\"" + msg + "\\\"]\");\n</script>\r\n");
    CHECK(r.next().empty());
}

// ---- closing ------------------------------------------------------------------------------

TEST_CASE("close: a closing session releases its receiver and the next one gets the close frame", "[conformance][close]") {
    test_server s;
    auto url = session_url("/close");
    stream r1(s.port, "POST", url + "/xhr_streaming");
    r1.next();
    CHECK(r1.next() == "o\n");
    CHECK(r1.next() == "c[3000,\"Go away!\"]\n");
    stream r2(s.port, "POST", url + "/xhr_streaming");
    r2.next();
    CHECK(r2.next() == "c[3000,\"Go away!\"]\n");
    CHECK(r1.next().empty());
    CHECK(r2.next().empty());
}

TEST_CASE("close: a second streaming receiver gets 2010 and ends", "[conformance][close]") {
    test_server s;
    auto url = session_url();
    stream r1(s.port, "POST", url + "/xhr_streaming");
    r1.next();
    CHECK(r1.next() == "o\n");
    stream r2(s.port, "POST", url + "/xhr_streaming");
    r2.next();
    CHECK(r2.next() == "c[2010,\"Another connection still open\"]\n");
    CHECK(r2.next().empty());
}

TEST_CASE("close: aborting a streaming receiver interrupts the session", "[conformance][close]") {
    test_server s;
    auto url = session_url();
    auto r1 = std::make_unique<stream>(s.port, "POST", url + "/xhr_streaming");
    r1->next();
    CHECK(r1->next() == "o\n");
    {
        stream r2(s.port, "POST", url + "/xhr_streaming");
        r2.next();
        CHECK(r2.next() == "c[2010,\"Another connection still open\"]\n");
        CHECK(r2.next().empty());
    }
    r1->c.close();
    stream r3(s.port, "POST", url + "/xhr_streaming");
    r3.next();
    auto frame = r3.next();
    CHECK((frame == "o\n" || frame == "c[1002,\"Connection interrupted\"]\n"));
}

TEST_CASE("close: aborting a long poll interrupts the session", "[conformance][close]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    raw_http first(s.port);
    first.request("POST", url + "/xhr");
    std::this_thread::sleep_for(200ms);
    CHECK(http(s.port, "POST", url + "/xhr").body == "c[2010,\"Another connection still open\"]\n");
    first.close();
    auto body = http(s.port, "POST", url + "/xhr").body;
    CHECK((body == "o\n" || body == "c[1002,\"Connection interrupted\"]\n"));
}

// ---- HTTP/1.0 and 1.1 ---------------------------------------------------------------------

TEST_CASE("http/1.0: a plain response has a length or closes, and never chunks", "[conformance][http]") {
    test_server s;
    raw_http c(s.port);
    c.request("GET", "/echo", {{"Connection", "Keep-Alive"}}, {}, "1.0");
    auto r = c.read_head();
    CHECK(r.status == 200);
    CHECK((r.version == "1.0" || r.version == "1.1"));
    CHECK_FALSE(r.has("Transfer-Encoding"));
    if (!r.has("Content-Length")) {
        CHECK(r.header("Connection").value_or("") == "close");
        CHECK(c.read_body(r) == "Welcome to SockJS!\n");
        CHECK(c.closed_within());
    } else {
        CHECK(r.header("Content-Length") == "19");
        CHECK(c.read_exact(19) == "Welcome to SockJS!\n");
        auto conn = r.header("Connection").value_or("");
        std::transform(conn.begin(), conn.end(), conn.begin(), [](unsigned char ch) { return std::tolower(ch); });
        if (conn == "close" || conn.empty()) {
            CHECK(c.closed_within());
        } else {
            CHECK(conn == "keep-alive");
            c.request("GET", "/echo", {{"Connection", "Keep-Alive"}}, {}, "1.0");
            CHECK(c.read_head().status == 200);
        }
    }
}

TEST_CASE("http/1.0: streaming has no length and no chunking, and closes at the end", "[conformance][http]") {
    test_server s;
    raw_http c(s.port);
    c.request("POST", session_url("/close") + "/xhr_streaming", {{"Connection", "Keep-Alive"}}, {}, "1.0");
    auto r = c.read_head();
    CHECK(r.status == 200);
    CHECK_FALSE(r.has("Transfer-Encoding"));
    CHECK_FALSE(r.has("Content-Length"));
    CHECK(c.read_exact(2049)[0] == 'h');
    CHECK(c.read_exact(2) == "o\n");
    CHECK(c.read_exact(19) == "c[3000,\"Go away!\"]\n");
    CHECK(c.closed_within());
}

TEST_CASE("http/1.1: keep-alive with a length, and a second request on the connection", "[conformance][http]") {
    test_server s;
    raw_http c(s.port);
    c.request("GET", "/echo", {{"Connection", "Keep-Alive"}});
    auto r = c.read_head();
    CHECK(r.version == "1.1");
    auto conn = r.header("Connection").value_or("");
    CHECK((conn.empty() || conn == "keep-alive" || conn == "Keep-Alive"));
    if (r.has("Content-Length")) {
        CHECK(r.header("Content-Length") == "19");
        CHECK(c.read_exact(19) == "Welcome to SockJS!\n");
        CHECK_FALSE(r.has("Transfer-Encoding"));
    } else {
        CHECK(r.header("Transfer-Encoding") == "chunked");
        CHECK(c.read_chunk() == "Welcome to SockJS!\n");
        CHECK(c.read_chunk().empty());
    }
    c.request("GET", "/echo", {{"Connection", "Keep-Alive"}});
    CHECK(c.read_head().status == 200);
}

TEST_CASE("http/1.1: streaming is chunked, one frame per chunk, then the last chunk", "[conformance][http]") {
    test_server s;
    raw_http c(s.port);
    c.request("POST", session_url("/close") + "/xhr_streaming", {{"Connection", "Keep-Alive"}});
    auto r = c.read_head();
    CHECK(r.status == 200);
    CHECK(r.header("Transfer-Encoding") == "chunked");
    CHECK_FALSE(r.has("Content-Length"));
    CHECK(c.read_chunk()[0] == 'h');
    CHECK(c.read_chunk() == "o\n");
    CHECK(c.read_chunk() == "c[3000,\"Go away!\"]\n");
    CHECK(c.read_chunk().empty());
}

TEST_CASE("http quirks: a POST without Content-Length opens a session", "[conformance][http]") {
    test_server s;
    auto r = http(s.port, "POST", session_url() + "/xhr", {}, {}, false);
    CHECK(r.body == "o\n");
    CHECK(r.status == 200);
}
