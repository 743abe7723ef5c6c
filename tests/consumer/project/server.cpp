// Uses the installed server library: it links only if the package finds POCO again, and exits
// 0 only if the server binds (to a free port on 127.0.0.1) and stops.
#include <sockjs/server.hpp>

#include <string_view>

struct Echo : sockjs::connection {
    void on_message(std::string_view m) override { send(m); }
};

int main() {
    sockjs::server srv({.port = 0});
    srv.route<Echo>("/echo");
    srv.start();
    const bool bound = srv.port() != 0;
    srv.stop();
    return bound ? 0 : 1;
}
