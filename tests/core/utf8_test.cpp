#include <sockjs/utf8.hpp>

#include "test_unicode.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sockjs_test;
using sockjs::utf8_replace_invalid;
using sockjs::utf8_stream_validator;
using sockjs::utf8_valid;

namespace {

const std::string fffd = "\xEF\xBF\xBD";

std::string times(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

}  // namespace

TEST_CASE("utf8_valid: well-formed text", "[utf8]") {
    CHECK(utf8_valid(""));
    CHECK(utf8_valid("plain ascii, long enough to take the eight-byte path"));
    CHECK(utf8_valid("\xc3\xa9"));          // é
    CHECK(utf8_valid("\xe2\x82\xac"));      // €
    CHECK(utf8_valid("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
    CHECK(utf8_valid("\xee\x80\x80"));      // U+E000, just above them
    CHECK(utf8_valid("\xf0\x9f\x98\x80"));  // 😀
    CHECK(utf8_valid("\xf4\x8f\xbf\xbf"));  // U+10FFFF
    CHECK(utf8_valid(std::string("nul\0inside", 10)));
    CHECK(utf8_valid("12345678\xc3\xa9" "12345678"));
}

TEST_CASE("utf8_valid: malformed text", "[utf8]") {
    CHECK_FALSE(utf8_valid("\x80"));              // lone continuation
    CHECK_FALSE(utf8_valid("\xc3"));              // truncated
    CHECK_FALSE(utf8_valid("\xc3\x28"));          // bad continuation
    CHECK_FALSE(utf8_valid("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(utf8_valid("\xe0\x80\xaf"));      // overlong
    CHECK_FALSE(utf8_valid("\xed\xa0\x80"));      // surrogate U+D800 (WTF-8 / CESU-8)
    CHECK_FALSE(utf8_valid("\xed\xbf\xbf"));      // surrogate U+DFFF
    CHECK_FALSE(utf8_valid("\xf0\x80\x80\xaf"));  // overlong
    CHECK_FALSE(utf8_valid("\xf4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(utf8_valid("\xf5\x80\x80\x80"));
    CHECK_FALSE(utf8_valid("\xff"));
    CHECK_FALSE(utf8_valid("abcdefgh\xe2\x82"));  // truncated after the fast path
}

TEST_CASE("utf8_valid agrees with the reference on every code point and random bytes", "[utf8]") {
    for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        if (utf8_valid(utf8(cp)) == surrogate) {
            INFO("code point " << cp);
            REQUIRE(utf8_valid(utf8(cp)) != surrogate);
        }
    }
    lcg r(11);
    for (int n = 0; n < 20000; ++n) {
        std::string s;
        const auto len = r.below(20);
        for (std::uint32_t i = 0; i < len; ++i) {
            static const unsigned char bytes[] = {'a', 0x80, 0xBF, 0x9F, 0xA0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5};
            s += static_cast<char>(r.below(2) ? bytes[r.below(sizeof bytes)] : r.below(256));
        }
        INFO("case " << n);
        REQUIRE(utf8_valid(s) == (reference_replace_invalid(s, wtf8::no) == s));
    }
}

TEST_CASE("utf8_replace_invalid: lone surrogates become U+FFFD, as a JavaScript peer encodes them", "[utf8]") {
    CHECK(utf8_replace_invalid("\xed\xa0\x80") == fffd);                   // U+D800 in WTF-8
    CHECK(utf8_replace_invalid("a\xed\xbf\xbf" "b") == "a" + fffd + "b");  // U+DFFF
    // Low then high: two lone surrogates.
    CHECK(utf8_replace_invalid("\xed\xb0\x80\xed\xa0\x80") == fffd + fffd);
    // High then low, written separately: the character they stand for (U+10000).
    CHECK(utf8_replace_invalid("\xed\xa0\x80\xed\xb0\x80") == "\xf0\x90\x80\x80");
    // A high surrogate at the very end, or before a character that is not a low one.
    CHECK(utf8_replace_invalid("x\xed\xaf\xbf") == "x" + fffd);
    CHECK(utf8_replace_invalid("\xed\xa0\x80\xe2\x82\xac") == fffd + "\xe2\x82\xac");
}

TEST_CASE("utf8_replace_invalid: one U+FFFD per maximal subpart", "[utf8]") {
    // Unicode's own example (section 3.9, Table 3-8).
    CHECK(utf8_replace_invalid("a\xf1\x80\x80\xe1\x80\xc2" "b\x80" "c\x80\xbf" "d") ==
          "a" + times(fffd, 3) + "b" + fffd + "c" + times(fffd, 2) + "d");
    CHECK(utf8_replace_invalid("\xff\xfe") == fffd + fffd);
    CHECK(utf8_replace_invalid("ok\xe2\x82") == "ok" + fffd);
    CHECK(utf8_replace_invalid("\xc0\xaf") == fffd + fffd);
    CHECK(utf8_replace_invalid("\xf4\x90\x80\x80") == times(fffd, 4));
}

TEST_CASE("utf8_replace_invalid: well-formed text unchanged, output always well-formed", "[utf8]") {
    const std::string good = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf";
    CHECK(utf8_replace_invalid(good) == good);
    CHECK(utf8_replace_invalid("") == "");
    lcg r(5);
    for (int n = 0; n < 20000; ++n) {
        std::string s;
        const auto len = r.below(20);
        for (std::uint32_t i = 0; i < len; ++i) {
            if (r.below(3) == 0) s += utf8(interesting_code_point(r));
            else s += static_cast<char>(r.below(256));
        }
        const std::string out = utf8_replace_invalid(s);
        INFO("case " << n);
        REQUIRE(utf8_valid(out));
        REQUIRE(utf8_replace_invalid(out) == out);
    }
}

TEST_CASE("utf8_stream_validator: any split gives utf8_valid's answer, errors in the piece that holds them", "[utf8]") {
    lcg r(3);
    for (int n = 0; n < 5000; ++n) {
        std::string s;
        const auto len = r.below(12);
        for (std::uint32_t i = 0; i < len; ++i) {
            if (r.below(4) != 0) s += utf8(interesting_code_point(r));
            else s += static_cast<char>(0x80 + r.below(0x80));
        }
        const bool valid = utf8_valid(s);
        for (std::size_t a = 0; a <= s.size(); ++a)
            for (std::size_t b = a; b <= s.size(); ++b) {
                utf8_stream_validator v;
                const bool ok = v.feed(s.substr(0, a)) && v.feed(s.substr(a, b - a)) && v.feed(s.substr(b));
                INFO("case " << n << " split " << a << "," << b);
                REQUIRE((ok && v.at_boundary()) == valid);
            }
    }
}

TEST_CASE("utf8_stream_validator: fails fast", "[utf8]") {
    utf8_stream_validator v;
    CHECK(v.feed("ok \xe2\x82"));  // a sequence cut by the end of the piece
    CHECK_FALSE(v.at_boundary());
    CHECK(v.feed("\xac"));
    CHECK(v.at_boundary());
    CHECK_FALSE(v.feed("\xed\xa0"));  // a surrogate is known bad at its second byte
    v.reset();
    CHECK(v.feed("\xf0"));
    CHECK_FALSE(v.feed("\x41"));  // ASCII cannot continue a sequence
    v.reset();
    CHECK_FALSE(v.feed("ab\xff"));  // never UTF-8, even at the end of a piece
    v.reset();
    CHECK(v.feed(""));
    CHECK(v.at_boundary());
}

TEST_CASE("utf8_valid and the stream validator: a sequence at every offset of a long ASCII run", "[utf8]") {
    // Both skip ASCII 16 (SSE2) or 8 bytes at a time: a non-ASCII byte must be seen at any
    // position within or across blocks, and a sequence cut by a block's end checked whole.
    const std::string sequences[] = {"\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xed\xa0\x80", "\x80"};
    for (const auto& seq : sequences)
        for (std::size_t at = 0; at <= 40; ++at) {
            const std::string s = std::string(at, 'a') + seq + std::string(40 - at, 'b');
            const bool valid = reference_replace_invalid(s, wtf8::no) == s;
            INFO("sequence of " << seq.size() << " bytes at " << at);
            REQUIRE(utf8_valid(s) == valid);
            utf8_stream_validator v;
            REQUIRE((v.feed(s) && v.at_boundary()) == valid);
        }
}
