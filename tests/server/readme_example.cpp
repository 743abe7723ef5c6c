// The README's server ("A server" in README.md), word for word but for the port, which the
// test passes so that it can pick a free one. server_lifecycle_test.cpp sends it SIGINT and
// SIGTERM: run() must drain by itself, so that its clients see a close frame, not 1006.
#include <sockjs/server.hpp>

#include <cstdlib>

struct Echo : sockjs::connection {
    void on_message(std::string_view m) override { send(m); }
};

int main(int argc, char** argv) {
    sockjs::server srv({.port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 8081)});
    srv.route<Echo>("/echo");
    srv.run();
}
