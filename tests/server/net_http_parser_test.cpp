#include "net/http_parser.hpp"

#include <catch2/catch.hpp>

using namespace sockjs::net;

namespace {

struct parsed {
    int status;
    http_request req;
    body_framing framing;
};

parsed parse(const std::string& head) {
    parsed p;
    p.status = parse_request_head(head, p.req, p.framing);
    return p;
}

}  // namespace

TEST_CASE("find_head_end: CRLF, bare LF, incomplete, and resuming a scan") {
    const std::string_view npos_check = "GET / HTTP/1.1\r\nHost: x\r\n";
    CHECK(find_head_end(npos_check) == std::string_view::npos);
    CHECK(find_head_end("GET / HTTP/1.1\r\nHost: x\r\n\r\nBODY") == 27);
    CHECK(find_head_end("GET / HTTP/1.1\nHost: x\n\nBODY") == 24);
    CHECK(find_head_end("GET / HTTP/1.1\r\n\r") == std::string_view::npos);
    const std::string full = "GET / HTTP/1.1\r\nA: b\r\n\r\n";
    for (std::size_t from = 0; from + 3 <= full.size(); ++from) CHECK(find_head_end(full, from) == full.size());
}

TEST_CASE("parse_request_head: request line, target split, headers") {
    const parsed p = parse("POST /echo/000/abc/xhr_send?t=1&u=%20 HTTP/1.1\r\nHost: h\r\n"
                           "Content-Type: text/plain\r\ncontent-length: 5\r\n\r\n");
    REQUIRE(p.status == 0);
    CHECK(p.req.method == "POST");
    CHECK(p.req.path == "/echo/000/abc/xhr_send");
    CHECK(p.req.query == "t=1&u=%20");  // percent-decoding is not applied
    CHECK_FALSE(p.req.http10);
    CHECK(p.req.keep_alive);
    CHECK(p.req.headers.get("CONTENT-TYPE") == "text/plain");
    CHECK(p.framing.kind == body_kind::length);
    CHECK(p.framing.length == 5);
}

TEST_CASE("parse_request_head: keep-alive rules for 1.0 and 1.1") {
    CHECK(parse("GET / HTTP/1.1\r\n\r\n").req.keep_alive);
    CHECK_FALSE(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").req.keep_alive);
    CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").req.keep_alive);
    CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").req.keep_alive);
    CHECK(parse("GET / HTTP/1.1\r\nConnection: Upgrade, keep-alive\r\n\r\n").req.keep_alive);
    CHECK(parse("GET / HTTP/1.0\r\n\r\n").req.http10);
}

TEST_CASE("parse_request_head: body framing") {
    CHECK(parse("POST / HTTP/1.1\r\n\r\n").framing.kind == body_kind::none);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").framing.kind == body_kind::none);
    CHECK(parse("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n").framing.kind == body_kind::chunked);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\n").status == 0);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n").status == 400);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").status == 400);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n").status == 400);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n").status == 400);
    CHECK(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").status == 501);
    const parsed e = parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    CHECK(e.framing.expect_continue);
    CHECK_FALSE(parse("POST / HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n").framing.expect_continue);
}

TEST_CASE("parse_request_head: targets") {
    CHECK(parse("GET http://example.com:80/a/b?q HTTP/1.1\r\n\r\n").req.path == "/a/b");
    CHECK(parse("GET http://example.com:80/a/b?q HTTP/1.1\r\n\r\n").req.query == "q");
    CHECK(parse("GET http://example.com HTTP/1.1\r\n\r\n").req.path == "/");
    CHECK(parse("OPTIONS * HTTP/1.1\r\n\r\n").req.path == "*");
    CHECK(parse("GET nonsense HTTP/1.1\r\n\r\n").status == 400);
}

TEST_CASE("parse_request_head: malformed heads") {
    CHECK(parse("GET / HTTP/2.0\r\n\r\n").status == 505);
    CHECK(parse("GET / FOO/1.1\r\n\r\n").status == 400);
    CHECK(parse("GET /\r\nHost: x\r\n\r\n").status == 400);  // HTTP/0.9 style
    CHECK(parse("\r\n\r\n").status == 400);
    std::string many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 150; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    CHECK(parse(many + "\r\n").status == 431);
}

TEST_CASE("split_target") {
    std::string path, query;
    CHECK(split_target("/a?b?c", path, query));
    CHECK(path == "/a");
    CHECK(query == "b?c");
    CHECK(split_target("https://h?x=1", path, query));
    CHECK(path == "/");
    CHECK(query == "x=1");
    CHECK_FALSE(split_target("", path, query));
    CHECK_FALSE(split_target("://x", path, query));
}
