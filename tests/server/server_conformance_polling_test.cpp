// Conformance, part 2: session URLs and the polling transports (xhr, xhr_send, jsonp,
// jsonp_send), JSESSIONID and the JSON escaping rules, end to end through the server.

#include "server_checks.hpp"

#include <thread>

using namespace sjt;

namespace {

std::string session_url(const std::string& service = "/echo") { return service + "/000/" + new_id(); }

const headers form{{"Content-Type", "application/x-www-form-urlencoded"}};

}  // namespace

// ---- session URLs -----------------------------------------------------------------------------

TEST_CASE("session urls: any server and session segment works", "[conformance][session]") {
    test_server s;
    auto r = new_id().substr(0, 6);
    for (std::string part : {"/a/a" + r, "/_/_" + r, "/1/" + r, "/abcdefgh_i-j%20/abcdefg_i-j%20" + r}) {
        INFO(part);
        auto res = http(s.port, "POST", "/echo" + part + "/xhr");
        CHECK(res.status == 200);
        CHECK(res.body == "o\n");
    }
}

TEST_CASE("session urls: empty segments, dots, and wrong depth are 404", "[conformance][session]") {
    test_server s;
    for (std::string part : {"//", "/a./a", "/a/a.", "/./.", "/", "///"}) {
        INFO(part);
        CHECK(http(s.port, "GET", "/echo" + part + "/xhr").status == 404);
        CHECK(http(s.port, "POST", "/echo" + part + "/xhr").status == 404);
    }
}

TEST_CASE("session urls: the server segment is ignored", "[conformance][session]") {
    test_server s;
    auto id = new_id();
    CHECK(http(s.port, "POST", "/echo/000/" + id + "/xhr").body == "o\n");
    auto r = http(s.port, "POST", "/echo/000/" + id + "/xhr_send", {}, R"(["a"])");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    r = http(s.port, "POST", "/echo/999/" + id + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "a[\"a\"]\n");
}

// ---- protocol -----------------------------------------------------------------------------

TEST_CASE("protocol: open, send, receive, 404 for unknown sessions, 2010 for a second receiver",
          "[conformance][protocol]") {
    test_server s;
    auto url = session_url();
    auto r = http(s.port, "POST", url + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "o\n");
    r = http(s.port, "POST", url + "/xhr_send", {}, R"(["a"])");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    r = http(s.port, "POST", url + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "a[\"a\"]\n");
    CHECK(http(s.port, "POST", "/echo/000/bad_session/xhr_send", {}, R"(["a"])").status == 404);

    raw_http first(s.port);  // a long poll left waiting
    first.request("POST", url + "/xhr");
    std::this_thread::sleep_for(200ms);  // let it attach first, as a client would have
    r = http(s.port, "POST", url + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "c[2010,\"Another connection still open\"]\n");
    first.close();
}

TEST_CASE("protocol: a closed session replays its close frame", "[conformance][protocol]") {
    test_server s;
    auto url = session_url("/close");
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    for (int i = 0; i < 2; ++i) {
        auto r = http(s.port, "POST", url + "/xhr");
        CHECK(r.status == 200);
        CHECK(r.body == "c[3000,\"Go away!\"]\n");
    }
}

// ---- xhr polling --------------------------------------------------------------------------

TEST_CASE("xhr: OPTIONS preflight on xhr and xhr_send", "[conformance][xhr]") {
    test_server s;
    check_options(s.port, "/echo/abc/abc/xhr", "OPTIONS, POST");
    check_options(s.port, "/echo/abc/abc/xhr_send", "OPTIONS, POST");
}

TEST_CASE("xhr: content types, CORS, no caching", "[conformance][xhr]") {
    test_server s;
    auto url = session_url();
    auto r = http(s.port, "POST", url + "/xhr", {{"Origin", "test"}});
    CHECK(r.status == 200);
    CHECK(r.body == "o\n");
    check_content_type(r, "application/javascript;charset=UTF-8");
    check_cors(r, std::string("test"));
    check_not_cached(r);

    r = http(s.port, "POST", url + "/xhr_send", {{"Origin", "test"}}, R"(["x"])");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    check_content_type(r, "text/plain;charset=UTF-8");
    check_cors(r, std::string("test"));
    check_not_cached(r);

    r = http(s.port, "POST", url + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "a[\"x\"]\n");
}

