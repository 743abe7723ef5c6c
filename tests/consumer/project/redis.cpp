// Uses the installed Redis backplane (sockjs::redis): it links only if the package finds
// PocoRedis again, and exits 0 only if a server takes it as its bus (no Redis needed: the
// broadcaster reconnects in the background and the server serves its own sessions meanwhile).
#include <sockjs/redis_broadcaster.hpp>
#include <sockjs/server.hpp>

#include <memory>

int main() {
    auto bus = std::make_shared<sockjs::redis_broadcaster>(
        sockjs::redis_options{.url = "redis://127.0.0.1:1", .log = [](std::string_view) {}});
    sockjs::server srv({.port = 0, .bus = bus});
    srv.route("/echo", sockjs::handlers{});
    srv.start();
    const bool ok = srv.port() != 0 && bus->node_id().size() == 12;
    srv.stop();
    return ok ? 0 : 1;
}
