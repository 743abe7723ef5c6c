#include <sockjs/json_escape.hpp>
#include <sockjs/payload.hpp>

#include "test_unicode.hpp"
#include "test_vectors.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace sockjs_test;

namespace {

// Decodes one JSON literal with the core's payload decoder, or fails the test.
std::string decode_literal(const std::string& literal) {
    std::vector<std::string> out;
    REQUIRE(sockjs::decode_messages("[" + literal + "]", sockjs::payload_format::array, out) == sockjs::errc::ok);
    REQUIRE(out.size() == 1);
    return out[0];
}

}  // namespace

TEST_CASE("json_string: protocol vectors", "[json_escape]") {
    for (const auto& v : load_vectors("json_escape.vectors")) {
        INFO("json_escape.vectors line " << v.line);
        const std::string in = v.get("in");
        CHECK(sockjs::json_string(in) == v.get("out"));
        std::string appended = "prefix";
        sockjs::append_json_string(appended, in);
        CHECK(appended == "prefix" + v.get("out"));
    }
}

TEST_CASE("json_string: every code point is escaped exactly when the protocol says so", "[json_escape]") {
    // All of U+0000..U+10FFFF, surrogates as WTF-8. Escaped ones must come out as the exact
    // escape; all others verbatim; and every one must decode back to the same bytes. Checked in
    // blocks of 64 code points (one call each, which keeps the wasm run short), one by one
    // inside a block that fails, to name the code point.
    auto check_one = [](std::uint32_t cp) {
        const std::string raw = utf8(cp);
        const std::string out = sockjs::json_string(raw);
        INFO("code point " << cp);
        REQUIRE(out == "\"" + (protocol_escapes(cp) ? expected_escape(cp) : raw) + "\"");
        REQUIRE(decode_literal(out) == raw);
    };
    std::size_t escaped = 0;
    for (std::uint32_t block = 0; block <= 0x10FFFF; block += 64) {
        // Inside the surrogate range, adjacent high + low escapes would decode as one pair.
        const bool surrogates = block >= 0xD800 && block <= 0xDFFF;
        std::string raw, expected = "\"";
        for (std::uint32_t cp = block; cp < block + 64; ++cp) {
            escaped += protocol_escapes(cp) ? 1 : 0;
            if (surrogates) {
                check_one(cp);
                continue;
            }
            raw += utf8(cp);
            expected += protocol_escapes(cp) ? expected_escape(cp) : utf8(cp);
        }
        if (surrogates) continue;
        expected += "\"";
        const std::string out = sockjs::json_string(raw);
        if (out != expected || decode_literal(out) != raw)
            for (std::uint32_t cp = block; cp < block + 64; ++cp) check_one(cp);
    }
    // 32 C0 + 2 + 4 + 8 + 16 + 16 + 2048 surrogates: the class is not accidentally empty.
    CHECK(escaped == 32 + 2 + 4 + 8 + 16 + 16 + 2048);
}

