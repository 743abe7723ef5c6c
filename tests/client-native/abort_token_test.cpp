// abort_token: a blocked receive on a registered socket returns as soon as another thread
// aborts, and nothing can be registered afterwards.

#include "abort_token.hpp"

#include "support/port_lease.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>

using namespace std::chrono_literals;
using sockjs::client::detail::abort_token;

TEST_CASE("abort_token: abort wakes a thread blocked in receive", "[unit]") {
    sockjs::client::test::port_lease lease;
    Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", lease.port()));
    Poco::Net::StreamSocket client;
    client.connect(Poco::Net::SocketAddress("127.0.0.1", lease.port()));
    Poco::Net::StreamSocket peer = listener.acceptConnection();  // silent: never sends

    abort_token token;
    REQUIRE(token.attach(client));
    client.setReceiveTimeout(Poco::Timespan(20, 0));
    auto blocked = std::async(std::launch::async, [&] {
        char b[16];
        return client.receiveBytes(b, sizeof b);  // blocks: the peer sends nothing
    });
    CHECK(blocked.wait_for(100ms) == std::future_status::timeout);
    const auto start = std::chrono::steady_clock::now();
    token.abort();
    REQUIRE(blocked.wait_for(2s) == std::future_status::ready);
    CHECK(blocked.get() == 0);  // end of stream, not an error
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    CHECK(token.aborted());

    Poco::Net::StreamSocket another;
    CHECK_FALSE(token.attach(another));  // after abort, nothing new may block
    token.abort();                       // idempotent
}
