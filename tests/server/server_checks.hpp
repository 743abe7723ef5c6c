#pragma once
// Checks shared by the conformance tests: the header rules of the protocol (CORS, caching,
// 405 shape, content types), stated once.

#include "server_test_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>

namespace sjt {

inline std::string without_spaces(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    return s;
}

inline void check_content_type(const response& r, const std::string& expected) {
    REQUIRE(r.has("Content-Type"));
    CHECK(without_spaces(*r.header("Content-Type")) == expected);
}

/// With an Origin, it is echoed with credentials allowed; without one, `*` and no credentials.
inline void check_cors(const response& r, const std::optional<std::string>& origin) {
    if (origin) {
        CHECK(r.header("Access-Control-Allow-Origin") == *origin);
        CHECK(r.header("Access-Control-Allow-Credentials") == "true");
    } else {
        CHECK(r.header("Access-Control-Allow-Origin") == "*");
        CHECK_FALSE(r.has("Access-Control-Allow-Credentials"));
    }
}

inline void check_not_cached(const response& r) {
    CHECK(r.header("Cache-Control") == "no-store, no-cache, no-transform, must-revalidate, max-age=0");
    CHECK_FALSE(r.has("Expires"));
    CHECK_FALSE(r.has("Last-Modified"));
}

/// Cacheable for about a year: `public`, a max-age of at least seven digits, and Expires.
inline void check_cached_for_long(const response& r) {
    auto cc = r.header("Cache-Control").value_or("");
    CHECK(cc.find("public") != std::string::npos);
    CHECK(std::regex_search(cc, std::regex("max-age=[1-9][0-9]{6}")));
    CHECK(r.has("Expires"));
}

inline void check_405(const response& r) {
    CHECK(r.status == 405);
    CHECK_FALSE(r.has("Content-Type"));
    CHECK(r.has("Allow"));
    CHECK(r.body.empty());
}

inline void check_no_cookie(const response& r) { CHECK_FALSE(r.has("Set-Cookie")); }

/// A CORS preflight for `target` answering `methods` (e.g. "OPTIONS, POST").
inline void check_options(std::uint16_t port, const std::string& target, const std::string& methods) {
    for (std::string origin : {"test", "null"}) {
        INFO("OPTIONS " << target << " with Origin " << origin);
        auto r = http(port, "OPTIONS", target, {{"Access-Control-Request-Method", methods}, {"Origin", origin}});
        CHECK((r.status == 204 || r.status == 200));
        check_cached_for_long(r);
        CHECK(std::stol(r.header("Access-Control-Max-Age").value_or("0")) > 1000000);
        auto allowed = r.header("Access-Control-Allow-Methods").value_or("");
        std::size_t start = 0;
        while (start < methods.size()) {
            auto comma = methods.find(',', start);
            auto m = methods.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            m.erase(0, m.find_first_not_of(' '));
            CHECK(allowed.find(m) != std::string::npos);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        CHECK(r.body.empty());
        check_cors(r, origin);
    }
}

}  // namespace sjt
