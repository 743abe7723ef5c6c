// Request smuggling, end to end: an attacker's request whose framing a front proxy would read
// one way hides a second request (an xhr_send into another client's session) in its body. The
// server must answer 400 (or 501) and close, so the hidden request is never executed.

#include "server_checks.hpp"

#include <cstdio>

using namespace sjt;

namespace {

std::string hidden_send(const std::string& victim) {
    const std::string body = "[\"evil\"]";
    return "POST /echo/000/" + victim + "/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string hex(std::size_t n) {
    char b[32];
    std::snprintf(b, sizeof b, "%zx", n);
    return b;
}

struct variant {
    const char* name;
    // The attacker's bytes, carrying `hidden` as the body a lenient server would misframe.
    std::string (*make)(const std::string& attacker_url, const std::string& hidden);
    int status;
};

const variant variants[] = {
    {"space before the colon of Content-Length",
     [](const std::string& u, const std::string& h) {
         return "POST " + u + " HTTP/1.1\r\nHost: x\r\nContent-Length : " + std::to_string(h.size()) + "\r\n\r\n" + h;
     },
     400},
    {"Content-Length without a colon",
     [](const std::string& u, const std::string& h) {
         return "POST " + u + " HTTP/1.1\r\nHost: x\r\nContent-Length " + std::to_string(h.size()) + "\r\n\r\n" + h;
     },
     400},
    {"Content-Length folded onto the previous line",
     [](const std::string& u, const std::string& h) {
         return "POST " + u + " HTTP/1.1\r\nHost: x\r\nX-Pad: y\r\n Content-Length: " + std::to_string(h.size()) +
                "\r\n\r\n" + h;
     },
     400},
    {"bare CR ending the request line",
     [](const std::string& u, const std::string& h) {
         return "POST " + u + " HTTP/1.1\rContent-Length: " + std::to_string(h.size()) + "\r\nHost: x\r\n\r\n" + h;
     },
     400},
    {"chunk size 0x..",
     [](const std::string& u, const std::string& h) {
         return "POST " + u + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x" + hex(h.size() + 2) +
                "\r\n\r\n" + h + "\r\n0\r\n\r\n";
     },
     400},
    {"RFC 2047 encoded chunked",
     [](const std::string& u, const std::string& h) {
         return "POST " + u + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: =?UTF-8?B?Y2h1bmtlZA==?=\r\n\r\n0\r\n\r\n" + h;
     },
     400},
    {"Transfer-Encoding chunked twice",
     [](const std::string& u, const std::string& h) {
         return "POST " + u + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n" + hex(h.size()) +
                "\r\n" + h + "\r\n0\r\n\r\n";
     },
     400},
    {"Transfer-Encoding on HTTP/1.0",
     [](const std::string& u, const std::string& h) {
         return "POST " + u + " HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n0\r\n\r\n" + h;
     },
     400},
};

}  // namespace

TEST_CASE("smuggling: a misframed request never reaches another session") {
    test_server s;
    for (const auto& v : variants) {
        DYNAMIC_SECTION(v.name) {
            const std::string victim = new_id();
            const std::string attacker = new_id();
            REQUIRE(http(s.port, "POST", "/echo/000/" + victim + "/xhr").body == "o\n");
            REQUIRE(http(s.port, "POST", "/echo/000/" + attacker + "/xhr").body == "o\n");

            raw_http conn(s.port);
            conn.send(v.make("/echo/000/" + attacker + "/xhr_send", hidden_send(victim)));
            const response first = conn.read_head();
            CHECK(first.status == v.status);
            CHECK(conn.closed_within());

            // The victim's own message is the only one it gets.
            REQUIRE(http(s.port, "POST", "/echo/000/" + victim + "/xhr_send", {{"Content-Type", "text/plain"}},
                         "[\"ok\"]")
                        .status == 204);
            CHECK(http(s.port, "POST", "/echo/000/" + victim + "/xhr").body == "a[\"ok\"]\n");
        }
    }
}
