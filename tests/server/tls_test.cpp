// TLS on the server itself (only in sockjs_server_tls_tests, where every conformance test runs
// over https/wss too): what is refused (plain HTTP on the TLS port, protocols below the floor,
// clients without a certificate under mutual TLS), start-up errors that name the file, and
// messages larger than one TLS record in both directions.

#include "server_checks.hpp"
#include "test_certs.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <stdexcept>

using namespace sjt;
using sockjs_test::cert_file;

namespace {

using Poco::Net::Context;

std::string ws_url() { return "/echo/000/" + new_id() + "/websocket"; }

// A TLS client with a context of the test's choosing; returns the handshake's outcome.
bool tls_handshake(std::uint16_t port, Context::Ptr ctx) {
    Poco::Net::StreamSocket tcp;
    tcp.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(3, 0));
    tcp.setReceiveTimeout(Poco::Timespan(3, 0));
    try {
        auto s = Poco::Net::SecureStreamSocket::attach(tcp, "localhost", ctx);
        // TLS 1.3 reports a refused client certificate only at the first read.
        const std::string req = "GET /echo/info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        s.sendBytes(req.data(), static_cast<int>(req.size()));
        char buf[512];
        return s.receiveBytes(buf, sizeof buf) > 0;
    } catch (const Poco::Exception&) {
        return false;
    }
}

Context::Ptr client_context(const std::string& cert = {}, const std::string& key = {}) {
    if (cert.empty())
        return new Context(Context::TLS_CLIENT_USE, cert_file("ca.pem"), Context::VERIFY_STRICT);
    return new Context(Context::TLS_CLIENT_USE, key, cert, cert_file("ca.pem"), Context::VERIFY_STRICT);
}

}  // namespace

TEST_CASE("tls: a WebSocket message of 1 MiB crosses many records both ways", "[tls]") {
    test_server s;
    ws_client ws(s.port, ws_url());
    REQUIRE(ws.recv().data == "o");
    std::string big(1u << 20, 'x');
    for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
    ws.send_text("[\"" + big + "\"]");
    auto m = ws.recv();
    CHECK(m.data == "a[\"" + big + "\"]");
}

TEST_CASE("tls: many small messages on one wss connection arrive in order", "[tls]") {
    test_server s;
    ws_client ws(s.port, ws_url());
    REQUIRE(ws.recv().data == "o");
    for (int i = 0; i < 200; ++i) ws.send_text("[\"m" + std::to_string(i) + "\"]");
    std::string got;
    while (got.find("\"m199\"") == std::string::npos) got += ws.recv().data;
    for (int i = 0; i < 200; ++i) CHECK(got.find("\"m" + std::to_string(i) + "\"") != std::string::npos);
}

TEST_CASE("tls: plain HTTP on the TLS port gets a plain 400 that says so, and the server keeps serving", "[tls]") {
    test_server s;
    Poco::Net::StreamSocket plain;
    plain.connect(Poco::Net::SocketAddress("127.0.0.1", s.port), Poco::Timespan(3, 0));
    plain.setReceiveTimeout(Poco::Timespan(3, 0));
    const std::string req = "GET /echo/info HTTP/1.1\r\nHost: h\r\n\r\n";
    plain.sendBytes(req.data(), static_cast<int>(req.size()));
    std::string got;
    char buf[1024];
    try {
        for (int n; (n = plain.receiveBytes(buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    } catch (const Poco::Net::ConnectionResetException&) {
    }
    CHECK(got.rfind("HTTP/1.1 400 ", 0) == 0);
    CHECK(got.find("Connection: close\r\n") != std::string::npos);
    CHECK(got.find("\r\n\r\nThis port speaks HTTPS") != std::string::npos);
    CHECK(http(s.port, "GET", "/echo/info").status == 200);
}

TEST_CASE("tls: a client that trusts another CA refuses the server", "[tls]") {
    test_server s;
    Context::Ptr other = new Context(Context::TLS_CLIENT_USE, cert_file("other-ca.pem"), Context::VERIFY_STRICT);
    CHECK_FALSE(tls_handshake(s.port, other));
    CHECK(tls_handshake(s.port, client_context()));
}

TEST_CASE("tls: the protocol floor refuses clients below it", "[tls]") {
    auto opts = test_options();
    opts.tls.tls13_only = true;
    test_server s(add_suite_services, opts);
    auto tls12 = client_context();
    tls12->disableProtocols(Context::PROTO_TLSV1_3);
    CHECK_FALSE(tls_handshake(s.port, tls12));
    CHECK(tls_handshake(s.port, client_context()));
}

TEST_CASE("tls: with a client CA, only clients with a certificate it signed get in", "[tls]") {
    auto opts = test_options();
    opts.tls.client_ca_file = cert_file("ca.pem");
    test_server s(add_suite_services, opts);
    CHECK_FALSE(tls_handshake(s.port, client_context()));
    CHECK_FALSE(tls_handshake(s.port, client_context(cert_file("stranger.pem"), cert_file("stranger.key"))));
    CHECK(tls_handshake(s.port, client_context(cert_file("client.pem"), cert_file("client.key"))));
}

TEST_CASE("tls: start-up errors name the file and the reason", "[tls]") {
    auto missing = test_options();
    missing.tls.private_key_file = cert_file("nonexistent.key");
    sockjs::server a(missing);
    try {
        a.start();
        FAIL("started without its key");
    } catch (const std::runtime_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("nonexistent.key"));
    }

    auto mismatch = test_options();
    mismatch.tls.private_key_file = cert_file("stranger.key");
    sockjs::server b(mismatch);
    try {
        b.start();
        FAIL("started with a key that is not the certificate's");
    } catch (const std::runtime_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("does not match"));
    }
}
