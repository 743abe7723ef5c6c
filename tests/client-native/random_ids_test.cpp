// The random parts of session URLs.

#include "random_ids.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace sockjs::client::detail;

TEST_CASE("random ids: session ids are 8 characters of [a-z0-5], server ids 3 digits", "[unit]") {
    std::mt19937 rng(12345);
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto s = random_session_id(rng);
        REQUIRE(s.size() == 8);
        CHECK(s.find_first_not_of("abcdefghijklmnopqrstuvwxyz012345") == std::string::npos);
        seen.insert(s);
        const auto v = random_server_id(rng);
        REQUIRE(v.size() == 3);
        CHECK(v.find_first_not_of("0123456789") == std::string::npos);
    }
    CHECK(seen.size() == 200);  // 32^8 possibilities: a repeat would mean a broken generator
}