TEST_CASE("json_string: the suite's server_killer_string", "[json_escape]") {
    // sockjs-protocol.py JSONEncoding.test_xhr_server_encodes sends every character of
    // escapable_by_server from U+00FF up raw and expects exactly these \u escapes back.
    std::string raw, expected = "\"";
    for (std::uint32_t cp = 255; cp < 65536; ++cp) {
        const bool in_class = (cp >= 0x200C && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
                              (cp >= 0x2060 && cp <= 0x206F) || cp >= 0xFFF0;
        if (!in_class) continue;
        raw += utf8(cp);
        expected += u_escape(cp);
    }
    expected += "\"";
    CHECK(sockjs::json_string(raw) == expected);
}

TEST_CASE("json_string: every one- and two-byte string against the reference", "[json_escape]") {
    for (int a = 0; a < 256; ++a) {
        const std::string one(1, static_cast<char>(a));
        REQUIRE(sockjs::json_string(one) == reference_escape(one));
        for (int b = 0; b < 256; ++b) {
            const std::string two{static_cast<char>(a), static_cast<char>(b)};
            if (sockjs::json_string(two) != reference_escape(two)) {
                INFO("bytes " << a << " " << b);
                REQUIRE(sockjs::json_string(two) == reference_escape(two));
            }
        }
    }
}

TEST_CASE("json_string: every three-byte string with a three- or four-byte lead against the reference",
          "[json_escape]") {
    // Leads E0..F4 (and one past): the other leads are covered by the two-byte sweep.
    for (int a = 0xE0; a <= 0xF5; ++a)
        for (int b = 0x70; b < 0xD0; ++b)
            for (int c = 0; c < 256; ++c) {
                const std::string s{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
                if (sockjs::json_string(s) != reference_escape(s)) {
                    INFO("bytes " << a << " " << b << " " << c);
                    REQUIRE(sockjs::json_string(s) == reference_escape(s));
                }
            }
}

TEST_CASE("json_string: random byte strings against the reference, and they decode back", "[json_escape]") {
    lcg r(20240601);
    for (int n = 0; n < 20000; ++n) {
        std::string s;
        const auto len = r.below(24);
        for (std::uint32_t i = 0; i < len; ++i) {
            // Mostly bytes that start or continue sequences, so that near-valid input is common.
            static const unsigned char leads[] = {0xC2, 0xDF, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xC0};
            switch (r.below(4)) {
            case 0: s += static_cast<char>(r.below(0x80)); break;
            case 1: s += static_cast<char>(0x80 + r.below(0x40)); break;
            case 2: s += static_cast<char>(leads[r.below(sizeof leads)]); break;
            default: s += static_cast<char>(r.below(256)); break;
            }
        }
        const std::string out = sockjs::json_string(s);
        INFO("case " << n);
        REQUIRE(out == reference_escape(s));
        REQUIRE(decode_literal(out) == reference_replace_invalid(s, wtf8::yes));
    }
}

TEST_CASE("json_string: random WTF-8 strings round-trip through the decoder", "[json_escape]") {
    lcg r(7);
    for (int n = 0; n < 20000; ++n) {
        std::string s;
        std::uint32_t prev = 0;
        const auto len = r.below(16);
        for (std::uint32_t i = 0; i < len; ++i) {
            std::uint32_t cp = interesting_code_point(r);
            // A high surrogate followed by a low one would decode as one astral code point:
            // not a lone surrogate, so not something a JavaScript peer could have sent.
            while (prev >= 0xD800 && prev <= 0xDBFF && cp >= 0xDC00 && cp <= 0xDFFF) cp = interesting_code_point(r);
            s += utf8(cp);
            prev = cp;
        }
        INFO("case " << n);
        REQUIRE(decode_literal(sockjs::json_string(s)) == s);
    }
}

TEST_CASE("append_json_string appends a whole literal per call", "[json_escape]") {
    std::string out;
    sockjs::append_json_string(out, "a");
    out += ',';
    sockjs::append_json_string(out, "b\"");
    CHECK(out == "\"a\",\"b\\\"\"");
    const std::string big(100000, 'x');
    CHECK(sockjs::json_string(big) == "\"" + big + "\"");
}

TEST_CASE("json_string: every byte value at every offset of a long plain run", "[json_escape]") {
    // The escaper skips plain bytes 16 (SSE2) or 8 at a time: a byte needing work must be seen
    // at any position within or across blocks.
    for (int b = 0; b < 256; ++b)
        for (std::size_t at = 0; at < 40; ++at) {
            std::string s(40, 'a');
            s[at] = static_cast<char>(b);
            if (sockjs::json_string(s) != reference_escape(s)) {
                INFO("byte " << b << " at " << at);
                REQUIRE(sockjs::json_string(s) == reference_escape(s));
            }
            const std::string seq = s.substr(0, at) + "\xe2\x80\xa8" + s.substr(at);  // U+2028 at any offset
            REQUIRE(sockjs::json_string(seq) == reference_escape(seq));
            REQUIRE(decode_literal(reference_escape(s)) == reference_replace_invalid(s, wtf8::yes));
        }
}
