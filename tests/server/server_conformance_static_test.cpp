// Conformance, part 1: the fixed endpoints under a service prefix (greeting, iframe page,
// /info), one test per behaviour the official suite checks, written from the protocol.

#include "server_checks.hpp"

#include "../support/iframe_page_template.hpp"

#include <regex>

using namespace sjt;

TEST_CASE("greeting: GET prefix and prefix/ say welcome as text/plain", "[conformance][greeting]") {
    test_server s;
    for (std::string url : {"/echo", "/echo/"}) {
        INFO(url);
        auto r = http(s.port, "GET", url);
        CHECK(r.status == 200);
        check_content_type(r, "text/plain;charset=UTF-8");
        CHECK(r.body == "Welcome to SockJS!\n");
        check_no_cookie(r);
    }
}

TEST_CASE("greeting: other paths under the prefix are 404", "[conformance][greeting]") {
    test_server s;
    for (std::string suffix : {"/a", "/a.html", "//", "///", "/a/a", "/a/a/", "/a/"}) {
        INFO(suffix);
        CHECK(http(s.port, "GET", "/echo" + suffix).status == 404);
    }
}

namespace {

// The page the protocol prescribes, with the client script URL as the only variable part.
const std::regex& iframe_page = sockjs::test::iframe_page_template();

std::string trimmed(const std::string& s) {
    auto b = s.find_first_not_of(" \r\n\t");
    auto e = s.find_last_not_of(" \r\n\t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

void check_iframe(std::uint16_t port, const std::string& url) {
    INFO(url);
    auto r = http(port, "GET", url);
    REQUIRE(r.status == 200);
    check_content_type(r, "text/html;charset=UTF-8");
    check_cached_for_long(r);
    CHECK(r.has("ETag"));
    CHECK_FALSE(r.has("Last-Modified"));
    std::smatch m;
    auto body = trimmed(r.body);
    REQUIRE(std::regex_match(body, m, iframe_page));
    auto src = m[1].str();
    CHECK((src.rfind("/", 0) == 0 || src.rfind("http", 0) == 0));
    check_no_cookie(r);
}

}  // namespace

TEST_CASE("iframe: /iframe.html is the bootstrap page, cacheable", "[conformance][iframe]") {
    test_server s;
    check_iframe(s.port, "/echo/iframe.html");
}

TEST_CASE("iframe: versioned names serve the same page", "[conformance][iframe]") {
    test_server s;
    for (std::string suffix : {"/iframe-a.html", "/iframe-.html", "/iframe-0.1.2.html", "/iframe-0.1.2abc-dirty.2144.html"})
        check_iframe(s.port, "/echo" + suffix);
}

TEST_CASE("iframe: a query string is ignored", "[conformance][iframe]") {
    test_server s;
    for (std::string suffix : {"/iframe-a.html?t=1234", "/iframe-0.1.2.html?t=123414",
                               "/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123"})
        check_iframe(s.port, "/echo" + suffix);
}

TEST_CASE("iframe: malformed names are 404", "[conformance][iframe]") {
    test_server s;
    for (std::string suffix : {"/iframe.htm", "/iframe", "/IFRAME.HTML", "/IFRAME", "/iframe.HTML", "/iframe.xml",
                               "/iframe-/.html"}) {
        INFO(suffix);
        CHECK(http(s.port, "GET", "/echo" + suffix).status == 404);
    }
}

TEST_CASE("iframe: stable ETag, If-None-Match gives a bare 304", "[conformance][iframe]") {
    test_server s;
    auto r1 = http(s.port, "GET", "/echo/iframe.html");
    auto r2 = http(s.port, "GET", "/echo/iframe.html");
    REQUIRE(r1.has("ETag"));
    CHECK(r1.header("ETag") == r2.header("ETag"));
    auto r = http(s.port, "GET", "/echo/iframe.html", {{"If-None-Match", *r1.header("ETag")}});
    CHECK(r.status == 304);
    CHECK_FALSE(r.has("Content-Type"));
    CHECK(r.body.empty());
}

TEST_CASE("info: JSON with websocket, cookie_needed, origins and entropy, not cached, CORS", "[conformance][info]") {
    test_server s;
    auto r = http(s.port, "GET", "/echo/info", {{"Origin", "test"}});
    CHECK(r.status == 200);
    check_content_type(r, "application/json;charset=UTF-8");
    check_no_cookie(r);
    check_not_cached(r);
    check_cors(r, std::string("test"));
    CHECK(std::regex_match(r.body, std::regex(R"(^\{.*"websocket": *true.*\}$)")));
    CHECK(std::regex_match(r.body, std::regex(R"(^\{.*"cookie_needed": *(true|false).*\}$)")));
    CHECK(std::regex_match(r.body, std::regex(R"(^\{.*"origins": *\["\*:\*"\].*\}$)")));
    CHECK(std::regex_match(r.body, std::regex(R"(^\{.*"entropy": *[0-9]+.*\}$)")));
}

TEST_CASE("info: entropy differs between calls and fits 32 bits", "[conformance][info]") {
    test_server s;
    auto entropy = [&] {
        auto body = http(s.port, "GET", "/echo/info").body;
        std::smatch m;
        REQUIRE(std::regex_search(body, m, std::regex(R"("entropy": *([0-9]+))")));
        auto v = std::stoull(m[1].str());
        CHECK(v <= 0xffffffffull);
        return v;
    };
    auto a = entropy();
    auto b = entropy();
    auto c = entropy();
    // Three equal 32-bit random numbers in a row would be a broken generator.
    CHECK_FALSE((a == b && b == c));
}

TEST_CASE("info: OPTIONS preflight", "[conformance][info]") {
    test_server s;
    check_options(s.port, "/echo/info", "OPTIONS, GET");
}

TEST_CASE("info: OPTIONS with Origin null echoes null", "[conformance][info]") {
    test_server s;
    auto r = http(s.port, "OPTIONS", "/echo/info", {{"Origin", "null"}, {"Access-Control-Request-Method", "POST"}});
    CHECK((r.status == 204 || r.status == 200));
    CHECK(r.body.empty());
    CHECK(r.header("Access-Control-Allow-Origin") == "null");
}

TEST_CASE("info: a service with websocket off says so", "[conformance][info]") {
    test_server s;
    auto r = http(s.port, "GET", "/disabled_websocket_echo/info");
    CHECK(r.status == 200);
    CHECK(std::regex_search(r.body, std::regex(R"("websocket": *false)")));
}

TEST_CASE("info: jsessionid service says cookie_needed, sets no cookie on /info", "[conformance][info][cookie]") {
    test_server s;
    auto r = http(s.port, "GET", "/cookie_needed_echo/info");
    CHECK(r.status == 200);
    check_no_cookie(r);
    CHECK(std::regex_search(r.body, std::regex(R"("cookie_needed": *true)")));
}
