#include "net/response_writer.hpp"

#include <catch2/catch.hpp>

using namespace sockjs::net;

TEST_CASE("response writer: status line, headers, length") {
    std::string out;
    append_status_line(out, 200);
    append_status_line(out, 431);
    append_status_line(out, 299);
    CHECK(out == "HTTP/1.1 200 OK\r\nHTTP/1.1 431 Request Header Fields Too Large\r\nHTTP/1.1 299 Unknown\r\n");
    out.clear();
    append_content_length(out, 0);
    append_content_length(out, 1234567);
    CHECK(out == "Content-Length: 0\r\nContent-Length: 1234567\r\n");
}

TEST_CASE("response writer: CR and LF cannot inject headers") {
    std::string out;
    append_header(out, "X-A", "v\r\nSet-Cookie: evil");
    CHECK(out == "X-A: v  Set-Cookie: evil\r\n");
}

TEST_CASE("response writer: the connection's own headers are not taken from the caller") {
    std::string out;
    const bool close = append_user_headers(out, {{"Content-Type", "text/plain"},
                                                 {"content-length", "99"},
                                                 {"Transfer-Encoding", "chunked"},
                                                 {"Connection", "close"}});
    CHECK(close);
    CHECK(out == "Content-Type: text/plain\r\n");
    out.clear();
    CHECK_FALSE(append_user_headers(out, {{"Connection", "keep-alive"}}));
}

TEST_CASE("response writer: chunks in hex") {
    std::string out;
    append_chunk(out, "hello");
    append_chunk(out, std::string(255, 'x'));
    CHECK(out.substr(0, 10) == "5\r\nhello\r\n");
    CHECK(out.substr(10, 4) == "ff\r\n");
    CHECK(last_chunk == "0\r\n\r\n");
}

TEST_CASE("response writer: a chunk is sized exactly, so a small one stays in the string's inline buffer") {
    // A held stream's connection keeps at most 128 bytes of buffer between writes: a 70-byte
    // chunk must not grow past that, and "o\n" must not leave the inline buffer at all.
    std::string small;
    const std::size_t inline_capacity = small.capacity();
    append_chunk(small, "o\n");
    CHECK(small == "2\r\no\n\r\n");
    CHECK(small.capacity() == inline_capacity);
    std::string frame;
    const std::string seventy(70, 'a');
    append_chunk(frame, seventy);
    CHECK(frame == "46\r\n" + seventy + "\r\n");
    CHECK(frame.capacity() <= 128);
    for (const std::size_t n : {std::size_t{15}, std::size_t{16}, std::size_t{255}, std::size_t{256}, std::size_t{4096}}) {
        std::string out;
        append_chunk(out, std::string(n, 'z'));
        CHECK(out.size() == out.find("\r\n") + 2 + n + 2);
        CHECK(out.capacity() < out.size() + 16);  // one exact reservation, not a doubling
    }
}
