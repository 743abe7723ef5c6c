// Starting and stopping as an operator meets them: a port in use is named in the error, and
// the README's server drains on SIGINT / SIGTERM by itself (run()), so that its WebSocket
// clients get the close frame instead of a dropped connection (1006).

#include "server_test_util.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Process.h>

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <csignal>
#include <stdexcept>
#include <thread>

using namespace sjt;

TEST_CASE("lifecycle: a port in use says so and where", "[lifecycle]") {
    Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
    auto opts = test_options();
    opts.port = taken.address().port();
    sockjs::server srv(opts);
    std::string what;
    try {
        srv.start();
    } catch (const std::runtime_error& e) {
        what = e.what();
    }
    CHECK(what == "address already in use: 127.0.0.1:" + std::to_string(opts.port));
}

TEST_CASE("lifecycle: an address this machine does not have says so", "[lifecycle]") {
    auto opts = test_options();
    opts.host = "192.0.2.1";  // TEST-NET-1: never a local address
    sockjs::server srv(opts);
    std::string what;
    try {
        srv.start();
    } catch (const std::runtime_error& e) {
        what = e.what();
    }
    CHECK(what == "address not available on this machine: 192.0.2.1:0");
}

namespace {

std::uint16_t free_port() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

// Exit status of `pid` within `limit`, or -1 (then it is killed).
int wait_exit(pid_t pid, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < until) {
        if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
}

void check_drains_on(int sig) {
    const std::uint16_t port = free_port();
    auto child = Poco::Process::launch(SOCKJS_TEST_README_EXAMPLE, {std::to_string(port)});
    const pid_t pid = child.id();
    const bool up = eventually([&] {
        try {
            return http(port, "GET", "/echo/info").status == 200;
        } catch (const std::exception&) {
            return false;
        }
    }, 10s);
    if (!up) wait_exit(pid, 0ms);
    REQUIRE(up);

    ws_client ws(port, "/echo/000/" + new_id() + "/websocket");
    REQUIRE(ws.recv().data == "o");
    ws.send_text("[\"before\"]");
    REQUIRE(ws.recv().data == "a[\"before\"]");

    ::kill(pid, sig);
    auto m = ws.recv();
    CHECK(m.kind == ws_message::text);
    CHECK(m.data == "c[1001,\"Server shutting down\"]");
    auto last = ws.recv();
    CHECK(last.kind == ws_message::close);  // a close frame, not a dropped connection
    CHECK(wait_exit(pid, 10s) == 0);
}

}  // namespace

TEST_CASE("lifecycle: the README server drains on SIGINT", "[lifecycle]") { check_drains_on(SIGINT); }
TEST_CASE("lifecycle: the README server drains on SIGTERM", "[lifecycle]") { check_drains_on(SIGTERM); }
