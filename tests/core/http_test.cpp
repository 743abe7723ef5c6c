// Tests for sockjs/http.hpp: routing, every response the protocol defines, and the header
// building blocks. Expectations come from sockjs-protocol.py and the reference server.

#include <sockjs/http.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include "../support/iframe_page_template.hpp"

#include <regex>
#include <sstream>
#include <string>

using namespace sockjs;

namespace {

constexpr std::int64_t now = 1795674962;  // Thu, 26 Nov 2026 06:36:02 GMT
constexpr std::int64_t year = 31536000;
const std::string no_cache = "no-store, no-cache, no-transform, must-revalidate, max-age=0";

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::size_t count(const header_list& h, std::string_view name) {
    std::size_t n = 0;
    for (const auto& [k, v] : h) n += iequal(k, name) ? 1 : 0;
    return n;
}

// The value of a header that must appear at most once.
std::optional<std::string> get(const header_list& h, std::string_view name) {
    REQUIRE(count(h, name) <= 1);
    for (const auto& [k, v] : h)
        if (iequal(k, name)) return v;
    return std::nullopt;
}

std::optional<std::string> get(const http_response& r, std::string_view name) {
    return get(r.headers, name);
}

request_info req(std::string_view method, std::string_view path, std::string_view query = {}) {
    request_info r;
    r.method = method;
    r.path = path;
    r.query = query;
    return r;
}

route_result run(const request_info& r, const service_options& opts = {}, std::uint32_t entropy = 7) {
    return route(r, opts, entropy, now);
}

// sockjs-protocol.py Test.verify405.
void verify405(const http_response& r, std::string_view allow) {
    CHECK(r.status == 405);
    CHECK_FALSE(get(r, "Content-Type"));
    CHECK(get(r, "Allow") == std::string(allow));
    CHECK(r.body.empty());
}

// sockjs-protocol.py Test.verify_cors.
void verify_cors(const http_response& r, std::optional<std::string> origin) {
    if (origin) {
        CHECK(get(r, "Access-Control-Allow-Origin") == *origin);
        CHECK(get(r, "Access-Control-Allow-Credentials") == std::string("true"));
    } else {
        CHECK(get(r, "Access-Control-Allow-Origin") == std::string("*"));
        CHECK_FALSE(get(r, "Access-Control-Allow-Credentials"));
    }
}

// sockjs-protocol.py Test.verify_not_cached.
void verify_not_cached(const http_response& r) {
    CHECK(get(r, "Cache-Control") == no_cache);
    CHECK_FALSE(get(r, "Expires"));
    CHECK_FALSE(get(r, "Last-Modified"));
}

void verify_cached_for_a_year(const http_response& r) {
    CHECK(get(r, "Cache-Control") == std::string("public, max-age=31536000"));
    CHECK(get(r, "Expires") == http_date(now + year));
    CHECK_FALSE(get(r, "Last-Modified"));
}

// sockjs-protocol.py Test.verify_options, for one origin (or none).
void verify_options(const http_response& r, std::string_view methods,
                    std::optional<std::string> origin) {
    CHECK(r.status == 204);
    verify_cached_for_a_year(r);
    auto max_age = get(r, "Access-Control-Max-Age");
    REQUIRE(max_age);
    CHECK(std::stol(*max_age) > 1000000);
    CHECK(get(r, "Access-Control-Allow-Methods") == std::string(methods));
    CHECK(r.body.empty());
    verify_cors(r, origin);
}

std::string trim(std::string s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> split_columns(const std::string& line) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '|')) cols.push_back(trim(col));
    return cols;
}

std::vector<std::vector<std::string>> read_vectors(const std::string& file) {
    std::ifstream in(std::string(SOCKJS_TEST_DATA_DIR) + "/" + file);
    REQUIRE(in);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (trim(line).empty() || trim(line)[0] == '#') continue;
        rows.push_back(split_columns(line));
    }
    REQUIRE(!rows.empty());
    return rows;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// http_date

TEST_CASE("http_date matches an independent implementation", "[http][date]") {
    for (const auto& row : read_vectors("http_dates.txt")) {
        REQUIRE(row.size() == 2);
        INFO(row[0]);
        CHECK(http_date(std::stoll(row[0])) == row[1]);
    }
}

TEST_CASE("http_date clamps to four-digit years", "[http][date]") {
    CHECK(http_date(253402300800) == "Fri, 31 Dec 9999 23:59:59 GMT");
    CHECK(http_date(INT64_MAX) == "Fri, 31 Dec 9999 23:59:59 GMT");
    CHECK(http_date(INT64_MIN) == "Sat, 01 Jan 0000 00:00:00 GMT");
}

