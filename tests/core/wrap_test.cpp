#include <sockjs/frame.hpp>
#include <sockjs/wrap.hpp>

#include "test_unicode.hpp"
#include "test_vectors.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sockjs_test;
using sockjs::errc;
using sockjs::transport;

namespace {

// The page sockjs-protocol.py HtmlFile.test_transport compares (after trimming whitespace).
const std::string suite_htmlfile_head =
    "<!doctype html>\n"
    "<html><head>\n"
    "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
    "</head><body><h2>Don't panic!</h2>\n"
    "  <script>\n"
    "    document.domain = document.domain;\n"
    "    var c = parent.%s;\n"
    "    c.start();\n"
    "    function p(d) {c.message(d);};\n"
    "    window.onload = function() {c.stop();};\n"
    "  </script>";

std::string suite_head(const std::string& callback) {
    std::string s = suite_htmlfile_head;
    s.replace(s.find("%s"), 2, callback);
    return s;
}

std::string trim(const std::string& s) {  // Python's str.strip() for ASCII whitespace
    const char* ws = " \t\r\n\v\f";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

transport transport_named(const std::string& n) {
    auto t = sockjs::parse_transport(n);
    REQUIRE(t);
    return *t;
}

std::vector<std::string> drain(sockjs::stream_unwrapper& u) {
    std::vector<std::string> frames;
    std::string f;
    while (u.next(f)) frames.push_back(f);
    return frames;
}

// Feeds `body` cut at the given offsets (ascending), taking frames after every piece.
std::vector<std::string> unwrap_in_pieces(transport t, const std::string& body, const std::vector<std::size_t>& cuts) {
    sockjs::stream_unwrapper u(t);
    std::vector<std::string> frames;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        u.feed(std::string_view(body).substr(from, cut - from));
        for (auto& f : drain(u)) frames.push_back(f);
        from = cut;
    }
    u.feed(std::string_view(body).substr(from));
    for (auto& f : drain(u)) frames.push_back(f);
    return frames;
}

const std::string callback = "cb_1.x-y";

// A response body: the prelude, then every frame wrapped.
std::string response(transport t, const std::vector<std::string>& frames) {
    std::string body = sockjs::prelude(t, callback);
    for (auto& f : frames) sockjs::append_wrapped(body, t, f, callback);
    return body;
}

const std::vector<std::string> sample_frames = {
    "o",
    "h",
    R"(a["x"])",
    R"(a["a\"b","%61bc 100%","\u2028","</script>","\ud800",")" "\xc3\xa9" R"("])",
    "a[]",
    R"(c[3000,"Go away!"])",
};

}  // namespace

TEST_CASE("validate_callback", "[wrap]") {
    CHECK(sockjs::validate_callback("") == errc::missing_callback);
    for (const char* ok : {"callback", "x", "a.b-c_9", "jQuery123_456", "_jp.a1b2c3"}) {
        INFO(ok);
        CHECK(sockjs::validate_callback(ok) == errc::ok);
    }
    // HtmlFile.test_invalid_callback / JsonPolling.test_invalid_callback, after URL decoding.
    for (const char* bad : {" ", "*", "abc(", "abc%28", "a b", "a\"b", "a/b", "a<b", "x;alert(1)", "\xc3\xa9"}) {
        INFO(bad);
        CHECK(sockjs::validate_callback(bad) == errc::invalid_callback);
    }
    CHECK(sockjs::validate_callback(std::string_view("a\0b", 3)) == errc::invalid_callback);
    CHECK(sockjs::validate_callback(std::string(32, 'a')) == errc::ok);
    CHECK(sockjs::validate_callback(std::string(33, 'a')) == errc::invalid_callback);
}

TEST_CASE("prelude bytes per transport", "[wrap]") {
    CHECK(sockjs::prelude(transport::xhr_streaming) == std::string(2048, 'h') + "\n");
    CHECK(sockjs::prelude(transport::eventsource) == "\r\n");
    CHECK(sockjs::prelude(transport::xhr).empty());
    CHECK(sockjs::prelude(transport::jsonp, "cb").empty());
    CHECK(sockjs::prelude(transport::websocket).empty());
    CHECK(sockjs::prelude(transport::xhr_send).empty());
    CHECK(sockjs::prelude(transport::jsonp_send).empty());
}

