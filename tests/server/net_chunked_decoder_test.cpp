#include "net/chunked_decoder.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sockjs::net;
using status = chunked_decoder::status;

namespace {

struct result {
    status st;
    std::string body;
    std::size_t consumed;
};

// Feeds `in` in two pieces split at `at`, as a connection would (unconsumed bytes stay).
result feed_split(const std::string& in, std::size_t at, std::size_t max_body = 1000) {
    chunked_decoder d(max_body, 100);
    std::string body;
    std::size_t used1 = 0;
    status st = d.feed(std::string_view(in).substr(0, at), body, used1);
    if (st != status::need_more) return {st, body, used1};
    std::size_t used2 = 0;
    st = d.feed(std::string_view(in).substr(used1), body, used2);
    return {st, body, used1 + used2};
}

}  // namespace

TEST_CASE("chunked: a body with extensions and trailers, split anywhere") {
    const std::string in = "5;name=v\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nX-T: 1\r\n\r\nNEXT";
    for (std::size_t i = 0; i <= in.size(); ++i) {
        INFO("split at " << i);
        const result r = feed_split(in, i);
        CHECK(r.st == status::done);
        CHECK(r.body == "hello world!");
        CHECK(in.substr(r.consumed) == "NEXT");  // a pipelined request is left alone
    }
}

TEST_CASE("chunked: bare LF line ends and hex in either case") {
    const result r = feed_split("A\nabcdefghij\na\r\n0123456789\r\n0\n\n", 3);
    CHECK(r.st == status::done);
    CHECK(r.body == "abcdefghij0123456789");
}

TEST_CASE("chunked: an empty body") {
    CHECK(feed_split("0\r\n\r\n", 1).st == status::done);
}

TEST_CASE("chunked: malformed input") {
    CHECK(feed_split("zz\r\n", 4).st == status::bad);
    CHECK(feed_split("\r\n", 2).st == status::bad);                      // no size
    CHECK(feed_split("3\r\nabcX\r\n", 10).st == status::bad);            // no CRLF after data
    CHECK(feed_split("1234567890abcdef0\r\n", 20).st == status::bad);    // would overflow
    CHECK(feed_split("1;" + std::string(200, 'e') + "\r\n", 250).st == status::bad);  // endless extension
    CHECK(feed_split("0\r\n" + std::string(200, 't'), 250).st == status::bad);        // endless trailer
}

TEST_CASE("chunked: the body limit is checked against each chunk's size before reading it") {
    CHECK(feed_split("65\r\n", 4, 100).st == status::too_large);  // 0x65 = 101
    CHECK(feed_split("32\r\n" + std::string(50, 'a') + "\r\n33\r\n", 200, 100).st == status::too_large);
    const result ok = feed_split("64\r\n" + std::string(100, 'a') + "\r\n0\r\n\r\n", 50, 100);
    CHECK(ok.st == status::done);
    CHECK(ok.body.size() == 100);
}
