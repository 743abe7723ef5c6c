// request_dispatch on the in-memory net: what the glue between net's requests and the core's
// routing answers, with the injected clock and entropy.

#include "in_memory_net.hpp"

#include <sockjs/http.hpp>

#include <catch2/catch.hpp>

using namespace sockjs;
using namespace sockjs::test;
using namespace std::chrono_literals;

TEST_CASE("request_dispatch: xhr_send to a session that does not exist is the core's 404",
          "[sockjs_layer][request_dispatch]") {
    in_memory_server s;
    auto r = s.request("POST", "/echo/000/nope/xhr_send", "[\"x\"]");
    CHECK(r->status == 404);
    CHECK(r->body == not_found_response().body);
    CHECK(s.log->empty());
    CHECK_FALSE(s.session("nope"));
}

TEST_CASE("request_dispatch: past max_sessions a new session gets the core's 503, an existing one still works",
          "[sockjs_layer][request_dispatch]") {
    service_options o;
    o.max_sessions = 1;
    in_memory_server s(o);
    auto first = s.request("POST", "/echo/000/s1/xhr");
    REQUIRE(first->body == "o\n");
    auto refused = s.request("POST", "/echo/000/s2/xhr");
    const auto expected = too_many_sessions_response();
    CHECK(refused->status == 503);
    CHECK(refused->body == expected.body);
    CHECK(refused->header("Retry-After") == "1");
    CHECK_FALSE(s.session("s2"));
    CHECK(s.srv.stats().sessions_refused_total == 1);
    auto again = s.request("POST", "/echo/000/s1/xhr_send", "[\"x\"]");
    CHECK(again->status == 204);
}

TEST_CASE("request_dispatch: a second receiver gets c[2010,...] and the first keeps the session",
          "[sockjs_layer][request_dispatch]") {
    const std::size_t second_loop = GENERATE(0u, 1u);
    in_memory_server s;
    auto stream = s.request("POST", "/echo/000/s1/xhr_streaming", {}, 0);
    auto second = s.request("POST", "/echo/000/s1/xhr", {}, second_loop);
    CHECK(second->body == "c[2010,\"Another connection still open\"]\n");
    s.request("POST", "/echo/000/s1/xhr_send", "[\"x\"]");
    CHECK(stream->streamed().substr(2049) == "o\na[\"x\"]\n");
}

TEST_CASE("request_dispatch: a poll after the first one aborted attaches, whichever loop saw the abort",
          "[sockjs_layer][request_dispatch]") {
    in_memory_server s;
    auto stream = s.request("POST", "/echo/000/s1/xhr_streaming", {}, 1);
    // The client aborted the stream and polls again: the new poll reaches loop 0 before
    // loop 1 has handled the abort. The round trip through loop 1 puts them in order.
    stream->gone = true;
    auto poll = std::make_shared<fake_exchange>(s.loops[0]);
    net::http_request req;
    req.method = "POST";
    req.path = "/echo/000/s1/xhr";
    req.peer = net::peer_address(Poco::Net::SocketAddress("127.0.0.1", 40000));
    s.loops[0].enter([&] { s.srv.handle(poll, req); });
    stream->abort();  // queued on loop 1 before the round trip's post
    s.settle();
    CHECK(poll->body == "c[1002,\"Connection interrupted\"]\n");
}

TEST_CASE("request_dispatch: /info takes its entropy from the injected source", "[sockjs_layer][request_dispatch]") {
    in_memory_server s;
    auto r = s.request("GET", "/echo/info");
    REQUIRE(r->status == 200);
    const auto first = static_cast<std::uint32_t>(0x9e3779b97f4a7c15ull);
    CHECK(r->body.find("\"entropy\":" + std::to_string(first)) != std::string::npos);
}

TEST_CASE("request_dispatch: cached responses expire a year after the injected wall clock",
          "[sockjs_layer][request_dispatch]") {
    in_memory_server s;
    auto r = s.request("GET", "/echo/iframe.html");
    REQUIRE(r->status == 200);
    header_list h;
    append_cache_for_a_year_headers(h, s.clock->unix_seconds());
    std::optional<std::string> expires;
    for (const auto& [n, v] : h)
        if (n == "Expires") expires = v;
    REQUIRE(expires);
    CHECK(r->header("Expires") == expires);
}

TEST_CASE("request_dispatch: a path under no service is the core's 404", "[sockjs_layer][request_dispatch]") {
    in_memory_server s;
    auto r = s.request("GET", "/other/000/s1/xhr");
    CHECK(r->status == 404);
    CHECK(r->body == not_found_response().body);
}

TEST_CASE("request_dispatch: bind_session_to_address refuses another address's request as not found",
          "[sockjs_layer][request_dispatch]") {
    service_options o;
    o.bind_session_to_address = true;
    in_memory_server s(o);
    s.request("POST", "/echo/000/s1/xhr");
    auto ex = std::make_shared<fake_exchange>(s.loops[0]);
    net::http_request req;
    req.method = "POST";
    req.path = "/echo/000/s1/xhr_send";
    req.body = "[\"x\"]";
    req.peer = net::peer_address(Poco::Net::SocketAddress("127.0.0.2", 40000));
    s.loops[0].enter([&] { s.srv.handle(ex, req); });
    s.settle();
    CHECK(ex->status == 404);
    CHECK(s.log->size() == 1);
}

TEST_CASE("request_dispatch: the core sees each header by any case of its name, the first of several",
          "[sockjs_layer][request_dispatch]") {
    // make_info() reads the headers in one pass; find() took the first match, so does it.
    in_memory_server s;
    auto r = s.request("OPTIONS", "/echo/000/s1/xhr_send", {}, 0,
                       {{"origin", "http://a.example"},
                        {"ACCESS-CONTROL-REQUEST-HEADERS", "x-first"},
                        {"Origin", "http://b.example"},
                        {"Access-Control-Request-Headers", "x-second"}});
    REQUIRE(r->status == 204);
    CHECK(r->header("Access-Control-Allow-Origin") == "http://a.example");
    CHECK(r->header("Access-Control-Allow-Headers") == "x-first");
    CHECK(r->header("Access-Control-Allow-Credentials") == "true");
}

TEST_CASE("request_dispatch: xhr_send reads the body in place and leaves it to the connection",
          "[sockjs_layer][request_dispatch]") {
    // Same loop: the session reads req.body where it is; the connection keeps the buffer for
    // its next request (tcp_connection::dispatch clears it after the handler).
    in_memory_server s;
    auto poll = s.request("POST", "/echo/000/s1/xhr");
    REQUIRE(poll->body == "o\n");
    auto ex = std::make_shared<fake_exchange>(s.loops[0]);
    net::http_request req;
    req.method = "POST";
    req.path = "/echo/000/s1/xhr_send";
    req.body = "[\"in place\"]";
    req.peer = net::peer_address(Poco::Net::SocketAddress("127.0.0.1", 40000));
    s.loops[0].enter([&] { s.srv.handle(ex, req); });
    s.settle();
    CHECK(ex->status == 204);
    CHECK(req.body == "[\"in place\"]");
    auto next = s.request("POST", "/echo/000/s1/xhr");
    CHECK(next->body == "a[\"in place\"]\n");
}