TEST_CASE("xhr: xhr_send to an unknown session is 404", "[conformance][xhr]") {
    test_server s;
    CHECK(http(s.port, "POST", session_url() + "/xhr_send", {}, R"(["x"])").status == 404);
}

TEST_CASE("xhr: broken JSON and empty bodies are 500 with the protocol's text", "[conformance][xhr]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    auto r = http(s.port, "POST", url + "/xhr_send", {}, R"(["x)");
    CHECK(r.status == 500);
    CHECK(r.body.find("Broken JSON encoding.") != std::string::npos);
    r = http(s.port, "POST", url + "/xhr_send", {}, "");
    CHECK(r.status == 500);
    CHECK(r.body.find("Payload expected.") != std::string::npos);
    r = http(s.port, "POST", url + "/xhr_send", {}, R"(["a"])");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    r = http(s.port, "POST", url + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "a[\"a\"]\n");
}

TEST_CASE("xhr: any request Content-Type is accepted", "[conformance][xhr]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    const std::vector<std::string> types{"text/plain", "T", "application/json", "application/xml", "",
                                         "application/json; charset=utf-8", "text/xml; charset=utf-8", "text/xml"};
    for (const auto& ct : types) {
        INFO(ct);
        auto r = http(s.port, "POST", url + "/xhr_send", {{"Content-Type", ct}}, R"(["a"])");
        CHECK(r.status == 204);
        CHECK(r.body.empty());
    }
    std::string expected = "a[";
    for (std::size_t i = 0; i < types.size(); ++i) expected += i ? ",\"a\"" : "\"a\"";
    expected += "]\n";
    auto r = http(s.port, "POST", url + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == expected);
}

TEST_CASE("xhr: Access-Control-Request-Headers is echoed when non-empty", "[conformance][xhr]") {
    test_server s;
    auto r = http(s.port, "OPTIONS", session_url() + "/xhr",
                  {{"Origin", "test"}, {"Access-Control-Request-Method", "POST"}, {"Access-Control-Request-Headers", "a, b, c"}});
    CHECK((r.status == 204 || r.status == 200));
    check_cors(r, std::string("test"));
    CHECK(r.header("Access-Control-Allow-Headers") == "a, b, c");

    r = http(s.port, "OPTIONS", session_url() + "/xhr",
             {{"Origin", "test"}, {"Access-Control-Request-Method", "POST"}, {"Access-Control-Request-Headers", ""}});
    CHECK((r.status == 204 || r.status == 200));
    check_cors(r, std::string("test"));
    CHECK_FALSE(r.has("Access-Control-Allow-Headers"));

    r = http(s.port, "OPTIONS", session_url() + "/xhr", {{"Origin", "test"}, {"Access-Control-Request-Method", "POST"}});
    CHECK((r.status == 204 || r.status == 200));
    check_cors(r, std::string("test"));
    CHECK_FALSE(r.has("Access-Control-Allow-Headers"));
}

TEST_CASE("xhr: an empty array is a valid send", "[conformance][xhr]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, "[]").status == 204);
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, R"(["a"])").status == 204);
    auto r = http(s.port, "POST", url + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "a[\"a\"]\n");
}

// ---- jsonp --------------------------------------------------------------------------------

TEST_CASE("jsonp: transport, form-encoded jsonp_send answered 200 ok", "[conformance][jsonp]") {
    test_server s;
    auto url = session_url();
    auto r = http(s.port, "GET", url + "/jsonp?c=%63allback");
    CHECK(r.status == 200);
    check_content_type(r, "application/javascript;charset=UTF-8");
    check_not_cached(r);
    CHECK(r.body == "/**/callback(\"o\");\r\n");

    r = http(s.port, "POST", url + "/jsonp_send", form, "d=%5B%22x%22%5D");
    CHECK(r.body == "ok");
    CHECK(r.status == 200);
    check_content_type(r, "text/plain;charset=UTF-8");
    check_not_cached(r);

    r = http(s.port, "GET", url + "/jsonp?c=%63allback");
    CHECK(r.status == 200);
    CHECK(r.body == "/**/callback(\"a[\\\"x\\\"]\");\r\n");
}

