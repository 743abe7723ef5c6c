// static_files: content types, index.html, and no way out of the root.

#include "server_checks.hpp"
#include "static_files.hpp"

#include <filesystem>
#include <fstream>

using namespace sjt;
namespace fs = std::filesystem;

namespace {

struct temp_site {
    temp_site() {
        base = fs::temp_directory_path() / ("sockjs-static-" + new_id());
        root = base / "www";
        fs::create_directories(root / "sub");
        write(root / "index.html", "<h1>home</h1>");
        write(root / "app.js", "console.log(1)");
        write(root / "sub" / "style.css", "body{}");
        write(root / "sub" / "index.html", "sub home");
        write(root / "mod.wasm", std::string("\0asm", 4));
        write(base / "secret.txt", "do not serve");
        fs::create_symlink(base / "secret.txt", root / "link-out.txt");
    }
    ~temp_site() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }
    static void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
    fs::path base, root;
};

}  // namespace

TEST_CASE("static files: content type by extension", "[static]") {
    using sockjs::detail::content_type_for;
    CHECK(content_type_for("index.html") == "text/html;charset=UTF-8");
    CHECK(content_type_for("a.js") == "application/javascript;charset=UTF-8");
    CHECK(content_type_for("a.mjs") == "application/javascript;charset=UTF-8");
    CHECK(content_type_for("x.css") == "text/css;charset=UTF-8");
    CHECK(content_type_for("m.wasm") == "application/wasm");
    CHECK(content_type_for("d.json") == "application/json;charset=UTF-8");
    CHECK(content_type_for("noext") == "application/octet-stream");
    CHECK(content_type_for("archive.tar.gz") == "application/octet-stream");
}

TEST_CASE("static files: served outside the services, with index.html for directories", "[static]") {
    temp_site site;
    auto opts = test_options();
    opts.static_dir = site.root.string();
    test_server s(add_suite_services, opts);

    auto r = http(s.port, "GET", "/");
    CHECK(r.status == 200);
    CHECK(r.body == "<h1>home</h1>");
    CHECK(r.header("Content-Type") == "text/html;charset=UTF-8");
    r = http(s.port, "GET", "/app.js");
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type") == "application/javascript;charset=UTF-8");
    CHECK(r.body == "console.log(1)");
    r = http(s.port, "GET", "/sub/style.css?v=2");
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type") == "text/css;charset=UTF-8");
    CHECK(http(s.port, "GET", "/sub/").body == "sub home");
    // A directory without its slash: 301 to the slash form (relative links then resolve).
    r = http(s.port, "GET", "/sub?x=1");
    CHECK(r.status == 301);
    CHECK(r.header("Location") == "/sub/?x=1");
    r = http(s.port, "GET", "/mod.wasm");
    CHECK(r.header("Content-Type") == "application/wasm");
    CHECK(r.body == std::string("\0asm", 4));
    CHECK(http(s.port, "GET", "/missing.html").status == 404);
    CHECK(http(s.port, "POST", "/app.js").status == 405);
    // The services still win over files.
    CHECK(http(s.port, "GET", "/echo").body == "Welcome to SockJS!\n");
}

TEST_CASE("static files: no directory traversal, encoded or not, and no symlinks out", "[static][bad_input]") {
    temp_site site;
    auto opts = test_options();
    opts.static_dir = site.root.string();
    test_server s(add_suite_services, opts);
    for (std::string path : {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                             "/sub/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/link-out.txt", "/%00index.html",
                             "/index.html%00.js", "//etc/passwd", "/%zz"}) {
        INFO(path);
        auto r = http(s.port, "GET", path);
        CHECK(r.status == 404);
        CHECK(r.body.find("do not serve") == std::string::npos);
    }
}

TEST_CASE("static files and metrics: HEAD answers the GET head without the body", "[static]") {
    temp_site site;
    auto opts = test_options();
    opts.static_dir = site.root.string();
    opts.metrics_path = "/metrics";
    test_server s(add_suite_services, opts);
    for (const char* path : {"/app.js", "/metrics"}) {
        INFO(path);
        raw_http c(s.port);
        c.request("HEAD", path);
        auto head = c.read_head();
        CHECK(head.status == 200);
        CHECK(head.header("Content-Length") != std::optional<std::string>("0"));
        // No body bytes follow: the next response on the connection starts right away.
        c.request("GET", "/app.js");
        auto next = c.read_head();
        CHECK(next.status == 200);
        CHECK(c.read_body(next) == "console.log(1)");
    }
    auto r = http(s.port, "DELETE", "/metrics");
    CHECK(r.status == 405);
    CHECK(r.header("Allow") == "GET, HEAD");
}

TEST_CASE("static files: a large file streams intact, and one whose client leaves is let go", "[static]") {
    temp_site site;
    // Over the whole-file limit (256 KiB), the window the stream refills at each drain report
    // (256 KiB), and what the kernel's socket buffers take on both sides (tcp_wmem's and
    // tcp_rmem's maxima, 4 and 6 MiB here): it goes out chunked, in many refills, and a
    // client that stops reading leaves the stream waiting for a drain.
    std::string big(16u << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i / 4096 + i) % 26);
    temp_site::write(site.root / "big.bin", big);
    auto opts = test_options();
    opts.static_dir = site.root.string();
    test_server s(add_suite_services, opts);

    SECTION("read to the end") {
        raw_http c(s.port, 5s);
        c.request("GET", "/big.bin");
        const response head = c.read_head();
        CHECK(head.status == 200);
        CHECK(head.header("Transfer-Encoding") == "chunked");
        const std::string body = c.read_body(head);
        CHECK(body.size() == big.size());
        CHECK(body == big);
    }
    SECTION("the client leaves mid-download: the stream and its open file are released") {
        const std::size_t fds_before = open_fds();
        {
            raw_http c(s.port);
            c.socket().setReceiveBufferSize(4096);
            c.request("GET", "/big.bin");
            CHECK(c.read_head().status == 200);
            c.read_exact(1000);
            // Nothing more is read: the server is left waiting for a drain when it goes.
        }
        CHECK(eventually([&] { return open_fds() <= fds_before; }));
    }
}