TEST_CASE("htmlfile prelude is the suite's page, padded past 1 KiB", "[wrap]") {
    for (const std::string& cb : {std::string("callback"), std::string("x"), std::string(32, 'z')}) {
        const std::string page = sockjs::prelude(transport::htmlfile, cb);
        INFO(cb);
        CHECK(trim(page) == suite_head(cb));
        CHECK(page.size() > 1024);
        CHECK(page.rfind("<!doctype html>", 0) == 0);
    }
    // A callback that skipped validation cannot break out of the script.
    CHECK(trim(sockjs::prelude(transport::htmlfile, "x;alert(1)</script>")) == suite_head("xalert1script"));
}

TEST_CASE("append_wrapped: protocol vectors", "[wrap]") {
    for (const auto& v : load_vectors("wrap.vectors")) {
        INFO("wrap.vectors line " << v.line);
        const transport t = transport_named(v.get("transport"));
        CHECK(sockjs::wrap(t, v.get("frame"), v.get("callback")) == v.get("wrapped"));
        std::string out = "before|";
        sockjs::append_wrapped(out, t, v.get("frame"), v.get("callback"));
        CHECK(out == "before|" + v.get("wrapped"));
    }
}

TEST_CASE("htmlfile never lets a frame close its script", "[wrap]") {
    lcg r(5);
    const char pieces[][12] = {"</script>", "<!--", "-->", "<script>", "/", "<", ">", "\\", "\"", "x"};
    for (int n = 0; n < 2000; ++n) {
        std::string f = "a[\"";
        for (auto k = r.below(8); k > 0; --k) f += pieces[r.below(10)];
        f += "\"]";
        const std::string w = sockjs::wrap(transport::htmlfile, f);
        const std::string inner = w.substr(11, w.size() - 11 - 14);  // between `p(` and `);\n</script>\r\n`
        INFO(w);
        REQUIRE(w.rfind("<script>\np(", 0) == 0);
        REQUIRE(inner.find_first_of("<>/") == std::string::npos);
    }
}

TEST_CASE("eventsource and htmlfile escaping see a special byte at any offset", "[wrap]") {
    for (int b = 0; b < 128; ++b)
        for (std::size_t at = 0; at < 20; ++at) {
            std::string f(20, 'a');
            f[at] = static_cast<char>(b);
            INFO("byte " << b << " at " << at);
            const std::string es = sockjs::wrap(transport::eventsource, f);
            REQUIRE(es.substr(6, es.size() - 10).find_first_of(std::string("\r\n\0", 3)) == std::string::npos);
            sockjs::stream_unwrapper u(transport::eventsource);
            u.feed(es);
            REQUIRE(drain(u) == std::vector<std::string>{f});

            const std::string hf = sockjs::wrap(transport::htmlfile, f);
            REQUIRE(hf.substr(11, hf.size() - 25).find_first_of("<>/") == std::string::npos);
            sockjs::stream_unwrapper h(transport::htmlfile);
            h.feed(hf);
            REQUIRE(drain(h) == std::vector<std::string>{f});
        }
}

TEST_CASE("stream_unwrapper recovers every frame, the body split at every byte boundary", "[wrap]") {
    for (transport t : {transport::xhr, transport::xhr_streaming, transport::eventsource, transport::htmlfile,
                        transport::jsonp}) {
        std::vector<std::string> frames = sample_frames;
        // EventSource can carry any bytes in a frame thanks to its escaping.
        if (t == transport::eventsource) frames.push_back(std::string("x\ry\nz\0%25%", 11));
        const std::string body = response(t, frames);
        std::vector<std::string> expected = frames;
        if (t == transport::xhr_streaming) expected.insert(expected.begin(), "h");  // the prelude line

        INFO(sockjs::name(t));
        REQUIRE(unwrap_in_pieces(t, body, {}) == expected);
        for (std::size_t cut = 0; cut <= body.size(); ++cut) {
            if (unwrap_in_pieces(t, body, {cut}) != expected) {
                INFO("cut at " << cut);
                REQUIRE(unwrap_in_pieces(t, body, {cut}) == expected);
            }
        }
        std::vector<std::size_t> every_byte;
        for (std::size_t i = 1; i < body.size(); ++i) every_byte.push_back(i);
        CHECK(unwrap_in_pieces(t, body, every_byte) == expected);

        lcg r(static_cast<std::uint64_t>(t) + 1);
        for (int n = 0; n < 200; ++n) {
            std::vector<std::size_t> cuts;
            for (std::size_t at = r.below(64); at < body.size(); at += 1 + r.below(300)) cuts.push_back(at);
            INFO("random chunking " << n);
            REQUIRE(unwrap_in_pieces(t, body, cuts) == expected);
        }
    }
}

