// The strict HTTP front end, end to end: tests/data/http_requests.txt against a live server,
// header values kept verbatim, static files streamed with bounded memory, the total of request
// bodies bounded, and no header injection through the hixie-76 Location.

#include "net_http_vectors.hpp"
#include "server_checks.hpp"

#include <Poco/Base64Encoder.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace sjt;
namespace fs = std::filesystem;

namespace {

std::string base64(const std::string& s) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << s;
    enc.close();
    return out.str();
}

/// Resident set size of this process, in bytes.
std::size_t rss_bytes() {
    std::ifstream in("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    in >> pages >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

TEST_CASE("strict HTTP: every refused vector of tests/data/http_requests.txt, end to end", "[bad_input]") {
    test_server s;
    for (const auto& v : http_vectors::load()) {
        if (v.status == 0) continue;
        INFO(v.what);
        raw_http c(s.port);
        c.send(v.raw);
        const response r = c.read_head();
        CHECK(r.status == v.status);
        CHECK(r.header("Connection") == "close");
        CHECK(c.closed_within());
    }
    CHECK(http(s.port, "GET", "/echo").body == "Welcome to SockJS!\n");
}

TEST_CASE("strict HTTP: RFC 2047 encoded words are not decoded", "[bad_input]") {
    test_server s;
    const std::string encoded = "=?UTF-8?B?" + base64("http://evil.example") + "?=";
    const response r = http(s.port, "GET", "/echo/info", {{"Origin", encoded}});
    CHECK(r.status == 200);
    CHECK(r.header("Access-Control-Allow-Origin") == encoded);
}

TEST_CASE("strict HTTP: hixie-76 Sec-WebSocket-Location carries no injected header", "[bad_input]") {
    test_server s;
    const std::string evil_host = "=?UTF-8?B?" + base64("x\r\nX-Injected: 1") + "?=";
    raw_http c(s.port);
    c.send("GET /echo/000/" + new_id() + "/websocket HTTP/1.1\r\nHost: " + evil_host +
           "\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nOrigin: http://example.com\r\n"
           "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n"
           "^n:ds[4U");
    const response r = c.read_head();
    CHECK_FALSE(r.has("X-Injected"));
    CHECK(r.status == 400);
}

TEST_CASE("static files: a 20 MiB file streams completely with bounded memory", "[static]") {
    const fs::path root = fs::temp_directory_path() / ("sockjs-big-" + new_id());
    fs::create_directories(root / "sub");
    constexpr std::size_t size = 20u << 20;
    {
        std::ofstream f(root / "big.bin", std::ios::binary);
        std::string block(1u << 20, '\0');
        for (std::size_t i = 0; i < size / block.size(); ++i) {
            for (std::size_t j = 0; j < block.size(); j += 4096) block[j] = static_cast<char>('a' + (i + j) % 26);
            f.write(block.data(), static_cast<std::streamsize>(block.size()));
        }
        std::ofstream(root / "sub" / "a.txt") << "a";
    }
    auto opts = test_options();
    opts.static_dir = root.string();
    {
        test_server s(add_suite_services, opts);
        raw_http c(s.port, 10s);
        c.socket().setReceiveBufferSize(64 * 1024);
        const std::size_t before = rss_bytes();
        c.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
        const response head = c.read_head();
        REQUIRE(head.status == 200);
        std::this_thread::sleep_for(300ms);  // the client does not read: the server must wait
        const std::size_t held = rss_bytes() > before ? rss_bytes() - before : 0;
        if (!sanitized_build) CHECK(held < (8u << 20));
        std::string body = c.read_body(head);
        CHECK(body.size() == size);
        std::ifstream f(root / "big.bin", std::ios::binary);
        std::string expected(size, '\0');
        f.read(expected.data(), static_cast<std::streamsize>(size));
        CHECK(body == expected);

        // A file name with a trailing slash is a directory that does not exist.
        CHECK(http(s.port, "GET", "/sub/a.txt").status == 200);
        CHECK(http(s.port, "GET", "/sub/a.txt/").status == 404);
    }
    std::error_code ec;
    fs::remove_all(root, ec);
}

TEST_CASE("request bodies: their total over all connections is bounded (503)", "[bad_input]") {
    auto opts = test_options();
    opts.max_total_body_bytes = 1u << 20;
    test_server s(add_suite_services, opts);
    const std::string sid = new_id();
    REQUIRE(http(s.port, "POST", "/echo/000/" + sid + "/xhr").body == "o\n");
    const std::string head = "POST /echo/000/" + sid + "/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                             "Content-Length: 700000\r\n\r\n";
    raw_http first(s.port);
    first.send(head + "[\"");
    std::this_thread::sleep_for(100ms);  // the first upload holds 700,000 bytes of the budget
    raw_http second(s.port);
    second.send(head + "[\"");
    const response r = second.read_head();
    CHECK(r.status == 503);
    CHECK(r.header("Retry-After") == "1");
    CHECK(second.closed_within());
    // The first upload completes normally, and gives its share back.
    first.send(std::string(700000 - 4, 'x') + "\"]");
    CHECK(first.read_head().status == 204);
    raw_http third(s.port);
    third.send(head + "[\"" + std::string(700000 - 4, 'y') + "\"]");
    CHECK(third.read_head().status == 204);
}

TEST_CASE("strict HTTP: the only head limit is max_header_bytes (431), as documented", "[bad_input]") {
    test_server s;  // max_header_bytes 16 KiB
    headers many;
    for (int i = 0; i < 200; ++i) many.emplace_back("X-" + std::to_string(i), "v");  // ~2 KB, 200 fields
    CHECK(http(s.port, "GET", "/echo", many).status == 200);
    CHECK(http(s.port, "GET", "/echo", {{"X-Long", std::string(9000, 'v')}}).status == 200);
    CHECK(http(s.port, "GET", "/echo", {{std::string(300, 'n'), "v"}}).status == 200);
    CHECK(http(s.port, "GET", "/echo", {{"X-Long", std::string(17000, 'v')}}).status == 431);
}