TEST_CASE("jsonp: missing callback is 500", "[conformance][jsonp]") {
    test_server s;
    auto r = http(s.port, "GET", "/echo/a/a/jsonp");
    CHECK(r.status == 500);
    CHECK(r.body.find("\"callback\" parameter required") != std::string::npos);
}

TEST_CASE("jsonp: invalid callback is 500", "[conformance][jsonp]") {
    test_server s;
    for (std::string cb : {"%20", "*", "abc(", "abc%28"}) {
        INFO(cb);
        auto r = http(s.port, "GET", "/echo/a/a/jsonp?c=" + cb);
        CHECK(r.status == 500);
        CHECK(r.body.find("invalid \"callback\" parameter") != std::string::npos);
    }
}

TEST_CASE("jsonp: broken and empty payloads", "[conformance][jsonp]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "GET", url + "/jsonp?c=x").body == "/**/x(\"o\");\r\n");
    auto r = http(s.port, "POST", url + "/jsonp_send", form, "d=%5B%22x");
    CHECK(r.status == 500);
    CHECK(r.body.find("Broken JSON encoding.") != std::string::npos);
    for (std::string data : {"", "d=", "p=p"}) {
        INFO(data);
        r = http(s.port, "POST", url + "/jsonp_send", form, data);
        CHECK(r.status == 500);
        CHECK(r.body.find("Payload expected.") != std::string::npos);
    }
    CHECK(http(s.port, "POST", url + "/jsonp_send", form, "d=%5B%22b%22%5D").body == "ok");
    r = http(s.port, "GET", url + "/jsonp?c=x");
    CHECK(r.status == 200);
    CHECK(r.body == "/**/x(\"a[\\\"b\\\"]\");\r\n");
}

TEST_CASE("jsonp: form-encoded and raw bodies both work", "[conformance][jsonp]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "GET", url + "/jsonp?c=x").body == "/**/x(\"o\");\r\n");
    CHECK(http(s.port, "POST", url + "/jsonp_send", form, "d=%5B%22abc%22%5D").body == "ok");
    CHECK(http(s.port, "POST", url + "/jsonp_send", {{"Content-Type", "text/plain"}}, R"(["%61bc"])").body == "ok");
    auto r = http(s.port, "GET", url + "/jsonp?c=x");
    CHECK(r.status == 200);
    CHECK(r.body == "/**/x(\"a[\\\"abc\\\",\\\"%61bc\\\"]\");\r\n");
}

TEST_CASE("jsonp: close frame replay", "[conformance][jsonp]") {
    test_server s;
    auto url = session_url("/close");
    CHECK(http(s.port, "GET", url + "/jsonp?c=x").body == "/**/x(\"o\");\r\n");
    CHECK(http(s.port, "GET", url + "/jsonp?c=x").body == "/**/x(\"c[3000,\\\"Go away!\\\"]\");\r\n");
    CHECK(http(s.port, "GET", url + "/jsonp?c=x").body == "/**/x(\"c[3000,\\\"Go away!\\\"]\");\r\n");
}

TEST_CASE("jsonp: an empty array is a valid send", "[conformance][jsonp]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "GET", url + "/jsonp?c=x").body == "/**/x(\"o\");\r\n");
    CHECK(http(s.port, "POST", url + "/jsonp_send", form, "d=%5B%5D").body == "ok");
    CHECK(http(s.port, "POST", url + "/jsonp_send", form, "d=%5B%22x%22%5D").body == "ok");
    auto r = http(s.port, "GET", url + "/jsonp?c=x");
    CHECK(r.status == 200);
    CHECK(r.body == "/**/x(\"a[\\\"x\\\"]\");\r\n");
}

// ---- JSESSIONID ---------------------------------------------------------------------------

namespace {

void check_cookie(const response& r, const std::string& value = "dummy") {
    auto c = r.header("Set-Cookie");
    REQUIRE(c);
    auto semi = c->find(';');
    REQUIRE(semi != std::string::npos);
    CHECK(c->substr(0, semi) == "JSESSIONID=" + value);
    auto rest = c->substr(semi + 1);
    rest.erase(0, rest.find_first_not_of(' '));
    auto end = rest.find(';');
    auto attr = rest.substr(0, end);
    std::transform(attr.begin(), attr.end(), attr.begin(), [](unsigned char ch) { return std::tolower(ch); });
    CHECK(attr == "path=/");
}

}  // namespace

