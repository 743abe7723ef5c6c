// parse_info (core/src/client_info.cpp): the /info fields, and agreement with Boost.JSON (the
// library the reader replaced in the client role) on valid and broken bodies.
#include <sockjs/client.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

using namespace sockjs;

namespace {

// The former Boost.JSON reading of /info, as the oracle.
result<server_info> boost_info(std::string_view body) {
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
    if (ec || !v.is_object()) return errc::bad_frame;
    const auto& o = v.get_object();
    server_info info;
    if (auto* p = o.if_contains("websocket"); p && p->is_bool()) info.websocket = p->get_bool();
    if (auto* p = o.if_contains("cookie_needed"); p && p->is_bool()) info.cookie_needed = p->get_bool();
    if (auto* p = o.if_contains("origins"); p && p->is_array())
        for (const auto& e : p->get_array())
            if (e.is_string()) info.origins.emplace_back(e.get_string());
    if (auto* p = o.if_contains("entropy")) {
        if (p->is_int64())
            info.entropy = static_cast<std::uint32_t>(p->get_int64());
        else if (p->is_uint64())
            info.entropy = static_cast<std::uint32_t>(p->get_uint64());
        else if (p->is_double() && p->get_double() >= 0 && p->get_double() < 4294967296.0)
            info.entropy = static_cast<std::uint32_t>(p->get_double());
    }
    return info;
}

void check_same(std::string_view body) {
    INFO("body: " << body);
    // Boost.JSON refuses exponents beyond INT_MAX digits' worth, a limit of its own: JSON.parse
    // reads such numbers (as Infinity or 0), and so does parse_info.
    boost::json::error_code ec;
    boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
    if (ec == boost::json::error::exponent_overflow) return;
    const auto ours = parse_info(body);
    const auto theirs = boost_info(body);
    REQUIRE(ours.ok() == theirs.ok());
    if (!ours.ok()) return;
    CHECK(ours->websocket == theirs->websocket);
    CHECK(ours->cookie_needed == theirs->cookie_needed);
    CHECK(ours->origins == theirs->origins);
    // A decimal of more than 15 significant digits may round differently (parse_info's
    // entropy is exact up to there, see client_info.cpp): such bodies compare the rest.
    static const std::regex long_number(R"("entropy":-?([0-9]{16,}[.eE]|[0-9]*\.[0-9]*[0-9]{16,}))");
    const bool long_decimal = std::regex_search(std::string(body), long_number);
    if (!long_decimal) CHECK(ours->entropy == theirs->entropy);
}

const std::vector<std::string> seeds = {
    R"({"websocket":true,"cookie_needed":false,"origins":["*:*"],"entropy":3735928559})",
    R"( { "websocket" : false , "origins" : [ "a" , 1 , null , ["x"] , {"k":"v"} ] } )",
    R"({"entropy":-12,"x":{"a":[1,2.5e3,-0.25E-2,true,false,null,"\"\\\/\b\f\n\r\t\u00e9"]},"cookie_needed":true})",
    R"({"entropy":1.5e2,"websocket":"no","origins":"*","websocket":false,"entropy":18446744073709551615})",
    R"({"entropy":99999999999999999999,"e2":-9223372036854775809,"e3":0.000001,"e4":1e400})",
};

}  // namespace

TEST_CASE("parse_info reads the /info object", "[client]") {
    auto i = parse_info(R"({"websocket":false,"cookie_needed":true,"origins":["*:*"],"entropy":4294967295})");
    REQUIRE(i.ok());
    CHECK_FALSE(i->websocket);
    CHECK(i->cookie_needed);
    CHECK(i->origins == std::vector<std::string>{"*:*"});
    CHECK(i->entropy == 4294967295u);

    auto d = parse_info(" { } ");
    REQUIRE(d.ok());
    CHECK(d->websocket);
    CHECK_FALSE(d->cookie_needed);
    CHECK(d->origins.empty());
    CHECK(d->entropy == 0);

    // As sockjs-client: only a literal false disables WebSocket; odd types keep defaults.
    auto odd = parse_info(R"({"websocket":"false","cookie_needed":1,"origins":"x","entropy":"7"})");
    REQUIRE(odd.ok());
    CHECK(odd->websocket);
    CHECK_FALSE(odd->cookie_needed);
    CHECK(odd->origins.empty());
    CHECK(odd->entropy == 0);
    CHECK(parse_info(R"({"entropy":12.0})")->entropy == 12);

    for (const char* bad : {"", "[]", "\"x\"", "{", "{\"websocket\":true", "null", "42", "{} x"})
        CHECK(parse_info(bad).error() == errc::bad_frame);
}

TEST_CASE("parse_info: the last value of a repeated key counts, as in JSON.parse", "[client]") {
    auto i = parse_info(R"({"websocket":false,"websocket":"x","origins":["a"],"origins":["b","c"]})");
    REQUIRE(i.ok());
    CHECK(i->websocket);
    CHECK(i->origins == std::vector<std::string>{"b", "c"});
}

TEST_CASE("parse_info: a lone surrogate escape is accepted, as JSON.parse accepts it", "[client]") {
    auto i = parse_info(R"({"origins":["\ud800"]})");
    REQUIRE(i.ok());
    CHECK(i->origins == std::vector<std::string>{"\xED\xA0\x80"});
}

TEST_CASE("parse_info agrees with Boost.JSON on valid bodies and every broken variant of them", "[client]") {
    const std::string marks = "{}[],:\"\\ -.eE+0tfnu";
    for (const auto& seed : seeds) {
        check_same(seed);
        for (std::size_t i = 0; i <= seed.size(); ++i) {
            check_same(seed.substr(0, i));                                   // truncated
            if (i == seed.size()) continue;
            check_same(seed.substr(0, i) + seed.substr(i + 1));              // one byte less
            for (char m : marks) {
                check_same(seed.substr(0, i) + m + seed.substr(i));          // one byte more
                check_same(seed.substr(0, i) + m + seed.substr(i + 1));      // one byte other
            }
        }
    }
}

TEST_CASE("parse_info: nesting up to Boost.JSON's default depth, and no deeper", "[client]") {
    for (int depth = 28; depth <= 36; ++depth) {
        const std::string body = "{\"x\":" + std::string(static_cast<std::size_t>(depth), '[') +
                                 std::string(static_cast<std::size_t>(depth), ']') + "}";
        check_same(body);
    }
}

TEST_CASE("parse_info: bytes that are not UTF-8 inside a string do not void the answer", "[client]") {
    // sockjs-client reads /info as text (invalid bytes become U+FFFD) before JSON.parse, so the
    // answer still counts; Boost.JSON would have refused the whole body.
    auto i = parse_info("{\"websocket\":false,\"origins\":[\"\xFF\"]}");
    REQUIRE(i.ok());
    CHECK_FALSE(i->websocket);
    CHECK(i->origins == std::vector<std::string>{"\xEF\xBF\xBD"});
}
