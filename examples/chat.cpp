// A broadcast chat with the lambda form: every message goes to everyone on /chat, and
// arrivals and departures are announced.
//   build/bin/example-chat        then connect SockJS clients to http://127.0.0.1:8081/chat
#include <sockjs/server.hpp>

#include <string>

int main() {
    sockjs::server srv({.port = 8081});
    srv.route("/chat", sockjs::handlers{
        .on_open = [](sockjs::connection& c) { c.broadcast(c.id() + " joined"); },
        .on_message = [](sockjs::connection& c, std::string_view m) { c.broadcast(m); },
        .on_close = [](sockjs::connection& c, int, std::string_view) { c.broadcast(c.id() + " left"); },
    });
    srv.run();
}
