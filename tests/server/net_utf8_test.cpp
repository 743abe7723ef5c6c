#include "net/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

using sockjs::net::utf8_valid;

TEST_CASE("utf8: well-formed text") {
    CHECK(utf8_valid(""));
    CHECK(utf8_valid("plain ascii, long enough to take the eight-byte path"));
    CHECK(utf8_valid("\xc3\xa9"));              // é
    CHECK(utf8_valid("\xe2\x82\xac"));          // €
    CHECK(utf8_valid("\xed\x9f\xbf"));          // U+D7FF, just below the surrogates
    CHECK(utf8_valid("\xf0\x9f\x98\x80"));      // 😀
    CHECK(utf8_valid("\xf4\x8f\xbf\xbf"));      // U+10FFFF
    CHECK(utf8_valid(std::string("nul\0inside", 10)));
    CHECK(utf8_valid("12345678\xc3\xa9" "12345678"));
}

TEST_CASE("utf8: malformed text") {
    CHECK_FALSE(utf8_valid("\x80"));                 // lone continuation
    CHECK_FALSE(utf8_valid("\xc3"));                 // truncated
    CHECK_FALSE(utf8_valid("\xc3\x28"));             // bad continuation
    CHECK_FALSE(utf8_valid("\xc0\xaf"));             // overlong '/'
    CHECK_FALSE(utf8_valid("\xe0\x80\xaf"));         // overlong
    CHECK_FALSE(utf8_valid("\xed\xa0\x80"));         // surrogate U+D800
    CHECK_FALSE(utf8_valid("\xf0\x80\x80\xaf"));     // overlong
    CHECK_FALSE(utf8_valid("\xf4\x90\x80\x80"));     // above U+10FFFF
    CHECK_FALSE(utf8_valid("\xf5\x80\x80\x80"));
    CHECK_FALSE(utf8_valid("\xff"));
    CHECK_FALSE(utf8_valid("abcdefgh\xe2\x82"));     // truncated after the fast path
}
