// build/bin/sockjs-client-cli, run as a child process with stdin and stdout on pipes.

#include "support/port_lease.hpp"
#include "support/server_process.hpp"
#include "test_certs.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

using namespace sockjs::client::test;
using namespace std::chrono_literals;

namespace {

struct cli_result {
    int status = -1;
    std::string out;
    std::string err;
    bool killed = false;
};

std::string read_all(Poco::Pipe& p) {
    Poco::PipeInputStream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs the CLI with `input` on stdin; kills it after `limit` (a hang fails the test, it
// never blocks the suite).
cli_result run_cli(const std::vector<std::string>& args, const std::string& input,
                   std::chrono::milliseconds limit = 10s) {
    Poco::Pipe in, out, err;
    Poco::ProcessHandle child = Poco::Process::launch(SOCKJS_TEST_CLI, args, &in, &out, &err);
    cli_result r;
    std::atomic<bool> done{false};
    std::thread watchdog([&] {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (!done && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(20ms);
        if (!done) {
            r.killed = true;
            Poco::Process::kill(child.id());
        }
    });
    std::string err_text;
    std::thread err_reader([&] { err_text = read_all(err); });
    {
        Poco::PipeOutputStream to_child(in);
        to_child << input;
        to_child.close();
    }
    in.close();
    r.out = read_all(out);
    err_reader.join();
    r.err = err_text;
    r.status = child.wait();
    done = true;
    watchdog.join();
    return r;
}

}  // namespace

TEST_CASE("cli: echoes stdin lines on each transport and exits 0 after a clean close", "[ref][cli]") {
    auto& srv = shared_server(server_kind::reference);
    for (const char* t : {"websocket", "xhr-streaming", "xhr-polling"}) {
        INFO("transport " << t);
        const auto r = run_cli({"--url", srv.url("/echo"), "--transport", t, "--linger", "0.3"},
                               "one\ntw\xc3\xb6\n\"three\" \\ 3\nlast line without newline");
        INFO("stderr: " << r.err);
        CHECK_FALSE(r.killed);
        CHECK(r.status == 0);
        CHECK(r.out == "one\ntw\xc3\xb6\n\"three\" \\ 3\nlast line without newline\n");
    }
}

TEST_CASE("cli: a server close exits with the close code", "[ref][cli]") {
    const auto r = run_cli({"--url", shared_server(server_kind::reference).url("/close")}, "");
    CHECK_FALSE(r.killed);
    CHECK(r.status == (3000 & 0xff));
    CHECK(r.err.find("3000") != std::string::npos);
    CHECK(r.err.find("Go away!") != std::string::npos);
    CHECK(r.out.empty());
}

TEST_CASE("cli: no server exits with 1002 and says why", "[none][cli]") {
    port_lease nobody;
    const auto r = run_cli({"--url", "http://127.0.0.1:" + std::to_string(nobody.port()) + "/echo"}, "x\n");
    CHECK_FALSE(r.killed);
    CHECK(r.status == (1002 & 0xff));
    CHECK(r.err.find("1002") != std::string::npos);
    CHECK(r.err.find("refused") != std::string::npos);
}

TEST_CASE("cli: bad usage exits 64 with a message on stderr", "[cli]") {
    auto r = run_cli({}, "");
    CHECK(r.status == 64);
    CHECK(r.err.find("url") != std::string::npos);
    r = run_cli({"--url", "http://127.0.0.1:1/echo", "--transport", "carrier-pigeon"}, "");
    CHECK(r.status == 64);
    CHECK(r.err.find("carrier-pigeon") != std::string::npos);
    r = run_cli({"--url", "ftp://example/echo"}, "");
    CHECK(r.status == 2);
    CHECK(r.err.find("http") != std::string::npos);
    r = run_cli({"--help"}, "");
    CHECK(r.status == 0);
    CHECK(r.out.find("--url") != std::string::npos);
}

TEST_CASE("cli: --ca-file reaches our server over https, the system store alone refuses the test CA",
          "[own][cli][tls]") {
    server_process srv(server_kind::own, true);
    const auto ok = run_cli({"--url", srv.url("/echo"), "--ca-file", sockjs_test::cert_file("ca.pem"), "--linger", "0.3"},
                            "over tls\n");
    INFO("stderr: " << ok.err);
    CHECK(ok.status == 0);
    CHECK(ok.out == "over tls\n");

    const auto refused = run_cli({"--url", srv.url("/echo")}, "x\n");
    CHECK(refused.status == (1002 & 0xff));
    CHECK(refused.err.find("certificate verify failed") != std::string::npos);
    CHECK(refused.out.empty());
}

TEST_CASE("cli: --ca-file echoes through the reference server behind node's https on each transport",
          "[ref][cli][tls]") {
    server_process srv(server_kind::reference, true);
    for (const char* t : {"websocket", "xhr-streaming", "xhr-polling"}) {
        INFO("transport " << t);
        const auto r = run_cli({"--url", srv.url("/echo"), "--transport", t, "--ca-file", sockjs_test::cert_file("ca.pem"),
                                "--linger", "0.3"},
                               "over https\nzwei \xc3\xb6\n");
        INFO("stderr: " << r.err);
        CHECK_FALSE(r.killed);
        CHECK(r.status == 0);
        CHECK(r.out == "over https\nzwei \xc3\xb6\n");
    }
}
