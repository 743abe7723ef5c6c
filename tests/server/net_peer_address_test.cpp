// peer_address: a connection's peer kept inline gives back the address it was made from.

#include "net/peer_address.hpp"

#include <catch2/catch.hpp>

#include <type_traits>

using sockjs::net::peer_address;
using Poco::Net::SocketAddress;

TEST_CASE("peer_address: IPv4 and IPv6 addresses come back with their ports") {
    const SocketAddress v4("127.0.0.1", 54321);
    const peer_address p4(v4);
    CHECK(p4.get() == v4);
    CHECK(p4.get().family() == SocketAddress::IPv4);
    CHECK(p4.to_string() == "127.0.0.1:54321");

    const SocketAddress v6("[::1]:8080");
    const peer_address p6(v6);
    CHECK(p6.get() == v6);
    CHECK(p6.get().family() == SocketAddress::IPv6);
    CHECK(p6.to_string() == "[::1]:8080");

    const SocketAddress mapped("[2001:db8::7]:1");
    CHECK(peer_address(mapped).get().host().toString() == "2001:db8::7");
    CHECK(peer_address(mapped).get().port() == 1);
}

TEST_CASE("peer_address: holds the address itself, not a pointer to it") {
    // What it is for: no heap object per connection (POCO's SocketAddress is a pointer), and
    // a request's copy of it allocates nothing (http_request::peer).
    STATIC_REQUIRE(sizeof(peer_address) == sizeof(sockaddr_in6));
    STATIC_REQUIRE(std::is_trivially_copyable_v<peer_address>);
}

TEST_CASE("peer_address: a default one is 0.0.0.0:0, as POCO's default SocketAddress") {
    CHECK(peer_address().get() == SocketAddress());
    CHECK(peer_address().to_string() == "0.0.0.0:0");
}
