#include <sockjs/frame.hpp>
#include <sockjs/payload.hpp>

#include "test_unicode.hpp"
#include "test_vectors.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sockjs_test;
using sockjs::errc;
using sockjs::frame_type;

namespace {

std::string type_name(frame_type t) {
    switch (t) {
    case frame_type::open: return "open";
    case frame_type::heartbeat: return "heartbeat";
    case frame_type::messages: return "messages";
    case frame_type::close: return "close";
    }
    return "?";
}

std::string random_message(lcg& r) {
    std::string s;
    const auto len = r.below(12);
    for (std::uint32_t i = 0; i < len; ++i) {
        std::uint32_t cp = interesting_code_point(r);
        // A lone low surrogate right after a high one would merge into one code point.
        if (cp >= 0xDC00 && cp <= 0xDFFF) cp = 'L';
        s += utf8(cp);
    }
    return s;
}

}  // namespace

TEST_CASE("frame encoders write the protocol's bytes", "[frame]") {
    CHECK(sockjs::open_frame == "o");
    CHECK(sockjs::heartbeat_frame == "h");
    CHECK(sockjs::messages_frame({"x"}) == R"(a["x"])");
    CHECK(sockjs::messages_frame({"abc", "%61bc"}) == R"(a["abc","%61bc"])");
    CHECK(sockjs::messages_frame({}) == "a[]");
    CHECK(sockjs::messages_frame({"", "\"\\\n\xe2\x80\xa8"}) == R"(a["","\"\\\n\u2028"])");
    CHECK(sockjs::messages_frame_from_escaped(R"("a","b")") == R"(a["a","b"])");
    CHECK(sockjs::messages_frame_from_escaped("") == "a[]");
    CHECK(sockjs::close_frame(3000, "Go away!") == R"(c[3000,"Go away!"])");
    CHECK(sockjs::close_frame(2010, "Another connection still open") ==
          R"(c[2010,"Another connection still open"])");
    CHECK(sockjs::close_frame(1002, "Connection interrupted") == R"(c[1002,"Connection interrupted"])");
    CHECK(sockjs::close_frame(1000, "") == R"(c[1000,""])");
    CHECK(sockjs::close_frame(4000, "a\"b\xe2\x81\xa0") == R"(c[4000,"a\"b\u2060"])");
    CHECK(sockjs::encode_client_messages({"a", "b"}) == R"(["a","b"])");
    CHECK(sockjs::encode_client_messages({}) == "[]");
    CHECK(sockjs::encode_client_messages({"\xed\xa0\x80"}) == R"(["\ud800"])");
}

TEST_CASE("parse_frame: protocol vectors", "[frame]") {
    for (const auto& v : load_vectors("frame.vectors")) {
        INFO("frame.vectors line " << v.line << ": " << v.get("frame"));
        const auto f = sockjs::parse_frame(v.get("frame"));
        if (v.get("type") == "bad_frame") {
            CHECK(f.error() == errc::bad_frame);
            continue;
        }
        REQUIRE(f.ok());
        CHECK(type_name(f->type) == v.get("type"));
        CHECK(f->messages == v.all("message"));
        CHECK(f->code == (v.has("code") ? std::stoi(v.get("code")) : 0));
        CHECK(f->reason == v.get("reason"));
    }
}

TEST_CASE("frames round-trip through encode and parse", "[frame]") {
    lcg r(3);
    for (int n = 0; n < 5000; ++n) {
        std::vector<std::string> messages(r.below(5));
        for (auto& m : messages) m = random_message(r);
        const auto a = sockjs::parse_frame(sockjs::messages_frame(messages));
        REQUIRE(a.ok());
        REQUIRE(a->type == frame_type::messages);
        REQUIRE(a->messages == messages);

        const int code = static_cast<int>(r.below(5000));
        const std::string reason = random_message(r);
        const auto c = sockjs::parse_frame(sockjs::close_frame(code, reason));
        REQUIRE(c.ok());
        REQUIRE(c->type == frame_type::close);
        REQUIRE(c->code == code);
        REQUIRE(c->reason == reason);

        std::vector<std::string> decoded;
        REQUIRE(sockjs::decode_messages(sockjs::encode_client_messages(messages), sockjs::payload_format::array,
                                        decoded) == errc::ok);
        REQUIRE(decoded == messages);
    }
}

TEST_CASE("parse_frame: every proper prefix of a frame is bad", "[frame]") {
    for (std::string whole : {std::string(R"(a["x","\u00e9\"y"])"), std::string(R"(c[3000,"Go away!"])")}) {
        REQUIRE(sockjs::parse_frame(whole).ok());
        for (std::size_t n = 0; n < whole.size(); ++n) {
            INFO(whole.substr(0, n));
            CHECK(sockjs::parse_frame(whole.substr(0, n)).error() == errc::bad_frame);
        }
    }
}

TEST_CASE("parse_frame: mutated frames parse or fail with bad_frame, never anything else", "[frame]") {
    const std::string seeds[] = {R"(a["x","\ud800",""])", R"(c[3000,"Go \"away\"!"])", "o", "h"};
    const char alphabet[] = "ahoc[]\",\\u09 -.\x01\xc3\xed\xff";
    lcg r(11);
    int parsed = 0;
    for (int n = 0; n < 20000; ++n) {
        std::string text = seeds[r.below(4)];
        const auto edits = 1 + r.below(3);
        for (std::uint32_t k = 0; k < edits; ++k) {
            const auto at = r.below(static_cast<std::uint32_t>(text.size()) + 1);
            const char c = alphabet[r.below(sizeof alphabet - 1)];
            if (r.below(2) == 0 || at == text.size()) {
                text.insert(text.begin() + at, c);
            } else if (r.below(2) == 0) {
                text[at] = c;
            } else {
                text.erase(at, 1);
            }
        }
        INFO(text);
        const auto f = sockjs::parse_frame(text);
        if (!f.ok()) {
            REQUIRE(f.error() == errc::bad_frame);
            continue;
        }
        ++parsed;
        // Anything accepted means what its re-encoding means.
        std::string again;
        switch (f->type) {
        case frame_type::open: again = std::string(sockjs::open_frame); break;
        case frame_type::heartbeat: again = std::string(sockjs::heartbeat_frame); break;
        case frame_type::messages: again = sockjs::messages_frame(f->messages); break;
        case frame_type::close: again = sockjs::close_frame(f->code, f->reason); break;
        }
        const auto g = sockjs::parse_frame(again);
        REQUIRE(g.ok());
        REQUIRE(g->type == f->type);
        REQUIRE(g->messages == f->messages);
        REQUIRE(g->code == f->code);
        REQUIRE(g->reason == f->reason);
    }
    CHECK(parsed > 100);
}
