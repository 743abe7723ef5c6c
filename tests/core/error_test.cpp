#include <sockjs/error.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <system_error>

using sockjs::errc;

namespace {
const errc all_errors[] = {errc::empty_payload,      errc::broken_json,    errc::missing_callback,
                           errc::invalid_callback,   errc::message_too_large, errc::bad_frame,
                           errc::unexpected_frame,   errc::session_not_open, errc::queue_full,
                           errc::invalid_close_code, errc::reason_too_long};
}

TEST_CASE("error messages are the protocol's exact texts where it has them", "[error]") {
    // sockjs-protocol.py looks for these substrings in 500 bodies.
    CHECK(sockjs::message(errc::empty_payload) == "Payload expected.");
    CHECK(sockjs::message(errc::broken_json) == "Broken JSON encoding.");
    CHECK(sockjs::message(errc::missing_callback) == "\"callback\" parameter required");
    CHECK(sockjs::message(errc::invalid_callback) == "invalid \"callback\" parameter");
}

TEST_CASE("every error has its own non-empty message", "[error]") {
    std::set<std::string> seen;
    for (errc e : all_errors) {
        const auto m = sockjs::message(e);
        INFO(static_cast<int>(e));
        CHECK(!m.empty());
        CHECK(seen.insert(std::string(m)).second);
        CHECK(m != sockjs::message(errc::ok));
    }
    CHECK(sockjs::message(static_cast<errc>(9999)) != sockjs::message(errc::ok));
}

TEST_CASE("errc converts to std::error_code in the sockjs category", "[error]") {
    std::error_code ec = errc::broken_json;  // implicit, through is_error_code_enum
    CHECK(ec.category() == sockjs::error_category());
    CHECK(std::string(ec.category().name()) == "sockjs");
    CHECK(ec.message() == "Broken JSON encoding.");
    CHECK(ec == sockjs::make_error_code(errc::broken_json));
    CHECK(ec != sockjs::make_error_code(errc::bad_frame));
    CHECK(ec);  // a failure is truthy
    CHECK_FALSE(sockjs::make_error_code(errc::ok));
    for (errc e : all_errors) CHECK(sockjs::make_error_code(e).message() == sockjs::message(e));
}