TEST_CASE("stream_unwrapper: nothing before a frame is complete", "[wrap]") {
    sockjs::stream_unwrapper u(transport::xhr_streaming);
    std::string f;
    u.feed(std::string(2048, 'h'));
    CHECK_FALSE(u.next(f));
    u.feed("\no");
    CHECK(u.next(f));
    CHECK(f == "h");
    CHECK_FALSE(u.next(f));
    u.feed("\n");
    CHECK(u.next(f));
    CHECK(f == "o");
    CHECK_FALSE(u.next(f));
}

TEST_CASE("stream_unwrapper: xhr lines", "[wrap]") {
    sockjs::stream_unwrapper u(transport::xhr);
    u.feed("o\n\na[\"x\"]\r\nh\n");
    CHECK(drain(u) == std::vector<std::string>{"o", R"(a["x"])", "h"});
}

TEST_CASE("stream_unwrapper: eventsource follows the EventSource parsing rules", "[wrap]") {
    sockjs::stream_unwrapper u(transport::eventsource);
    u.feed("\r\n"                       // the prelude: a blank line, no event
           ": comment\n"
           "data:o\n\n"                 // no space after the colon, LF line ends
           "event: message\r"           // other fields are ignored; CR line ends
           "id: 7\r"
           "data: a[\"x\"]\r\r"
           "data: first\n"
           "data:  second\n"            // only one leading space is removed
           "data\n"                     // a field with no colon: empty value
           "\n"
           "garbage line\n"
           "\n"                         // an event with no data is not dispatched
           "data:\r\n\r\n"              // nor one whose data is empty
           "data: %25%0d%0A%00%41%2\r\n\r\n");
    CHECK(drain(u) == std::vector<std::string>{"o", R"(a["x"])", "first\n second\n", std::string("%\r\n\0%41%2", 9)});
}

TEST_CASE("stream_unwrapper: eventsource CR then LF split across feeds is one line end", "[wrap]") {
    sockjs::stream_unwrapper u(transport::eventsource);
    std::string f;
    u.feed("data: o\r");
    CHECK_FALSE(u.next(f));
    u.feed("\n\r");
    CHECK(u.next(f));
    CHECK(f == "o");
    u.feed("\ndata: h\r\n\r\n");
    CHECK(u.next(f));
    CHECK(f == "h");
    CHECK_FALSE(u.next(f));

    // Were the LF a line of its own, it would end the event after its first data line.
    u.feed("data: a\r");
    CHECK_FALSE(u.next(f));
    u.feed("\ndata: b\r\n\r\n");
    CHECK(u.next(f));
    CHECK(f == "a\nb");
    CHECK_FALSE(u.next(f));
}

TEST_CASE("stream_unwrapper: htmlfile and jsonp skip broken calls", "[wrap]") {
    sockjs::stream_unwrapper h(transport::htmlfile);
    h.feed(sockjs::prelude(transport::htmlfile, "cb"));
    h.feed("<script>\np(o);\n</script>\r\n");           // not a JSON string
    h.feed("<script>\np(\"\\q\");\n</script>\r\n");     // bad escape
    h.feed("<script>\np(\"x\")\n</script>\r\n");        // wrong ending
    h.feed(sockjs::wrap(transport::htmlfile, "o"));
    CHECK(drain(h) == std::vector<std::string>{"o"});

    sockjs::stream_unwrapper j(transport::jsonp);
    j.feed("/**/cb(\"o\");\r\n/**/cb(1);\r\n/**/cb(\"\\u12\");\r\n/**/cb(\"(h)\");\r\n");
    CHECK(drain(j) == std::vector<std::string>{"o", "(h)"});
}

TEST_CASE("stream_unwrapper: a websocket message is one frame", "[wrap]") {
    sockjs::stream_unwrapper u(transport::websocket);
    u.feed("o");
    u.feed("a[\"x\",\n\"y\"]");
    u.feed("");
    CHECK(drain(u) == std::vector<std::string>{"o", "a[\"x\",\n\"y\"]", ""});
}

TEST_CASE("stream_unwrapper: unwrapped frames parse", "[wrap]") {
    sockjs::stream_unwrapper u(transport::xhr_streaming);
    u.feed(response(transport::xhr_streaming, sample_frames));
    for (auto& f : drain(u)) {
        INFO(f);
        CHECK(sockjs::parse_frame(f).ok());
    }
}