TEST_CASE("http_date walks day by day through leap years without gaps", "[http][date]") {
    // Consecutive days must give consecutive weekdays and day-of-month 1 after a month's end.
    static const char* weekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    int leap_days = 0;
    for (std::int64_t day = -800; day < 40000; ++day) {  // 1967 .. 2079
        std::string d = http_date(day * 86400 + 43200);
        REQUIRE(d.size() == 29);
        auto weekday = ((day % 7) + 7) % 7;
        REQUIRE(d.substr(0, 3) == weekdays[weekday]);
        REQUIRE(d.substr(16) == " 12:00:00 GMT");
        if (d.substr(5, 6) == "29 Feb") {
            ++leap_days;
            int y = std::stoi(d.substr(12, 4));
            CHECK(y % 4 == 0);
        }
    }
    CHECK(leap_days == 28);  // 1968, 1972, ..., 2076
}

// ---------------------------------------------------------------------------------------------
// Routing table

TEST_CASE("route: the routing table vectors", "[http][route]") {
    for (const auto& row : read_vectors("http_routes.txt")) {
        REQUIRE(row.size() >= 4);
        const std::string& method = row[0];
        const std::string& path = row[1];
        const std::string& query = row[2];
        const std::string& expected = row[3];
        INFO(method << " '" << path << "' ?" << query << " -> " << expected);
        route_result r = run(req(method, path, query));
        if (expected.rfind("route ", 0) == 0) {
            REQUIRE_FALSE(r.response);
            std::stringstream ss(expected.substr(6));
            std::string target, tname;
            ss >> target >> tname;
            if (target == "session") {
                CHECK(r.target == endpoint::session);
                CHECK(name(r.t) == tname);
            } else {
                CHECK(target == "raw_websocket");
                CHECK(r.target == endpoint::raw_websocket);
            }
            continue;
        }
        REQUIRE(r.response);
        CHECK(r.response->status == std::stoi(expected));
        if (r.response->status == 405) {
            REQUIRE(row.size() == 5);
            verify405(*r.response, row[4]);
        }
        if (r.response->status == 404) CHECK_FALSE(get(*r.response, "Set-Cookie"));
    }
}

TEST_CASE("route: session ids come from the path and the server id is kept apart", "[http][route]") {
    auto r = run(req("POST", "/abcdefgh_i-j%20/abcdefg_i-j%20123/xhr"));
    REQUIRE_FALSE(r.response);
    CHECK(r.target == endpoint::session);
    CHECK(r.server_id == "abcdefgh_i-j%20");
    CHECK(r.session_id == "abcdefg_i-j%20123");
    CHECK(r.t == transport::xhr);

    auto slash = run(req("POST", "/srv/sess/xhr_send/"));
    REQUIRE_FALSE(slash.response);
    CHECK(slash.server_id == "srv");
    CHECK(slash.session_id == "sess");
    CHECK(slash.t == transport::xhr_send);
}

TEST_CASE("route: every 405 has Allow, no Content-Type and no body", "[http][route]") {
    const char* methods[] = {"GET", "POST", "OPTIONS", "PUT", "DELETE", "HEAD", "PATCH", "get"};
    const char* paths[] = {"", "/", "/info", "/iframe.html", "/websocket", "/a/b/websocket",
                           "/a/b/xhr", "/a/b/xhr_send", "/a/b/xhr_streaming", "/a/b/eventsource",
                           "/a/b/htmlfile", "/a/b/jsonp", "/a/b/jsonp_send"};
    int seen = 0;
    for (auto m : methods)
        for (auto p : paths) {
            auto r = run(req(m, p, "c=x"));
            if (r.response && r.response->status == 405) {
                INFO(m << " " << p);
                ++seen;
                CHECK_FALSE(get(*r.response, "Content-Type"));
                CHECK(get(*r.response, "Allow"));
                CHECK(r.response->body.empty());
                CHECK_FALSE(get(*r.response, "Set-Cookie"));
            }
        }
    CHECK(seen > 50);
}

TEST_CASE("route: methods are case-sensitive", "[http][route]") {
    verify405(run(req("get", "/info")).response.value(), "OPTIONS, GET");
    verify405(run(req("post", "/a/b/xhr")).response.value(), "OPTIONS, POST");
}

