// Security review (docs/security.md): each finding's guard, tested end to end. Cross-site
// WebSocket hijacking (origins), session ids chosen by the client (bind_session_to_address),
// the metrics endpoint (metrics_token), JSONP callbacks and htmlfile injection, and CR/LF in
// every string that could end in a response header.

#include "server_checks.hpp"

#include <sockjs/frame.hpp>
#include <sockjs/wrap.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

using namespace sjt;

namespace {

std::string session_url(const std::string& service = "/echo") { return service + "/000/" + new_id(); }

/// One HTTP/1.0 request from source address `from` (any 127.x.y.z is this host), read to EOF.
/// Returns the raw response ("" if the connection failed).
std::string http_from(const char* from, std::uint16_t port, std::string_view method, std::string_view target,
                      std::string_view body = {}) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return {};
    sockaddr_in src{}, dst{};
    src.sin_family = dst.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &src.sin_addr);
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    dst.sin_port = htons(port);
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0 &&
        ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0) {
        std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.0\r\nHost: x\r\n" +
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[4096];
            ssize_t n;
            while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

int status_of(const std::string& raw) { return raw.size() >= 12 ? std::stoi(raw.substr(9, 3)) : 0; }

/// The head of a raw response (up to the blank line).
std::string head_of(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n") + 2); }

sockjs::handlers echo_handlers() {
    return sockjs::handlers{.on_message = [](sockjs::connection& c, std::string_view m) { c.send(m); }};
}

}  // namespace

// ---- cross-site WebSocket hijacking --------------------------------------------------------

TEST_CASE("security: with origins set, a foreign Origin is refused on every endpoint", "[security][origins]") {
    test_server s([](sockjs::server& srv) {
        add_suite_services(srv);
        sockjs::service_options o;
        o.origins = {"https://app.example"};
        srv.route("/guarded", echo_handlers(), o);
    });
    const headers evil{{"Origin", "https://evil.example"}};
    const headers good{{"Origin", "https://app.example"}};
    SECTION("WebSocket handshakes: 403 for the foreign page, 101 for ours") {
        CHECK(ws_handshake_response(s.port, session_url("/guarded") + "/websocket", evil).status == 403);
        CHECK(ws_handshake_response(s.port, "/guarded/websocket", evil).status == 403);
        ws_client ws(s.port, session_url("/guarded") + "/websocket", good);
        CHECK(ws.recv().data == "o");
        ws.send_text(R"(["ours"])");
        CHECK(ws.recv().data == R"(a["ours"])");
    }
    SECTION("HTTP transports and /info: 403 for the foreign page") {
        auto url = session_url("/guarded");
        CHECK(http(s.port, "POST", url + "/xhr", evil).status == 403);
        CHECK(http(s.port, "POST", url + "/xhr_streaming", evil).status == 403);
        CHECK(http(s.port, "GET", url + "/eventsource", evil).status == 403);
        CHECK(http(s.port, "GET", url + "/htmlfile?c=cb", evil).status == 403);
        CHECK(http(s.port, "GET", url + "/jsonp?c=cb", evil).status == 403);
        CHECK(http(s.port, "GET", "/guarded/info", evil).status == 403);
        CHECK(http(s.port, "POST", url + "/xhr", good).body == "o\n");
        CHECK(http(s.port, "POST", url + "/xhr_send", evil, R"(["injected"])").status == 403);
    }
    SECTION("the default (no list) lets any page in: what an app that trusts cookies must change") {
        CHECK(ws_handshake_response(s.port, session_url("/echo") + "/websocket", evil).status == 101);
    }
}

// ---- session ids chosen by the client -------------------------------------------------------

TEST_CASE("security: a session bound to its opener's address is not readable or writable from another",
          "[security][binding]") {
    test_server s([](sockjs::server& srv) {
        add_suite_services(srv);
        sockjs::service_options bound;
        bound.bind_session_to_address = true;
        srv.route("/bound", echo_handlers(), bound);
    });
    auto body_of = [](const std::string& raw) { return raw.substr(raw.find("\r\n\r\n") + 4); };
    SECTION("bound: another address gets 404 for send and receive; the owner is unaffected") {
        auto url = session_url("/bound");
        CHECK(body_of(http_from("127.0.0.1", s.port, "POST", url + "/xhr")) == "o\n");
        CHECK(status_of(http_from("127.0.0.2", s.port, "POST", url + "/xhr_send", R"(["injected"])")) == 404);
        CHECK(status_of(http_from("127.0.0.2", s.port, "POST", url + "/xhr")) == 404);
        CHECK(status_of(http_from("127.0.0.2", s.port, "GET", url + "/eventsource")) == 404);
        CHECK(status_of(http_from("127.0.0.1", s.port, "POST", url + "/xhr_send", R"(["mine"])")) == 204);
        CHECK(body_of(http_from("127.0.0.1", s.port, "POST", url + "/xhr")) == "a[\"mine\"]\n");
    }
    SECTION("unbound (the default): anyone who knows the id can inject") {
        auto url = session_url("/echo");
        CHECK(body_of(http_from("127.0.0.1", s.port, "POST", url + "/xhr")) == "o\n");
        CHECK(status_of(http_from("127.0.0.2", s.port, "POST", url + "/xhr_send", R"(["injected"])")) == 204);
        CHECK(body_of(http_from("127.0.0.1", s.port, "POST", url + "/xhr")) == "a[\"injected\"]\n");
    }
}

// ---- /metrics -----------------------------------------------------------------------------------

TEST_CASE("security: metrics_token keeps the counters from anyone without the token", "[security][metrics]") {
    auto opts = test_options();
    opts.metrics_path = "/metrics";
    SECTION("with a token") {
        opts.metrics_token = "s3cret-token";
        test_server s(add_suite_services, opts);
        for (const headers& h : {headers{}, headers{{"Authorization", "Bearer wrong-token!"}},
                                 headers{{"Authorization", "Bearer s3cret-toke"}},
                                 headers{{"Authorization", "Bearer s3cret-token2"}},
                                 headers{{"Authorization", "Basic s3cret-token"}},
                                 headers{{"Authorization", "s3cret-token"}}}) {
            INFO((h.empty() ? std::string("no Authorization") : h[0].second));
            auto r = http(s.port, "GET", "/metrics", h);
            CHECK(r.status == 401);
            CHECK(r.header("WWW-Authenticate") == "Bearer realm=\"metrics\"");
            CHECK(r.body.find("sockjs_") == std::string::npos);
        }
        auto r = http(s.port, "GET", "/metrics", {{"Authorization", "Bearer s3cret-token"}});
        CHECK(r.status == 200);
        CHECK(r.body.find("sockjs_sessions_opened_total") != std::string::npos);
        CHECK(http(s.port, "GET", "/metrics", {{"Authorization", "bearer s3cret-token"}}).status == 200);
    }
    SECTION("without one (the default): public to whoever reaches the port") {
        test_server s(add_suite_services, opts);
        CHECK(http(s.port, "GET", "/metrics").status == 200);
    }
}

// ---- JSONP callbacks and htmlfile -------------------------------------------------------------

TEST_CASE("security: hostile JSONP/htmlfile callbacks are refused and never reflected", "[security][callback]") {
    test_server s;
    const std::string long_name(10000, 'a');
    for (std::string cb : {std::string("alert(1)//"), std::string("alert%281%29%2F%2F"),
                           std::string("%3C%2Fscript%3E"), std::string("x%3C%2Fscript%3E%3Cscript%3Ealert(1)"),
                           std::string("a%0D%0ASet-Cookie:%20x=1"), std::string(33, 'a'), long_name,
                           std::string("%E2%80%A8"), std::string("a;alert(1)"), std::string("a%20b")}) {
        INFO(cb.substr(0, 40));
        for (std::string t : {"jsonp", "htmlfile"}) {
            auto r = http(s.port, "GET", session_url() + "/" + t + "?c=" + cb);
            CHECK(r.status == 500);
            CHECK(r.body.find("alert") == std::string::npos);
            CHECK(r.body.find("script") == std::string::npos);
            CHECK(r.body.size() < 100);
            CHECK_FALSE(r.has("Set-Cookie"));
        }
    }
    // The longest name allowed (32) still works.
    auto r = http(s.port, "GET", session_url() + "/jsonp?c=" + std::string(32, 'c'));
    CHECK(r.status == 200);
    CHECK(r.body == "/**/" + std::string(32, 'c') + "(\"o\");\r\n");
    CHECK(r.header("X-Content-Type-Options") == "nosniff");
}

TEST_CASE("security: a message cannot end the htmlfile script or the jsonp call", "[security][callback]") {
    test_server s;
    const std::string evil = "</script><script>alert(1)</script><!-- \");alert(2);// \u2028";
    auto url = session_url();
    raw_http rx(s.port);
    rx.request("GET", url + "/htmlfile?c=cb");
    auto head = rx.read_head();
    REQUIRE(head.status == 200);
    CHECK(head.header("X-Content-Type-Options") == "nosniff");
    std::string page;
    while (page.find("p(\"o\");") == std::string::npos) page += rx.read_chunk();
    std::string body = "[\"" ;
    for (char c : evil) {
        if (c == '"' || c == '\\') body += '\\';
        body += c;
    }
    body += "\"]";
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, body).status == 204);
    std::string frames;
    while (frames.find("\n</script>\r\n") == std::string::npos) frames += rx.read_chunk();
    // Exactly one script element, whose body holds no '<' at all.
    CHECK(frames.rfind("<script>\np(", 0) == 0);
    auto inner = frames.substr(9, frames.find("\n</script>\r\n") - 9);
    CHECK(inner.find('<') == std::string::npos);
    CHECK(inner.find('\n') == std::string::npos);
    // And the same message through jsonp stays one string argument.
    auto jurl = session_url();
    CHECK(http(s.port, "GET", jurl + "/jsonp?c=cb").body == "/**/cb(\"o\");\r\n");
    CHECK(http(s.port, "POST", jurl + "/xhr_send", {}, body).status == 204);
    auto j = http(s.port, "GET", jurl + "/jsonp?c=cb").body;
    // One call whose single argument is a JSON string holding the whole frame.
    CHECK(j.rfind("/**/cb(\"", 0) == 0);
    CHECK(j.size() >= 5);
    CHECK(j.substr(j.size() - 5) == "\");\r\n");
    sockjs::stream_unwrapper unwrap(sockjs::transport::jsonp);
    unwrap.feed(j);
    std::string frame;
    REQUIRE(unwrap.next(frame));
    auto f = sockjs::parse_frame(frame);
    REQUIRE(f);
    REQUIRE(f->messages.size() == 1);
    CHECK(f->messages[0] == evil);
    CHECK_FALSE(unwrap.next(frame));
}

