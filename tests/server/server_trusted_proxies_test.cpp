// server_options::trusted_proxies: which peers' Forwarded / X-Forwarded-For headers are
// believed, and which hop is the client; end to end, what remote_address() says.

#include "server_test_util.hpp"
#include "trusted_proxies.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace sjt;
using sockjs::detail::trusted_proxies;
using Poco::Net::IPAddress;

namespace {

Poco::Net::NameValueCollection hdrs(std::initializer_list<std::pair<const char*, const char*>> list) {
    Poco::Net::NameValueCollection c;
    for (const auto& [k, v] : list) c.add(k, v);
    return c;
}

std::string client_of(const trusted_proxies& t, const char* peer, const Poco::Net::NameValueCollection& h) {
    auto c = t.client(IPAddress(peer), h);
    return c ? c->toString() : "-";
}

}  // namespace

TEST_CASE("trusted proxies: addresses and CIDRs, v4 and v6", "[proxies]") {
    trusted_proxies t({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"});
    CHECK(t.trusted(IPAddress("10.200.3.4")));
    CHECK(t.trusted(IPAddress("192.168.1.7")));
    CHECK_FALSE(t.trusted(IPAddress("192.168.1.8")));
    CHECK_FALSE(t.trusted(IPAddress("11.0.0.1")));
    CHECK(t.trusted(IPAddress("fd12::5")));
    CHECK(t.trusted(IPAddress("::1")));
    CHECK_FALSE(t.trusted(IPAddress("2001:db8::1")));
    CHECK(t.trusted(IPAddress("::ffff:10.1.2.3")));  // IPv4 on a dual-stack socket
    CHECK_THROWS_AS(trusted_proxies({"10.0.0.0/33"}), std::invalid_argument);
    CHECK_THROWS_AS(trusted_proxies({"proxy.example"}), std::invalid_argument);
}

TEST_CASE("trusted proxies: the rightmost untrusted hop is the client", "[proxies]") {
    trusted_proxies t({"10.0.0.0/8"});
    // The client may write anything left of itself: it is skipped.
    CHECK(client_of(t, "10.0.0.1", hdrs({{"X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.0.0.2"}})) == "203.0.113.7");
    CHECK(client_of(t, "10.0.0.1", hdrs({{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "203.0.113.7"}})) ==
          "203.0.113.7");
    // Forwarded wins over X-Forwarded-For; quoted v6 with a port, upper-case FOR.
    CHECK(client_of(t, "10.0.0.1",
                    hdrs({{"Forwarded", "for=6.6.6.6, FOR=\"[2001:db8:cafe::17]:4711\";proto=https"},
                          {"X-Forwarded-For", "198.51.100.1"}})) == "2001:db8:cafe::17");
    CHECK(client_of(t, "10.0.0.1", hdrs({{"Forwarded", "for=192.0.2.60:8080;by=10.0.0.1"}})) == "192.0.2.60");
    // Garbage stops the walk: nothing left of it is believed.
    CHECK(client_of(t, "10.0.0.1", hdrs({{"X-Forwarded-For", "203.0.113.7, garbage"}})) == "-");
    CHECK(client_of(t, "10.0.0.1", hdrs({{"Forwarded", "for=unknown"}})) == "-");
    // Every hop trusted: the leftmost.
    CHECK(client_of(t, "10.0.0.1", hdrs({{"X-Forwarded-For", "10.1.1.1, 10.2.2.2"}})) == "10.1.1.1");
    // An untrusted peer's headers are ignored.
    CHECK(client_of(t, "203.0.113.9", hdrs({{"X-Forwarded-For", "1.2.3.4"}})) == "-");
    CHECK(client_of(t, "10.0.0.1", hdrs({})) == "-");
}

namespace {

// remote_address() as the session sees it, for an xhr session opened with `hs`.
std::string remote_seen(const std::vector<std::string>& trusted, const headers& hs) {
    auto opts = test_options();
    opts.trusted_proxies = trusted;
    test_server s([](sockjs::server& srv) {
        srv.route("/who", sockjs::handlers{.on_open = [](sockjs::connection& c) { c.send(c.remote_address()); }});
    }, opts);
    const std::string url = "/who/000/" + new_id() + "/xhr";
    REQUIRE(http(s.port, "POST", url, hs).body == "o\n");
    const auto body = http(s.port, "POST", url, hs).body;
    REQUIRE(body.size() > 6);
    return body.substr(3, body.size() - 6);  // a["..."]\n
}

}  // namespace

TEST_CASE("trusted proxies: remote_address() is the client behind a trusted proxy", "[proxies]") {
    CHECK(remote_seen({"127.0.0.0/8"}, {{"X-Forwarded-For", "203.0.113.7"}}) == "203.0.113.7");
    CHECK(remote_seen({"127.0.0.1"}, {{"Forwarded", "for=\"[2001:db8::5]:1234\""}}) == "2001:db8::5");
}

TEST_CASE("trusted proxies: an untrusted peer's X-Forwarded-For changes nothing", "[proxies]") {
    const auto none = remote_seen({}, {{"X-Forwarded-For", "203.0.113.7"}});
    CHECK(none.rfind("127.0.0.1:", 0) == 0);
    const auto other = remote_seen({"10.0.0.0/8"}, {{"X-Forwarded-For", "203.0.113.7"}});
    CHECK(other.rfind("127.0.0.1:", 0) == 0);
}
