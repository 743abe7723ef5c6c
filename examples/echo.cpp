// The smallest SockJS server: every message comes back to its sender.
//   build/bin/example-echo        then connect a SockJS client to http://127.0.0.1:8081/echo
#include <sockjs/server.hpp>

struct Echo : sockjs::connection {
    void on_message(std::string_view m) override { send(m); }
};

int main() {
    sockjs::server srv({.port = 8081});
    srv.route<Echo>("/echo");
    srv.run();
}