TEST_CASE("jsessionid: xhr sets the cookie, echoing the client's value", "[conformance][cookie]") {
    test_server s;
    auto r = http(s.port, "POST", session_url("/cookie_needed_echo") + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "o\n");
    check_cookie(r);
    r = http(s.port, "POST", session_url("/cookie_needed_echo") + "/xhr", {{"Cookie", "JSESSIONID=abcdef"}});
    CHECK(r.status == 200);
    CHECK(r.body == "o\n");
    check_cookie(r, "abcdef");
}

namespace {

void check_streaming_cookie(std::uint16_t port, std::string_view method, const std::string& transport) {
    raw_http c(port);
    c.request(method, session_url("/cookie_needed_echo") + "/" + transport);
    auto head = c.read_head();
    CHECK(head.status == 200);
    check_cookie(head);
}

}  // namespace

TEST_CASE("jsessionid: xhr_streaming sets the cookie", "[conformance][cookie]") {
    test_server s;
    check_streaming_cookie(s.port, "POST", "xhr_streaming");
}

TEST_CASE("jsessionid: eventsource sets the cookie", "[conformance][cookie]") {
    test_server s;
    check_streaming_cookie(s.port, "GET", "eventsource");
}

TEST_CASE("jsessionid: htmlfile sets the cookie", "[conformance][cookie]") {
    test_server s;
    check_streaming_cookie(s.port, "GET", "htmlfile?c=%63allback");
}

TEST_CASE("jsessionid: jsonp and jsonp_send set the cookie", "[conformance][cookie]") {
    test_server s;
    auto url = session_url("/cookie_needed_echo");
    auto r = http(s.port, "GET", url + "/jsonp?c=%63allback");
    CHECK(r.status == 200);
    check_cookie(r);
    CHECK(r.body == "/**/callback(\"o\");\r\n");
    r = http(s.port, "POST", url + "/jsonp_send", form, "d=%5B%22x%22%5D");
    CHECK(r.body == "ok");
    CHECK(r.status == 200);
    check_cookie(r);
}

// ---- JSON encoding ------------------------------------------------------------------------

namespace {

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// The code points the protocol has servers escape (above U+00FF; C0 controls are plain JSON).
bool server_escapes(char32_t c) {
    return (c >= 0x200c && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) || (c >= 0x2060 && c <= 0x206f) ||
           (c >= 0xfff0 && c <= 0xffff);
}

}  // namespace

TEST_CASE("json: the server escapes every character the protocol lists, as lowercase \\u", "[conformance][json]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    std::string raw, escaped;
    char buf[8];
    for (char32_t c = 0x100; c <= 0xffff; ++c) {
        if (!server_escapes(c)) continue;
        append_utf8(raw, c);
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        escaped += buf;
    }
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, "[\"" + raw + "\"]").status == 204);
    auto r = http(s.port, "POST", url + "/xhr");
    CHECK(r.status == 200);
    CHECK(r.body == "a[\"" + escaped + "\"]\n");
}

TEST_CASE("json: the server decodes every \\u escape a client may send, lone surrogates too", "[conformance][json]") {
    test_server s;
    auto url = session_url();
    CHECK(http(s.port, "POST", url + "/xhr").body == "o\n");
    // Every UTF-16 code unit, escaped: a superset of what clients escape. Consecutive
    // surrogates pair up (U+10000...), which the UTF-16 comparison below accounts for.
    std::string payload = "[\"";
    std::u16string expected;
    char buf[8];
    for (unsigned c = 0; c <= 0xffff; ++c) {
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        payload += buf;
        expected += static_cast<char16_t>(c);
    }
    payload += "\"]";
    CHECK(http(s.port, "POST", url + "/xhr_send", {}, payload).status == 204);
    auto r = http(s.port, "POST", url + "/xhr");
    REQUIRE(r.status == 200);
    REQUIRE(r.body.size() > 4);
    REQUIRE(r.body.substr(0, 2) == "a[");
    REQUIRE(r.body.substr(r.body.size() - 2) == "]\n");
    auto literal = r.body.substr(2, r.body.size() - 4);
    CHECK(json_string_to_utf16(literal) == expected);
}
