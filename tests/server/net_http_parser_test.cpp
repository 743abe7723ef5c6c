#include "net/http_parser.hpp"

#include "net_http_vectors.hpp"

#include <catch2/catch.hpp>

using namespace sockjs::net;

namespace {

struct outcome {
    int status = 0;  // 0: a complete message
    bool complete = false;
    http_request req;
    bool expect_continue = false;
    std::optional<std::uint64_t> length;
    bool chunked = false;
    std::size_t used = 0;  // bytes of the input the request took
};

/// Feeds `raw` the way a connection does: the bytes arrive in pieces cut at `cuts`, unconsumed
/// bytes stay in the buffer and are offered again with the next piece.
outcome read_with(request_reader& r, http_request& req, const std::string& raw,
                  const std::vector<std::size_t>& cuts = {}) {
    outcome o;
    r.start(req);
    std::string buf;
    std::size_t pos = 0;      // consumed up to here in buf
    std::size_t arrived = 0;  // of raw
    std::vector<std::size_t> ends = cuts;
    ends.push_back(raw.size());
    for (std::size_t end : ends) {
        if (end < arrived) continue;
        buf.append(raw, arrived, end - arrived);
        arrived = end;
        while (true) {
            std::size_t used = 0;
            const std::string_view avail = std::string_view(buf).substr(pos);
            const auto res = r.feed(avail, used);
            REQUIRE(used <= avail.size());
            pos += used;
            if (res == request_reader::result::error) {
                o.status = r.error_status();
                o.req = req;
                return o;
            }
            if (res == request_reader::result::head) {
                o.expect_continue = r.expect_continue();
                o.length = r.content_length();
                o.chunked = r.chunked();
                continue;
            }
            if (res == request_reader::result::message) {
                o.complete = true;
                o.used = pos;
                o.req = req;
                return o;
            }
            break;  // need_more
        }
    }
    o.req = req;
    return o;  // incomplete
}

outcome read(const std::string& raw, const std::vector<std::size_t>& cuts = {}, reader_limits lim = {}) {
    request_reader r(lim);
    http_request req;
    return read_with(r, req, raw, cuts);
}

outcome parse(const std::string& raw) { return read(raw); }

}  // namespace

TEST_CASE("request_reader: request line, target split, headers") {
    const outcome p = parse("POST /echo/000/abc/xhr_send?t=1&u=%20 HTTP/1.1\r\nHost: h\r\n"
                            "Content-Type: text/plain\r\ncontent-length: 5\r\n\r\nhello");
    REQUIRE(p.complete);
    CHECK(p.req.method == "POST");
    CHECK(p.req.path == "/echo/000/abc/xhr_send");
    CHECK(p.req.query == "t=1&u=%20");  // percent-decoding is not applied
    CHECK_FALSE(p.req.http10);
    CHECK(p.req.keep_alive);
    CHECK(p.req.headers.get("CONTENT-TYPE") == "text/plain");
    CHECK(p.length == 5u);
    CHECK(p.req.body == "hello");
}

TEST_CASE("request_reader: keep-alive rules for 1.0 and 1.1") {
    CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").req.keep_alive);
    CHECK_FALSE(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").req.keep_alive);
    CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").req.keep_alive);
    CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").req.keep_alive);
    CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, keep-alive\r\n\r\n").req.keep_alive);
    CHECK(parse("GET / HTTP/1.0\r\n\r\n").req.http10);
}

TEST_CASE("request_reader: body framing and Expect") {
    CHECK_FALSE(parse("POST / HTTP/1.1\r\nHost: a\r\n\r\n").length.has_value());
    CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").complete);
    CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").chunked);
    const outcome e = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc");
    CHECK(e.expect_continue);
    CHECK_FALSE(parse("POST / HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc").expect_continue);
}

TEST_CASE("request_reader: header values are kept verbatim (no RFC 2047 decoding)") {
    const outcome p = parse("GET / HTTP/1.1\r\nHost: a\r\nOrigin: =?UTF-8?B?aHR0cDovL2V2aWw=?=\r\n"
                            "Cookie: JSESSIONID==?UTF-8?Q?abc?=\r\n\r\n");
    REQUIRE(p.complete);
    CHECK(p.req.headers.get("Origin") == "=?UTF-8?B?aHR0cDovL2V2aWw=?=");
    CHECK(p.req.headers.get("Cookie") == "JSESSIONID==?UTF-8?Q?abc?=");
}

TEST_CASE("request_reader: a pipelined request is left for the next start()") {
    const std::string two = "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                            "GET /b HTTP/1.1\r\nHost: a\r\n\r\n";
    const outcome first = parse(two);
    REQUIRE(first.complete);
    CHECK(first.req.body == "abc");
    const outcome second = parse(two.substr(first.used));
    REQUIRE(second.complete);
    CHECK(second.req.path == "/b");
    CHECK(second.used == two.size() - first.used);
}

TEST_CASE("request_reader: limits are exactly the documented ones") {
    // 431 only above max_header_bytes for the whole head: no per-field, per-name or count limit.
    const reader_limits lim{16 * 1024, 4u << 20};
    std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 1000; ++i) many += "X" + std::to_string(i) + ":\r\n";  // ~7 KB, 1000 fields
    CHECK(read(many + "\r\n", {}, lim).complete);
    const std::string long_value = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(12000, 'v') + "\r\n\r\n";
    CHECK(read(long_value, {}, lim).complete);
    const std::string long_name = "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(12000, 'n') + ": v\r\n\r\n";
    CHECK(read(long_name, {}, lim).complete);

    const std::string base = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
    const std::string at_limit = base + std::string(lim.max_header_bytes - base.size() - 4, 'v') + "\r\n\r\n";
    REQUIRE(at_limit.size() == lim.max_header_bytes);
    CHECK(read(at_limit, {}, lim).complete);
    const std::string over = base + std::string(lim.max_header_bytes - base.size() - 3, 'v') + "\r\n\r\n";
    CHECK(read(over, {}, lim).status == 431);
    CHECK(read(over, {100, 5000, 16000}, lim).status == 431);
    CHECK(read(std::string(lim.max_header_bytes + 1, 'G'), {}, lim).status == 431);
}

