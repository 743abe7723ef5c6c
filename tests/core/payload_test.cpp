#include <sockjs/frame.hpp>
#include <sockjs/payload.hpp>

#include "test_unicode.hpp"
#include "test_vectors.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sockjs_test;
using sockjs::errc;
using sockjs::payload_format;

namespace {

errc errc_named(const std::string& name) {
    const std::pair<const char*, errc> names[] = {
        {"ok", errc::ok},
        {"empty_payload", errc::empty_payload},
        {"broken_json", errc::broken_json},
        {"message_too_large", errc::message_too_large},
    };
    for (auto [n, e] : names)
        if (name == n) return e;
    FAIL("unknown result name in vector file: " << name);
    return errc::ok;
}

payload_format format_named(const std::string& name) {
    if (name == "array") return payload_format::array;
    REQUIRE(name == "either");
    return payload_format::array_or_string;
}

}  // namespace

TEST_CASE("decode_messages: protocol vectors", "[payload]") {
    for (const auto& v : load_vectors("payload.vectors")) {
        INFO("payload.vectors line " << v.line);
        // Messages already in `out` stay: decoded ones are appended, and nothing is added on error.
        std::vector<std::string> out{"earlier"};
        const errc e = sockjs::decode_messages(v.get("body"), format_named(v.get("format")), out);
        CHECK(e == errc_named(v.get("result")));
        std::vector<std::string> expected{"earlier"};
        for (auto& m : v.all("message")) expected.push_back(m);
        CHECK(out == expected);
    }
}

TEST_CASE("decode_messages: every \\u escape of the BMP, either case", "[payload]") {
    for (std::uint32_t cp = 0; cp < 0x10000; ++cp) {
        for (bool upper : {false, true}) {
            std::string esc = u_escape(cp);
            if (upper)
                for (auto& c : esc)
                    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
            std::vector<std::string> out;
            const errc e = sockjs::decode_messages("[\"" + esc + "\"]", payload_format::array, out);
            if (e != errc::ok || out.size() != 1 || out[0] != utf8(cp)) {
                INFO("escape " << esc);
                REQUIRE(e == errc::ok);
                REQUIRE(out == std::vector<std::string>{utf8(cp)});
            }
        }
    }
}

TEST_CASE("decode_messages: every astral code point as a surrogate pair", "[payload]") {
    // 256 code points per message, so the wasm run stays short; one by one in a failing block.
    auto pair = [](std::uint32_t cp) {
        const std::uint32_t v = cp - 0x10000;
        return u_escape(0xD800 + (v >> 10)) + u_escape(0xDC00 + (v & 0x3FF));
    };
    for (std::uint32_t block = 0x10000; block <= 0x10FFFF; block += 256) {
        std::string body = "\"", expected;
        for (std::uint32_t cp = block; cp < block + 256; ++cp) {
            body += pair(cp);
            expected += utf8(cp);
        }
        body += "\"";
        std::vector<std::string> out;
        if (sockjs::decode_messages(body, payload_format::array_or_string, out) == errc::ok &&
            out == std::vector<std::string>{expected})
            continue;
        for (std::uint32_t cp = block; cp < block + 256; ++cp) {
            out.clear();
            INFO("code point " << cp);
            REQUIRE(sockjs::decode_messages("\"" + pair(cp) + "\"", payload_format::array_or_string, out) == errc::ok);
            REQUIRE(out == std::vector<std::string>{utf8(cp)});
        }
    }
}

TEST_CASE("decode_messages: the suite's client-escaped characters come back as sent", "[payload]") {
    // JSONEncoding.test_xhr_server_decodes: clients escape a long list of BMP characters (never
    // surrogates); whatever they escape must decode to the character. Escape them all in one
    // message, as the suite does, and check the whole string.
    std::string body = "[\"", expected;
    for (std::uint32_t cp = 0; cp < 0x10000; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        body += u_escape(cp);
        expected += utf8(cp);
    }
    body += "\"]";
    std::vector<std::string> out;
    REQUIRE(sockjs::decode_messages(body, payload_format::array, out) == errc::ok);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == expected);
}