TEST_CASE("route: any bytes in a path give an answer, never a crash", "[http][route]") {
    // Every single byte in every position of a session path: either routed or 404.
    for (int c = 0; c < 256; ++c) {
        std::string ch(1, static_cast<char>(c));
        for (const std::string& p : {"/" + ch + "/b/xhr", "/a/" + ch + "/xhr", "/a/b/x" + ch + "hr",
                                     "/iframe" + ch + ".html", "/info" + ch}) {
            auto r = run(req("POST", p));
            bool routed = !r.response;
            bool routed_ok = routed && r.target == endpoint::session;
            bool not_found = r.response && r.response->status == 404;
            bool iframe_405 = r.response && r.response->status == 405;
            INFO("byte " << c << " in " << p);
            CHECK((routed_ok || not_found || iframe_405));
            if (c == '.' || c == '/') CHECK_FALSE(routed);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Greeting

TEST_CASE("greeting: text/plain welcome, no cookie", "[http][greeting]") {
    service_options opts;
    opts.jsessionid = true;
    for (auto path : {"", "/"}) {
        auto r = run(req("GET", path), opts);
        REQUIRE(r.response);
        CHECK(r.target == endpoint::greeting);
        CHECK(r.response->status == 200);
        CHECK(get(*r.response, "Content-Type") == std::string("text/plain;charset=UTF-8"));
        CHECK(r.response->body == "Welcome to SockJS!\n");
        CHECK_FALSE(get(*r.response, "Set-Cookie"));
    }
}

TEST_CASE("not found: small text body", "[http][route]") {
    auto r = run(req("GET", "/a"));
    REQUIRE(r.response);
    CHECK(r.response->status == 404);
    CHECK(get(*r.response, "Content-Type") == std::string("text/plain;charset=UTF-8"));
    CHECK_FALSE(r.response->body.empty());
    CHECK(r.response->body.size() < 100);
}

// ---------------------------------------------------------------------------------------------
// /info

TEST_CASE("info: GET answers JSON, not cached, with CORS and no cookie", "[http][info]") {
    service_options opts;
    opts.jsessionid = true;
    auto rq = req("GET", "/info");
    std::string origin = "test";
    rq.origin = origin;
    auto r = run(rq, opts, 123456789);
    REQUIRE(r.response);
    CHECK(r.target == endpoint::info);
    const auto& resp = *r.response;
    CHECK(resp.status == 200);
    CHECK(get(resp, "Content-Type") == std::string("application/json;charset=UTF-8"));
    CHECK_FALSE(get(resp, "Set-Cookie"));
    verify_not_cached(resp);
    verify_cors(resp, origin);
    CHECK(resp.body == info_json(true, true, 123456789));
}

TEST_CASE("info: the document has the right fields and types", "[http][info]") {
    for (bool ws : {true, false})
        for (bool cookie : {true, false})
            for (std::uint32_t e : {0u, 1u, 2147483648u, 4294967295u}) {
                auto v = boost::json::parse(info_json(ws, cookie, e));
                REQUIRE(v.is_object());
                const auto& o = v.as_object();
                CHECK(o.size() == 4);
                REQUIRE(o.at("websocket").is_bool());
                CHECK(o.at("websocket").as_bool() == ws);
                REQUIRE(o.at("cookie_needed").is_bool());
                CHECK(o.at("cookie_needed").as_bool() == cookie);
                REQUIRE(o.at("origins").is_array());
                REQUIRE(o.at("origins").as_array().size() == 1);
                CHECK(o.at("origins").as_array()[0] == "*:*");
                REQUIRE((o.at("entropy").is_int64() || o.at("entropy").is_uint64()));
                CHECK(o.at("entropy").to_number<std::uint64_t>() == e);
            }
}

TEST_CASE("info: follows the service options and the entropy passed in", "[http][info]") {
    service_options off;
    off.websocket = false;
    auto a = run(req("GET", "/info"), off, 1);
    auto b = run(req("GET", "/info"), off, 2);
    REQUIRE(a.response);
    REQUIRE(b.response);
    CHECK(boost::json::parse(a.response->body).at("websocket").as_bool() == false);
    CHECK(boost::json::parse(a.response->body).at("entropy").to_number<std::uint32_t>() == 1);
    CHECK(boost::json::parse(b.response->body).at("entropy").to_number<std::uint32_t>() == 2);
    verify_cors(*a.response, std::nullopt);
}

TEST_CASE("info: OPTIONS is a cacheable preflight", "[http][info]") {
    for (std::string origin : {"test", "null"}) {
        auto rq = req("OPTIONS", "/info");
        rq.origin = origin;
        auto r = run(rq);
        REQUIRE(r.response);
        verify_options(*r.response, "OPTIONS, GET", origin);
        CHECK_FALSE(get(*r.response, "Set-Cookie"));
        CHECK_FALSE(get(*r.response, "Access-Control-Allow-Headers"));
    }
    auto r = run(req("OPTIONS", "/info"));
    verify_options(r.response.value(), "OPTIONS, GET", std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Iframe

TEST_CASE("iframe: the page matches the suite's template", "[http][iframe]") {
    // IframePage.iframe_body from sockjs-protocol.py, matched against the stripped body.
    const std::regex& iframe_body = sockjs::test::iframe_page_template();
    service_options opts;
    for (std::string path : {"/iframe.html", "/iframe-a.html", "/iframe-.html", "/iframe-0.1.2.html",
                             "/iframe-0.1.2abc-dirty.2144.html"}) {
        INFO(path);
        auto r = run(req("GET", path, "t=1234"), opts);
        REQUIRE(r.response);
        CHECK(r.target == endpoint::iframe);
        const auto& resp = *r.response;
        CHECK(resp.status == 200);
        CHECK(get(resp, "Content-Type") == std::string("text/html;charset=UTF-8"));
        verify_cached_for_a_year(resp);
        CHECK(get(resp, "ETag") == iframe_etag(resp.body));
        CHECK_FALSE(get(resp, "Set-Cookie"));
        std::smatch m;
        REQUIRE(std::regex_match(resp.body, m, iframe_body));
        CHECK(m[1] == opts.sockjs_url);
    }
}

TEST_CASE("iframe: sockjs_url is configurable and escaped inside the attribute", "[http][iframe]") {
    CHECK(iframe_page("/static/sockjs.js").find("<script src=\"/static/sockjs.js\"></script>") !=
          std::string::npos);
    std::string page = iframe_page("/x\"><script>alert(1)</script>&");
    CHECK(page.find("src=\"/x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;\"") !=
          std::string::npos);
    CHECK(page.find("alert(1)</script>") == std::string::npos);
}

TEST_CASE("iframe: ETag is strong, stable and follows the page", "[http][iframe]") {
    std::string page = iframe_page("/sockjs.js");
    std::string tag = iframe_etag(page);
    CHECK(std::regex_match(tag, std::regex("^\"[0-9a-f]{16}\"$")));
    CHECK(iframe_etag(page) == tag);
    CHECK(iframe_etag(iframe_page("/sockjs2.js")) != tag);
    // FNV-1a 64 published test values: "" and "a".
    CHECK(iframe_etag("") == "\"cbf29ce484222325\"");
    CHECK(iframe_etag("a") == "\"af63dc4c8601ec8c\"");
}

TEST_CASE("iframe: If-None-Match gives 304 with no Content-Type and no body", "[http][iframe]") {
    service_options opts;
    opts.jsessionid = true;
    auto first = run(req("GET", "/iframe.html"), opts).response.value();
    std::string etag = get(first, "ETag").value();
    auto second = run(req("GET", "/iframe.html"), opts).response.value();
    CHECK(get(second, "ETag") == etag);

    for (std::string inm : {etag, "W/" + etag, "\"zzz\", " + etag, std::string("*"), " " + etag + " "}) {
        INFO(inm);
        auto rq = req("GET", "/iframe-0.1.2.html");
        rq.if_none_match = inm;
        auto r = run(rq, opts).response.value();
        CHECK(r.status == 304);
        CHECK_FALSE(get(r, "Content-Type"));
        CHECK(r.body.empty());
        CHECK(get(r, "ETag") == etag);
        CHECK_FALSE(get(r, "Set-Cookie"));
        verify_cached_for_a_year(r);
    }
    for (std::string inm : {std::string("\"other\""), std::string(""), etag.substr(1)}) {
        INFO(inm);
        auto rq = req("GET", "/iframe.html");
        rq.if_none_match = inm;
        auto r = run(rq, opts).response.value();
        CHECK(r.status == 200);
        CHECK(r.body == first.body);
    }
}

// ---------------------------------------------------------------------------------------------
// WebSocket endpoints

namespace {
request_info upgrade_req(std::string_view method, std::string_view path, std::string_view upgrade,
                         std::string_view connection) {
    auto r = req(method, path);
    r.upgrade = upgrade;
    r.connection = connection;
    return r;
}
}  // namespace

TEST_CASE("websocket: a proper upgrade goes to the adapter", "[http][websocket]") {
    for (auto [up, conn] : {std::pair{"websocket", "Upgrade"}, std::pair{"WebSocket", "Upgrade"},
                            std::pair{"WEBSOCKET", "keep-alive, Upgrade"},
                            std::pair{"websocket", "upgrade,keep-alive"}}) {
        INFO(up << " / " << conn);
        auto s = run(upgrade_req("GET", "/000/abc/websocket", up, conn));
        CHECK_FALSE(s.response);
        CHECK(s.target == endpoint::session);
        CHECK(s.t == transport::websocket);
        CHECK(s.session_id == "abc");
        auto raw = run(upgrade_req("GET", "/websocket", up, conn));
        CHECK_FALSE(raw.response);
        CHECK(raw.target == endpoint::raw_websocket);
    }
}

TEST_CASE("websocket: bad handshakes get 400 with the reason", "[http][websocket]") {
    for (auto path : {"/websocket", "/0/0/websocket"}) {
        INFO(path);
        auto plain = run(req("GET", path)).response.value();
        CHECK(plain.status == 400);
        CHECK(plain.body == "Can \"Upgrade\" only to \"WebSocket\".");
        auto other = run(upgrade_req("GET", path, "h2c", "Upgrade")).response.value();
        CHECK(other.status == 400);
        CHECK(other.body == "Can \"Upgrade\" only to \"WebSocket\".");
        // WebsocketHttpErrors.test_invalidConnectionHeader
        auto close = run(upgrade_req("GET", path, "WebSocket", "close")).response.value();
        CHECK(close.status == 400);
        CHECK(close.body == "\"Connection\" must be \"Upgrade\".");
        auto upgrades = run(upgrade_req("GET", path, "WebSocket", "upgrades")).response.value();
        CHECK(upgrades.status == 400);
        auto missing = req("GET", path);
        missing.upgrade = "websocket";
        CHECK(run(missing).response.value().body == "\"Connection\" must be \"Upgrade\".");
    }
}

TEST_CASE("websocket: only GET", "[http][websocket]") {
    // WebsocketHttpErrors.test_invalidMethod
    for (auto path : {"/websocket", "/0/0/websocket"}) {
        verify405(run(upgrade_req("POST", path, "WebSocket", "Upgrade")).response.value(), "GET");
        verify405(run(req("POST", path)).response.value(), "GET");
    }
}

TEST_CASE("websocket: disabled websocket is 404 on both URLs", "[http][websocket]") {
    service_options off;
    off.websocket = false;
    for (auto path : {"/websocket", "/0/0/websocket"})
        for (auto method : {"GET", "POST"}) {
            auto r = run(upgrade_req(method, path, "websocket", "Upgrade"), off);
            REQUIRE(r.response);
            CHECK(r.response->status == 404);
        }
    service_options listed;
    listed.disabled_transports = {transport::websocket};
    CHECK(run(upgrade_req("GET", "/0/0/websocket", "websocket", "Upgrade"), listed).response.value().status == 404);
}

// ---------------------------------------------------------------------------------------------
// Session endpoints

TEST_CASE("session: OPTIONS preflight on the xhr family", "[http][session]") {
    // XhrPolling.test_options, XhrStreaming.test_options
    for (auto path : {"/abc/abc/xhr", "/abc/abc/xhr_send", "/abc/abc/xhr_streaming"})
        for (std::string origin : {"test", "null"}) {
            INFO(path << " " << origin);
            auto rq = req("OPTIONS", path);
            rq.origin = origin;
            auto r = run(rq);
            REQUIRE(r.response);
            verify_options(*r.response, "OPTIONS, POST", origin);
            CHECK_FALSE(get(*r.response, "Set-Cookie"));
        }
}

TEST_CASE("session: preflight echoes Access-Control-Request-Headers", "[http][session][cors]") {
    // XhrPolling.test_request_headers_cors
    auto rq = req("OPTIONS", "/000/s/xhr");
    rq.origin = "test";
    rq.request_headers = "a, b, c";
    auto r = run(rq).response.value();
    verify_cors(r, "test");
    CHECK(get(r, "Access-Control-Allow-Headers") == std::string("a, b, c"));

    rq.request_headers = "";
    r = run(rq).response.value();
    verify_cors(r, "test");
    CHECK_FALSE(get(r, "Access-Control-Allow-Headers"));

    rq.request_headers.reset();
    r = run(rq).response.value();
    CHECK_FALSE(get(r, "Access-Control-Allow-Headers"));
}

TEST_CASE("session: disabled transports are 404", "[http][session]") {
    service_options opts;
    opts.disabled_transports = {transport::xhr_streaming, transport::jsonp, transport::jsonp_send};
    CHECK(run(req("POST", "/a/b/xhr_streaming"), opts).response.value().status == 404);
    CHECK(run(req("OPTIONS", "/a/b/xhr_streaming"), opts).response.value().status == 404);
    CHECK(run(req("GET", "/a/b/jsonp", "c=x"), opts).response.value().status == 404);
    CHECK(run(req("POST", "/a/b/jsonp_send"), opts).response.value().status == 404);
    CHECK_FALSE(run(req("POST", "/a/b/xhr"), opts).response);
}

TEST_CASE("session: callbacks for htmlfile and jsonp", "[http][session]") {
    for (auto path : {"/a/a/htmlfile", "/a/a/jsonp"}) {
        INFO(path);
        auto ok = run(req("GET", path, "c=%63allback"));
        REQUIRE_FALSE(ok.response);
        CHECK(ok.callback == "callback");
        CHECK(run(req("GET", path, "t=1&c=cb.x-y_9")).callback == "cb.x-y_9");
        CHECK(run(req("GET", path, "callback=other")).callback == "other");
        CHECK(run(req("GET", path, "c=&callback=other")).callback == "other");
        CHECK(run(req("GET", path, "c=first&callback=other")).callback == "first");
        CHECK(run(req("GET", path, "c=" + std::string(32, 'a'))).callback == std::string(32, 'a'));

        // HtmlFile/JsonPolling.test_no_callback
        for (auto q : {"", "c=", "d=x", "callback="}) {
            INFO(q);
            auto r = run(req("GET", path, q)).response.value();
            CHECK(r.status == 500);
            CHECK(r.body.find("\"callback\" parameter required") != std::string::npos);
            CHECK(get(r, "Content-Type") == std::string("text/plain;charset=UTF-8"));
            verify_not_cached(r);
        }
        // test_invalid_callback, plus the length cap
        for (std::string q : {std::string("c=%20"), std::string("c=*"), std::string("c=abc("),
                              std::string("c=abc%28"), std::string("c=a+b"),
                              std::string("c=%3Cscript%3E"), "c=" + std::string(33, 'a')}) {
            INFO(q);
            auto r = run(req("GET", path, q)).response.value();
            CHECK(r.status == 500);
            CHECK(r.body.find("invalid \"callback\" parameter") != std::string::npos);
        }
    }
}

TEST_CASE("session: JSESSIONID on preflights and callback errors when enabled", "[http][session][cookie]") {
    service_options opts;
    opts.jsessionid = true;
    auto pre = run(req("OPTIONS", "/0/s/xhr_send"), opts).response.value();
    CHECK(get(pre, "Set-Cookie") == std::string("JSESSIONID=dummy; path=/"));
    auto rq = req("OPTIONS", "/0/s/xhr");
    rq.cookie = "JSESSIONID=abcdef";
    CHECK(get(run(rq, opts).response.value(), "Set-Cookie") == std::string("JSESSIONID=abcdef; path=/"));
    auto err = run(req("GET", "/0/s/jsonp"), opts).response.value();
    CHECK(err.status == 500);
    CHECK(get(err, "Set-Cookie") == std::string("JSESSIONID=dummy; path=/"));
    // Not on 404 and 405.
    CHECK_FALSE(get(run(req("GET", "/0/s/xhr"), opts).response.value(), "Set-Cookie"));
    CHECK_FALSE(get(run(req("GET", "/0/s/bogus"), opts).response.value(), "Set-Cookie"));
}

// ---------------------------------------------------------------------------------------------
// Origins

TEST_CASE("origins: an allow-list gives 403 to other origins", "[http][origins]") {
    service_options opts;
    opts.origins = {"https://app.example", "null"};
    auto with_origin = [](request_info r, std::optional<std::string_view> o) {
        r.origin = o;
        return r;
    };
    struct probe {
        request_info r;
        bool refused_when_foreign;
    };
    const std::vector<probe> probes = {
        {req("GET", "/info"), true},
        {req("OPTIONS", "/info"), true},
        {req("POST", "/0/s/xhr"), true},
        {req("OPTIONS", "/0/s/xhr"), true},
        {req("POST", "/0/s/xhr_send"), true},
        {req("GET", "/0/s/eventsource"), true},
        {req("GET", "/0/s/jsonp", "c=x"), true},
        {req("POST", "/0/s/jsonp_send"), true},
        {upgrade_req("GET", "/0/s/websocket", "websocket", "Upgrade"), true},
        {upgrade_req("GET", "/websocket", "websocket", "Upgrade"), true},
        {req("GET", "/"), false},
        {req("GET", "/iframe.html"), false},
    };
    for (const auto& p : probes) {
        INFO(p.r.method << " " << p.r.path);
        for (std::string_view ok : {"https://app.example", "HTTPS://APP.example", "null"}) {
            auto r = run(with_origin(p.r, ok), opts);
            CHECK((!r.response || r.response->status < 400));
        }
        // No Origin: a non-browser client; allowed.
        auto none = run(with_origin(p.r, std::nullopt), opts);
        CHECK((!none.response || none.response->status < 400));
        for (std::string_view bad : {"https://evil.example", "https://app.example.evil", "",
                                     "https://app.example:8443"}) {
            INFO(bad);
            auto r = run(with_origin(p.r, bad), opts);
            if (p.refused_when_foreign) {
                REQUIRE(r.response);
                CHECK(r.response->status == 403);
                CHECK_FALSE(get(*r.response, "Access-Control-Allow-Origin"));
                CHECK_FALSE(get(*r.response, "Set-Cookie"));
            } else {
                CHECK((!r.response || r.response->status < 400));
            }
        }
    }
}

TEST_CASE("origins: 404 and 405 come before 403", "[http][origins]") {
    service_options opts;
    opts.origins = {"https://app.example"};
    auto r = req("GET", "/0/s/xhr");
    r.origin = "https://evil.example";
    CHECK(run(r, opts).response.value().status == 405);
    r.path = "/0/s/nope";
    CHECK(run(r, opts).response.value().status == 404);
}

TEST_CASE("origin_allowed", "[http][origins]") {
    CHECK(origin_allowed({}, std::string_view("https://x")));
    CHECK(origin_allowed({}, std::nullopt));
    CHECK(origin_allowed({"*"}, std::string_view("https://x")));
    CHECK(origin_allowed({"https://a", "*"}, std::string_view("null")));
    CHECK(origin_allowed({"https://a"}, std::string_view("https://a")));
    CHECK(origin_allowed({"https://a"}, std::string_view("HTTPS://A")));
    CHECK(origin_allowed({"https://a"}, std::nullopt));
    CHECK_FALSE(origin_allowed({"https://a"}, std::string_view("https://b")));
    CHECK_FALSE(origin_allowed({"https://a"}, std::string_view("null")));
    CHECK_FALSE(origin_allowed({"https://a"}, std::string_view("https://a ")));
    CHECK_FALSE(origin_allowed({"https://a"}, std::string_view("")));
}

// ---------------------------------------------------------------------------------------------
// Header pieces

TEST_CASE("append_cors_headers", "[http][cors]") {
    auto cors = [](std::optional<std::string_view> origin,
                   std::optional<std::string_view> request_headers = std::nullopt) {
        auto r = req("POST", "/a/b/xhr");
        r.origin = origin;
        r.request_headers = request_headers;
        http_response resp;
        append_cors_headers(resp.headers, r);
        return resp;
    };
    verify_cors(cors(std::string_view("test")), "test");
    verify_cors(cors(std::string_view("null")), "null");
    verify_cors(cors(std::nullopt), std::nullopt);
    verify_cors(cors(std::string_view("")), std::nullopt);
    verify_cors(cors(std::string_view("https://a\r\nSet-Cookie: x=y")), std::nullopt);
    CHECK(get(cors(std::nullopt), "Vary") == std::string("Origin"));
    CHECK(get(cors(std::nullopt, std::string_view("x-a, x-b")), "Access-Control-Allow-Headers") ==
          std::string("x-a, x-b"));
    CHECK_FALSE(get(cors(std::nullopt, std::string_view("")), "Access-Control-Allow-Headers"));
    CHECK_FALSE(get(cors(std::nullopt, std::string_view("a\nb")), "Access-Control-Allow-Headers"));
}

TEST_CASE("append_no_cache_headers and append_cache_for_a_year_headers", "[http][cache]") {
    header_list h;
    append_no_cache_headers(h);
    CHECK(h == header_list{{"Cache-Control", no_cache}});
    header_list y;
    append_cache_for_a_year_headers(y, 0);
    CHECK(y == header_list{{"Cache-Control", "public, max-age=31536000"},
                           {"Expires", "Fri, 01 Jan 1971 00:00:00 GMT"}});
}

TEST_CASE("jsessionid_cookie", "[http][cookie]") {
    CHECK(jsessionid_cookie(std::nullopt) == "JSESSIONID=dummy; path=/");
    CHECK(jsessionid_cookie(std::string_view("")) == "JSESSIONID=dummy; path=/");
    CHECK(jsessionid_cookie(std::string_view("JSESSIONID=abcdef")) == "JSESSIONID=abcdef; path=/");
    CHECK(jsessionid_cookie(std::string_view("a=b; JSESSIONID=abc")) == "JSESSIONID=abc; path=/");
    CHECK(jsessionid_cookie(std::string_view("a=b;JSESSIONID=abc ; c=d")) == "JSESSIONID=abc; path=/");
    CHECK(jsessionid_cookie(std::string_view("JSESSIONID=\"q1\"")) == "JSESSIONID=q1; path=/");
    CHECK(jsessionid_cookie(std::string_view("XJSESSIONID=zz")) == "JSESSIONID=dummy; path=/");
    CHECK(jsessionid_cookie(std::string_view("jsessionid=zz")) == "JSESSIONID=dummy; path=/");
    CHECK(jsessionid_cookie(std::string_view("JSESSIONID=")) == "JSESSIONID=dummy; path=/");
    CHECK(jsessionid_cookie(std::string_view("JSESSIONID=a b")) == "JSESSIONID=dummy; path=/");
    CHECK(jsessionid_cookie(std::string_view("JSESSIONID=a,b")) == "JSESSIONID=dummy; path=/");
    CHECK(jsessionid_cookie(std::string_view("JSESSIONID=a\r\nX: y")) == "JSESSIONID=dummy; path=/");
    CHECK(jsessionid_cookie(std::string_view("JSESSIONID=one; JSESSIONID=two")) ==
          "JSESSIONID=one; path=/");
}

// ---------------------------------------------------------------------------------------------
// Receiver heads

TEST_CASE("receiver_head: content type, no-cache, CORS, cookie, nosniff", "[http][receiver]") {
    struct expect {
        transport t;
        const char* content_type;
        bool nosniff;
    };
    const expect table[] = {
        {transport::xhr, "application/javascript;charset=UTF-8", false},
        {transport::xhr_streaming, "application/javascript;charset=UTF-8", false},
        {transport::jsonp, "application/javascript;charset=UTF-8", true},
        {transport::eventsource, "text/event-stream", false},
        {transport::htmlfile, "text/html;charset=UTF-8", true},
    };
    for (const auto& e : table)
        for (bool cookie : {false, true}) {
            INFO(name(e.t) << " jsessionid=" << cookie);
            service_options opts;
            opts.jsessionid = cookie;
            auto rq = req("POST", "/0/s/x");
            rq.origin = "test";
            auto h = receiver_head(e.t, rq, opts);
            CHECK(h.status == 200);
            CHECK(h.body.empty());
            CHECK(get(h, "Content-Type") == std::string(e.content_type));
            verify_not_cached(h);
            verify_cors(h, "test");
            if (cookie)
                CHECK(get(h, "Set-Cookie") == std::string("JSESSIONID=dummy; path=/"));
            else
                CHECK_FALSE(get(h, "Set-Cookie"));
            if (e.nosniff)
                CHECK(get(h, "X-Content-Type-Options") == std::string("nosniff"));
            else
                CHECK_FALSE(get(h, "X-Content-Type-Options"));
        }
}

TEST_CASE("receiver_head: websocket has no HTTP head of ours", "[http][receiver]") {
    auto h = receiver_head(transport::websocket, req("GET", "/0/s/websocket"), {});
    CHECK(h.status == 101);
    CHECK(h.headers.empty());
}

// ---------------------------------------------------------------------------------------------
// Send responses

TEST_CASE("send_response", "[http][send]") {
    service_options opts;
    opts.jsessionid = true;
    auto rq = req("POST", "/0/s/xhr_send");
    rq.origin = "test";
    auto common = [&](const http_response& r) {
        CHECK(get(r, "Content-Type") == std::string("text/plain;charset=UTF-8"));
        verify_not_cached(r);
        verify_cors(r, "test");
        CHECK(get(r, "Set-Cookie") == std::string("JSESSIONID=dummy; path=/"));
    };
    for (auto t : {transport::xhr_send, transport::jsonp_send}) {
        INFO(name(t));
        auto ok = send_response(t, errc::ok, rq, opts);
        common(ok);
        if (t == transport::xhr_send) {
            CHECK(ok.status == 204);
            CHECK(ok.body.empty());
        } else {
            CHECK(ok.status == 200);
            CHECK(ok.body == "ok");
        }
        auto empty = send_response(t, errc::empty_payload, rq, opts);
        common(empty);
        CHECK(empty.status == 500);
        CHECK(empty.body == "Payload expected.");
        auto broken = send_response(t, errc::broken_json, rq, opts);
        common(broken);
        CHECK(broken.status == 500);
        CHECK(broken.body == "Broken JSON encoding.");
        auto big = send_response(t, errc::message_too_large, rq, opts);
        common(big);
        CHECK(big.status == 413);
        auto missing = send_response(t, errc::session_not_open, rq, opts);
        common(missing);
        CHECK(missing.status == 404);
    }
    service_options plain;
    CHECK_FALSE(get(send_response(transport::xhr_send, errc::ok, rq, plain), "Set-Cookie"));
}

TEST_CASE("websocket_error_close", "[http][websocket]") {
    using close = std::pair<int, std::string_view>;
    CHECK(websocket_error_close(errc::broken_json) == close{3000, "Broken framing."});
    CHECK(websocket_error_close(errc::empty_payload) == close{3000, "Broken framing."});
    CHECK(websocket_error_close(errc::message_too_large) == close{1009, "Message too big"});
    // What does not end a WebSocket session: success, and a session no longer open.
    CHECK_FALSE(websocket_error_close(errc::ok));
    CHECK_FALSE(websocket_error_close(errc::session_not_open));
}

TEST_CASE("not_found_response and too_many_sessions_response", "[http]") {
    auto nf = not_found_response();
    CHECK(nf.status == 404);
    CHECK(nf.body == "404 Error: Page not found\n");
    auto busy = too_many_sessions_response();
    CHECK(busy.status == 503);
    CHECK(std::count(busy.headers.begin(), busy.headers.end(),
                     std::pair<std::string, std::string>("Retry-After", "1")) == 1);
    CHECK(std::count(busy.headers.begin(), busy.headers.end(),
                     std::pair<std::string, std::string>("Content-Type", "text/plain;charset=UTF-8")) == 1);
    CHECK_FALSE(busy.body.empty());
}

TEST_CASE("websocket_wire_limit: the message limit plus room for escaping", "[http][websocket]") {
    service_options o;
    o.max_message_size = 1000;
    CHECK(websocket_wire_limit(o) == 1564);
    o.max_message_size = 0;
    CHECK(websocket_wire_limit(o) == 64);
    o.max_message_size = static_cast<std::size_t>(-1);
    CHECK(websocket_wire_limit(o) == static_cast<std::size_t>(-1));
}

TEST_CASE("append_cache_for_a_year_headers saturates at the end of time", "[http][date]") {
    header_list h;
    append_cache_for_a_year_headers(h, INT64_MAX);  // overflowed (UB) before: found by router_fuzz
    REQUIRE(h.size() == 2);
    CHECK(h[1] == std::pair<std::string, std::string>("Expires", "Fri, 31 Dec 9999 23:59:59 GMT"));
}
