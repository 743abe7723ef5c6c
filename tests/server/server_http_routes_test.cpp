// Plain HTTP routes next to the services: exact paths, HEAD with GET, 405 with Allow, 500
// for a throwing handler, and no route that shadows a service.

#include "server_checks.hpp"

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sjt;

namespace {

void add_routes(sockjs::server& srv) {
    add_suite_services(srv);  // with the demo's GET /healthz
    srv.http_route("POST", "/login", [](const sockjs::http_request_view& r) {
        std::string who = std::string(r.header("x-user").value_or("nobody"));
        return sockjs::http_reply{.status = 201, .headers = {{"X-Echo-Query", std::string(r.query)}},
                                  .body = r.method == "POST" ? who + ":" + std::string(r.body) : "?"};
    });
    srv.http_route("GET", "/login", [](const sockjs::http_request_view&) { return sockjs::http_reply{.body = "form"}; });
    srv.http_route("GET", "/boom", [](const sockjs::http_request_view&) -> sockjs::http_reply {
        throw std::runtime_error("handler failed");
    });
}

}  // namespace

TEST_CASE("http routes: GET, HEAD, other methods and the request's parts", "[http_route]") {
    test_server s(add_routes);
    auto r = http(s.port, "GET", "/healthz");
    CHECK(r.status == 200);
    CHECK(r.body == "ok");
    CHECK(r.header("Content-Type") == "text/plain;charset=UTF-8");

    {
        raw_http c(s.port);
        c.request("HEAD", "/healthz");
        auto head = c.read_head();
        CHECK(head.status == 200);
        CHECK(head.header("Content-Length") == "2");
        // No body bytes follow: the next response on the connection starts right away.
        c.request("GET", "/healthz");
        auto next = c.read_head();
        CHECK(next.status == 200);
        CHECK(c.read_body(next) == "ok");
    }

    r = http(s.port, "DELETE", "/healthz");
    CHECK(r.status == 405);
    CHECK(r.header("Allow") == "GET, HEAD");

    r = http(s.port, "POST", "/login?next=/home", {{"X-User", "ann"}}, "pw");
    CHECK(r.status == 201);
    CHECK(r.body == "ann:pw");
    CHECK(r.header("X-Echo-Query") == "next=/home");
    CHECK(http(s.port, "GET", "/login").body == "form");
    r = http(s.port, "PUT", "/login");
    CHECK(r.status == 405);
    CHECK(r.header("Allow") == "GET, HEAD, POST");

    // Exact paths only; the services are untouched.
    CHECK(http(s.port, "GET", "/healthz/x").status == 404);
    CHECK(http(s.port, "GET", "/echo").body == "Welcome to SockJS!\n");
}

TEST_CASE("http routes: a throwing handler gives 500 and a log line", "[http_route]") {
    std::mutex m;
    std::vector<std::string> lines;
    auto opts = test_options();
    opts.log = [&](std::string_view l) {
        std::lock_guard lock(m);
        lines.emplace_back(l);
    };
    test_server s(add_routes, opts);
    CHECK(http(s.port, "GET", "/boom").status == 500);
    CHECK(http(s.port, "GET", "/healthz").status == 200);  // the loop survived
    std::lock_guard lock(m);
    bool found = false;
    for (const auto& l : lines) found = found || (l.find("event=route_error") != std::string::npos &&
                                                   l.find("handler failed") != std::string::npos);
    CHECK(found);
}

TEST_CASE("http routes: malformed, duplicate and shadowing routes are refused", "[http_route]") {
    auto ok = [](const sockjs::http_request_view&) { return sockjs::http_reply{}; };
    sockjs::server_options o = test_options();
    o.metrics_path = "/metrics";
    sockjs::server srv(o);
    srv.route("/echo", sockjs::handlers{});
    CHECK_THROWS_AS(srv.http_route("GET", "/echo", ok), std::invalid_argument);
    CHECK_THROWS_AS(srv.http_route("GET", "/echo/info", ok), std::invalid_argument);
    CHECK_THROWS_AS(srv.http_route("GET", "/metrics", ok), std::invalid_argument);
    CHECK_THROWS_AS(srv.http_route("GET", "healthz", ok), std::invalid_argument);
    CHECK_THROWS_AS(srv.http_route("HEAD", "/healthz", ok), std::invalid_argument);
    CHECK_NOTHROW(srv.http_route("GET", "/echoes", ok));  // not under /echo
    CHECK_NOTHROW(srv.http_route("GET", "/api/x", ok));
    CHECK_THROWS_AS(srv.http_route("GET", "/api/x", ok), std::invalid_argument);
    // A service added later may not take a route either.
    CHECK_THROWS_AS(srv.route("/api", sockjs::handlers{}), std::invalid_argument);
}