TEST_CASE("decode_messages: max_message_size counts decoded bytes of each message", "[payload]") {
    std::vector<std::string> out;
    CHECK(sockjs::decode_messages(R"(["abcd","ef"])", payload_format::array, out, 4) == errc::ok);
    CHECK(out == std::vector<std::string>{"abcd", "ef"});
    out.clear();
    CHECK(sockjs::decode_messages(R"(["ab","abcde"])", payload_format::array, out, 4) == errc::message_too_large);
    CHECK(out.empty());
    // Six escaped characters, two decoded bytes.
    CHECK(sockjs::decode_messages(R"(["\u00e9"])", payload_format::array, out, 2) == errc::ok);
    CHECK(sockjs::decode_messages(R"(["\u00e9"])", payload_format::array, out, 1) == errc::message_too_large);
    CHECK(sockjs::decode_messages(R"("abc")", payload_format::array_or_string, out, 2) == errc::message_too_large);
    CHECK(sockjs::decode_messages(R"("")", payload_format::array_or_string, out, 0) == errc::ok);
}

TEST_CASE("decode_messages: every prefix of a valid body is rejected without harm", "[payload]") {
    const std::string body = R"( ["a\"b", "\ud83d\ude00\u2028", "x\ud800", "caf)" "\xc3\xa9" R"("] )";
    std::vector<std::string> full;
    REQUIRE(sockjs::decode_messages(body, payload_format::array, full) == errc::ok);
    REQUIRE(full.size() == 4);
    const std::size_t last = body.find_last_of(']');
    for (std::size_t n = 1; n <= last; ++n) {
        std::vector<std::string> out;
        INFO("prefix of " << n << " bytes");
        CHECK(sockjs::decode_messages(body.substr(0, n), payload_format::array, out) == errc::broken_json);
        CHECK(out.empty());
    }
}

TEST_CASE("decode_messages: mutated bodies either fail cleanly or decode to re-encodable messages", "[payload]") {
    // A robustness sweep: random byte edits of a valid body. Whatever is accepted must survive
    // encode_client_messages + decode_messages unchanged; whatever is rejected leaves `out` alone.
    const std::string seed = R"(["a\"b\\c","\u00e9\ud800\udc00","\ud800", "x y" ,""])";
    const char alphabet[] = "[]\",\\u0aZd8 \t\n\x01\xc3\xa9\xed\xff{}:";
    lcg r(99);
    int accepted = 0;
    for (int n = 0; n < 20000; ++n) {
        std::string body = seed;
        const auto edits = 1 + r.below(3);
        for (std::uint32_t k = 0; k < edits; ++k) {
            const auto at = r.below(static_cast<std::uint32_t>(body.size()));
            const char c = alphabet[r.below(sizeof alphabet - 1)];
            switch (r.below(3)) {
            case 0: body[at] = c; break;
            case 1: body.insert(body.begin() + at, c); break;
            default: body.erase(at, 1); break;
            }
        }
        for (auto format : {payload_format::array, payload_format::array_or_string}) {
            std::vector<std::string> out{"keep"};
            const errc e = sockjs::decode_messages(body, format, out);
            INFO("body " << body);
            if (e != errc::ok) {
                REQUIRE((e == errc::broken_json || e == errc::empty_payload));
                REQUIRE(out == std::vector<std::string>{"keep"});
                continue;
            }
            ++accepted;
            out.erase(out.begin());
            std::vector<std::string> again;
            REQUIRE(sockjs::decode_messages(sockjs::encode_client_messages(out), payload_format::array, again) ==
                    errc::ok);
            REQUIRE(again == out);
        }
    }
    CHECK(accepted > 100);  // the sweep exercised the success path too
}

TEST_CASE("decode_messages: every byte value at every offset of a long plain run", "[payload]") {
    // The decoder skips plain bytes 16 (SSE2) or 8 at a time: quotes, backslashes, controls
    // and non-ASCII bytes must be seen at any position within or across blocks.
    for (int b = 0; b < 256; ++b)
        for (std::size_t at = 0; at < 40; ++at) {
            std::string m(40, 'a');
            m[at] = static_cast<char>(b);
            std::vector<std::string> out;
            const errc e = sockjs::decode_messages("[\"" + m + "\"]", payload_format::array, out);
            INFO("byte " << b << " at " << at);
            if (b < 0x20 || b == '"' || b == '\\') {  // a raw control, an early end, an escape of 'a'
                REQUIRE(e == errc::broken_json);
            } else {
                REQUIRE(e == errc::ok);
                REQUIRE(out == std::vector<std::string>{reference_replace_invalid(m, wtf8::no)});
            }
        }
}