// ---- CR/LF in strings that could reach a header ------------------------------------------------

namespace {

/// True if a line of `head` is a header the attack tried to add.
bool has_injected_header(const std::string& head) {
    return head.find("\r\nSet-Cookie: injected") != std::string::npos ||
           head.find("\r\nX-Injected") != std::string::npos;
}

}  // namespace

TEST_CASE("security: CR/LF in close reasons and shutdown reasons never reach a header or split a log line",
          "[security][injection]") {
    const std::string reason = "bye\r\nSet-Cookie: injected=1\r\nX-Injected: 1\r\n\r\n<script>";
    std::mutex log_mutex;
    std::vector<std::string> log_lines;
    auto opts = test_options();
    opts.log = [&](std::string_view line) {
        std::lock_guard l(log_mutex);
        log_lines.emplace_back(line);
    };
    opts.shutdown_reason = reason;
    auto s = std::make_unique<test_server>(
        [&](sockjs::server& srv) {
            add_suite_services(srv);
            srv.route("/evil_close",
                      sockjs::handlers{.on_open = [reason](sockjs::connection& c) { c.close(3001, reason); }});
        },
        opts);
    auto port = s->port;
    for (std::string t : {"xhr", "xhr_streaming", "eventsource", "htmlfile?c=cb", "jsonp?c=cb"}) {
        INFO(t);
        std::string method = (t == "xhr" || t == "xhr_streaming") ? "POST" : "GET";
        auto url = session_url("/evil_close") + "/" + t;
        auto raw = http_from("127.0.0.1", port, method, url);
        REQUIRE(status_of(raw) == 200);
        CHECK_FALSE(has_injected_header(head_of(raw)));
        if (t == "xhr" || t.rfind("jsonp", 0) == 0) raw = http_from("127.0.0.1", port, method, url);  // "o" came alone
        CHECK_FALSE(has_injected_header(head_of(raw)));
        auto body = raw.substr(raw.find("\r\n\r\n") + 4);
        CHECK(body.find("3001") != std::string::npos);      // the close frame is there...
        CHECK(body.find("injected") != std::string::npos);  // ...with its reason...
        CHECK(body.find("\r\nSet-Cookie") == std::string::npos);  // ...escaped
    }
    {
        ws_client ws(port, session_url("/evil_close") + "/websocket");
        CHECK(ws.recv().data == "o");
        auto c = ws.recv();
        CHECK(c.data.find("\\r\\nSet-Cookie: injected") != std::string::npos);  // JSON-escaped
    }
    {
        ws_client ws(port, "/evil_close/websocket");
        auto c = ws.recv();
        REQUIRE(c.kind == ws_message::close);
        CHECK(c.code == 3001);  // a raw close frame carries the reason as bytes: no header at all
    }
    // The shutdown reason reaches a streaming client escaped too.
    raw_http rx(port);
    rx.request("POST", session_url() + "/xhr_streaming");
    auto head = rx.read_head();
    REQUIRE(head.status == 200);
    std::string got;
    while (got.find("o\n") == std::string::npos) got += rx.read_chunk();
    std::thread stopper([&] { s->srv.stop(); });
    try {
        while (got.find("c[") == std::string::npos) got += rx.read_chunk();
    } catch (const std::exception&) {
    }
    stopper.join();
    CHECK(got.find("c[1001,\"bye\\r\\nSet-Cookie: injected=1") != std::string::npos);
    // Every close was logged on one line, its reason quoted without CR/LF.
    std::lock_guard l(log_mutex);
    std::size_t closes = 0;
    for (const auto& line : log_lines) {
        CHECK(line.find_first_of("\r\n") == std::string::npos);
        if (line.find("event=close") != std::string::npos && line.find("Set-Cookie") != std::string::npos) ++closes;
    }
    CHECK(closes >= 7);
}

TEST_CASE("security: CR/LF smuggled into echoed request headers never splits a response header",
          "[security][injection]") {
    test_server s;
    // RFC 2047 encoded words (which a lenient reader decodes) carrying CR LF + a header.
    const std::string encoded = "=?UTF-8?B?aHR0cDovL2EuZXhhbXBsZQ0KU2V0LUNvb2tpZTogaW5qZWN0ZWQ9MQ==?=";
    for (std::string name : {"Origin", "Access-Control-Request-Headers", "Cookie"}) {
        INFO(name);
        std::string value = name == "Cookie" ? "JSESSIONID=" + encoded : encoded;
        for (std::string target : {std::string("/echo/info"), std::string("/cookie_needed_echo/info"), "/echo/000/" + new_id() + "/xhr"}) {
            std::string method = target.find("/xhr") != std::string::npos ? "POST" : "OPTIONS";
            auto r = http(s.port, method, target, {{name, value}});
            for (const auto& [n, v] : r.hdrs) {
                CHECK(n != "X-Injected");
                CHECK(v.find_first_of("\r\n") == std::string::npos);
                CHECK_FALSE((n == "Set-Cookie" && v.find("injected") != std::string::npos));
            }
        }
    }
}