TEST_CASE("request_reader: bodies over max_body_bytes get 413, framed either way") {
    const reader_limits lim{16 * 1024, 10};
    CHECK(read("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", {}, lim).status == 413);
    CHECK(read("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", {}, lim).complete);
    CHECK(read("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n", {}, lim)
              .status == 413);
}

TEST_CASE("request_reader: an endless chunk line is bounded like a head") {
    const reader_limits lim{1024, 1u << 20};
    const std::string raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;" + std::string(2000, 'e');
    CHECK(read(raw, {}, lim).status == 400);
}

TEST_CASE("request_reader: tests/data/http_requests.txt, whole, split at every byte, byte by byte") {
    const auto cases = http_vectors::load();
    REQUIRE(cases.size() > 60);
    for (const auto& v : cases) {
        INFO(v.what);
        std::vector<std::vector<std::size_t>> plans{{}};
        for (std::size_t i = 1; i < v.raw.size(); ++i) plans.push_back({i});
        std::vector<std::size_t> bytewise;
        for (std::size_t i = 1; i < v.raw.size(); ++i) bytewise.push_back(i);
        plans.push_back(bytewise);
        for (const auto& cuts : plans) {
            INFO("cut at " << (cuts.empty() ? 0 : cuts.front()) << " (" << cuts.size() << " cuts)");
            const outcome o = read(v.raw, cuts);
            if (v.status != 0) {
                CHECK(o.status == v.status);
            } else {
                REQUIRE(o.status == 0);
                REQUIRE(o.complete);
                CHECK(o.used == v.raw.size());
                CHECK(o.req.body == v.body);
            }
        }
    }
}

TEST_CASE("request_reader: one reader and one cleared request, reused request after request as a "
          "keep-alive connection does, read each request as a fresh pair does") {
    // tcp_connection keeps both for a connection's next request: http_request::clear() keeps
    // the buffers, and start() builds the next parser in the last one's memory.
    const auto cases = http_vectors::load();
    REQUIRE(cases.size() > 60);
    request_reader r({});
    http_request req;
    req.peer = peer_address(Poco::Net::SocketAddress("10.0.0.1", 7));
    for (int round = 0; round < 2; ++round) {
        for (const auto& v : cases) {
            INFO(v.what << ", round " << round);
            req.clear();
            CHECK(req.peer.get().toString() == "0.0.0.0:0");
            const outcome reused = read_with(r, req, v.raw);
            const outcome fresh = read(v.raw);
            CHECK(reused.status == fresh.status);
            CHECK(reused.complete == fresh.complete);
            CHECK(reused.used == fresh.used);
            CHECK(reused.expect_continue == fresh.expect_continue);
            CHECK(reused.chunked == fresh.chunked);
            CHECK(reused.length == fresh.length);
            if (!fresh.complete) continue;
            CHECK(reused.req.method == fresh.req.method);
            CHECK(reused.req.path == fresh.req.path);
            CHECK(reused.req.query == fresh.req.query);
            CHECK(reused.req.body == fresh.req.body);
            CHECK(reused.req.http10 == fresh.req.http10);
            CHECK(reused.req.keep_alive == fresh.req.keep_alive);
            std::vector<std::pair<std::string, std::string>> a(reused.req.headers.begin(), reused.req.headers.end());
            std::vector<std::pair<std::string, std::string>> b(fresh.req.headers.begin(), fresh.req.headers.end());
            CHECK(a == b);
        }
    }
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

TEST_CASE("valid_host") {
    CHECK(valid_host(""));
    CHECK(valid_host("example.com:8080"));
    CHECK(valid_host("[::1]:80"));
    CHECK_FALSE(valid_host("a b"));
    CHECK_FALSE(valid_host("a\r\nX: y"));
    CHECK_FALSE(valid_host("a/b"));
}