TEST_CASE("url_decode", "[payload]") {
    CHECK(sockjs::url_decode("") == "");
    CHECK(sockjs::url_decode("abc") == "abc");
    CHECK(sockjs::url_decode("%5B%22x%22%5D") == "[\"x\"]");
    CHECK(sockjs::url_decode("%63allback") == "callback");
    CHECK(sockjs::url_decode("a+b%20c") == "a b c");
    CHECK(sockjs::url_decode("%2B%2b") == "++");
    CHECK(sockjs::url_decode("%c3%A9") == "\xc3\xa9");
    CHECK(sockjs::url_decode("%00") == std::string(1, '\0'));
    // Malformed escapes stay literal.
    CHECK(sockjs::url_decode("%") == "%");
    CHECK(sockjs::url_decode("%2") == "%2");
    CHECK(sockjs::url_decode("%zz%4") == "%zz%4");
    CHECK(sockjs::url_decode("100%") == "100%");
    CHECK(sockjs::url_decode("%%41") == "%A");
}

TEST_CASE("query_param", "[payload]") {
    CHECK(sockjs::query_param("c=%63allback", "c") == "callback");
    CHECK(sockjs::query_param("?c=x", "c") == "x");
    CHECK(sockjs::query_param("a=1&c=x&c=y", "c") == "x");
    CHECK(sockjs::query_param("callback=cb&c=x", "callback") == "cb");
    CHECK(sockjs::query_param("cc=1&c=2", "c") == "2");
    CHECK(sockjs::query_param("c", "c") == "");
    CHECK(sockjs::query_param("c=", "c") == "");
    CHECK(sockjs::query_param("", "c") == "");
    CHECK(sockjs::query_param("a=1&b=2", "c") == "");
    CHECK(sockjs::query_param("a=1&&c=3&", "c") == "3");
    CHECK(sockjs::query_param("%63=encoded+key", "c") == "encoded key");
    CHECK(sockjs::query_param("c=a=b", "c") == "a=b");
}

TEST_CASE("jsonp_send_body: form bodies carry the JSON in d", "[payload]") {
    // sockjs-protocol.py JsonPolling.test_transport / test_invalid_json / test_sending_empty_frame.
    CHECK(sockjs::jsonp_send_body("d=%5B%22x%22%5D", true) == "[\"x\"]");
    CHECK(sockjs::jsonp_send_body("d=%5B%5D", true) == "[]");
    CHECK(sockjs::jsonp_send_body("d=%5B%22x", true) == "[\"x");
    CHECK(sockjs::jsonp_send_body("x=1&d=%5B%22a+b%22%5D", true) == "[\"a b\"]");
    for (const char* empty : {"", "d=", "p=p"}) {
        INFO(empty);
        const std::string json = sockjs::jsonp_send_body(empty, true);
        CHECK(json.empty());
        std::vector<std::string> out;
        CHECK(sockjs::decode_messages(json, payload_format::array, out) == errc::empty_payload);
    }
    // Not form-encoded: the body is the JSON, untouched (JsonPolling.test_content_types).
    CHECK(sockjs::jsonp_send_body("[\"%61bc\"]", false) == "[\"%61bc\"]");
    CHECK(sockjs::jsonp_send_body("d=%5B%5D", false) == "d=%5B%5D");
}

TEST_CASE("is_form_urlencoded: the exact media type, parameters allowed", "[payload]") {
    CHECK(sockjs::is_form_urlencoded("application/x-www-form-urlencoded"));
    CHECK(sockjs::is_form_urlencoded("Application/X-WWW-Form-URLEncoded"));
    CHECK(sockjs::is_form_urlencoded("application/x-www-form-urlencoded; charset=UTF-8"));
    CHECK(sockjs::is_form_urlencoded(" application/x-www-form-urlencoded ;charset=UTF-8"));
    CHECK_FALSE(sockjs::is_form_urlencoded(std::nullopt));
    CHECK_FALSE(sockjs::is_form_urlencoded(""));
    CHECK_FALSE(sockjs::is_form_urlencoded("application/x-www-form-urlencodedXYZ"));
    CHECK_FALSE(sockjs::is_form_urlencoded("application/x-www-form-urlencode"));
    CHECK_FALSE(sockjs::is_form_urlencoded("text/plain"));
    CHECK_FALSE(sockjs::is_form_urlencoded("multipart/form-data"));
    // The decision reaches jsonp_send_body.
    CHECK(sockjs::jsonp_send_body("d=%5B%5D", std::optional<std::string_view>("application/x-www-form-urlencoded")) == "[]");
    CHECK(sockjs::jsonp_send_body("[\"x\"]", std::optional<std::string_view>("application/x-www-form-urlencodedXYZ")) == "[\"x\"]");
}
