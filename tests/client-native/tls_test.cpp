// The client over TLS (https:// URLs: wss for the WebSocket, https for xhr) against our server
// and against the reference server behind node's https, each on every transport; certificate
// verification against a CA file, the system store (which does not know the test CA), and the
// explicit no-verify switch.

#include <sockjs/client/connection.hpp>

#include "support/events.hpp"
#include "support/server_process.hpp"
#include "test_certs.hpp"

#include <catch2/catch.hpp>

using namespace sockjs::client;
using namespace sockjs::client::test;
using sockjs::client_transport;
using sockjs::errc;

namespace {

options tls_only(client_transport t, const std::string& ca = sockjs_test::cert_file("ca.pem")) {
    options o;
    o.transports = {t};
    o.tls.ca_file = ca;
    return o;
}

server_process& tls_server(server_kind k) {
    static std::unique_ptr<server_process> servers[2];
    auto& s = servers[k == server_kind::reference ? 0 : 1];
    if (!s) s = std::make_unique<server_process>(k, true);
    return *s;
}

void check_tls_echo(server_kind k, client_transport t) {
    connection c(tls_server(k).url("/echo"), tls_only(t));
    auto e = next(c);
    INFO("last error: " << c.last_error());
    REQUIRE(e);
    REQUIRE(kind_name(e->kind) == std::string("open"));
    CHECK(c.transport() == sockjs::name(t));
    const std::vector<std::string> sent = {"one", "tw\xc3\xb6", std::string(100000, 'z'), "last"};
    for (const auto& m : sent) REQUIRE(c.send(m) == errc::ok);
    CHECK(messages(c, sent.size()) == sent);
    REQUIRE(c.close(1000, "done") == errc::ok);
    auto closed = wait_close(c);
    REQUIRE(closed);
    CHECK(closed->was_clean);
}

void check_refused(server_kind k, options o, const std::string& why) {
    o.transports = {client_transport::websocket};
    connection c(tls_server(k).url("/echo"), o);
    auto e = wait_close(c);
    REQUIRE(e);
    CHECK(e->code == 1002);
    CHECK_FALSE(e->was_clean);
    CHECK_THAT(c.last_error(), Catch::Contains(why));
}

}  // namespace

#define SOCKJS_TLS_CASES(KIND, KTAG)                                                                       \
    TEST_CASE(KTAG " tls: echo over wss (websocket)", "[" KTAG "][tls]") {                               \
        check_tls_echo(KIND, client_transport::websocket);                                                \
    }                                                                                                      \
    TEST_CASE(KTAG " tls: echo over https (xhr-streaming)", "[" KTAG "][tls]") {                         \
        check_tls_echo(KIND, client_transport::xhr_streaming);                                            \
    }                                                                                                      \
    TEST_CASE(KTAG " tls: echo over https (xhr-polling)", "[" KTAG "][tls]") {                           \
        check_tls_echo(KIND, client_transport::xhr_polling);                                              \
    }                                                                                                      \
    TEST_CASE(KTAG " tls: the system store does not trust the test CA: 1002", "[" KTAG "][tls]") {       \
        check_refused(KIND, options{}, "certificate verify failed");                                      \
    }                                                                                                      \
    TEST_CASE(KTAG " tls: a CA file of another CA: 1002", "[" KTAG "][tls]") {                           \
        options o;                                                                                         \
        o.tls.ca_file = sockjs_test::cert_file("other-ca.pem");                                           \
        check_refused(KIND, o, "certificate verify failed");                                              \
    }

SOCKJS_TLS_CASES(server_kind::own, "own")
SOCKJS_TLS_CASES(server_kind::reference, "ref")

TEST_CASE("own tls: insecure_skip_verify connects to a server no CA vouches for", "[own][tls]") {
    options o;
    o.transports = {client_transport::xhr_polling};
    o.tls.insecure_skip_verify = true;
    connection c(tls_server(server_kind::own).url("/echo"), o);
    auto e = next(c);
    INFO("last error: " << c.last_error());
    REQUIRE(e);
    CHECK(kind_name(e->kind) == std::string("open"));
}

TEST_CASE("tls: an unreadable CA file is refused at construction", "[none][tls]") {
    options o;
    o.tls.ca_file = "/nonexistent/ca.pem";
    CHECK_THROWS_AS(connection("https://127.0.0.1:1/echo", o), std::invalid_argument);
    CHECK_THROWS_AS(connection("ftp://127.0.0.1:1/echo"), std::invalid_argument);
}
