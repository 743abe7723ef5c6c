// Routing a request under a service prefix: which endpoint, or the response that ends it.

#include "http_detail.hpp"

#include <sockjs/payload.hpp>
#include <sockjs/wrap.hpp>

#include <array>

namespace sockjs {

namespace {

constexpr std::string_view forbidden_body = "Origin not allowed.\n";

// `/iframe[0-9-.a-z_]*\.html`, whole path.
bool is_iframe_path(std::string_view path) noexcept {
    constexpr std::string_view head = "/iframe", tail = ".html";
    if (path.size() < head.size() + tail.size() || path.substr(0, head.size()) != head ||
        path.substr(path.size() - tail.size()) != tail)
        return false;
    for (char c : path.substr(head.size(), path.size() - head.size() - tail.size())) {
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '.' ||
                  c == '_';
        if (!ok) return false;
    }
    return true;
}

// `/<server>/<session>/<transport>`, each segment `[^/.]+`.
bool split_session_path(std::string_view path, std::array<std::string_view, 3>& seg) noexcept {
    if (path.empty() || path.front() != '/') return false;
    path.remove_prefix(1);
    for (std::size_t i = 0; i < 3; ++i) {
        auto slash = path.find('/');
        if ((slash == std::string_view::npos) != (i == 2)) return false;
        seg[i] = path.substr(0, slash);
        if (seg[i].empty() || seg[i].find('.') != std::string_view::npos) return false;
        if (i < 2) path.remove_prefix(slash + 1);
    }
    return true;
}

route_result answered(http_response r) {
    route_result out;
    out.response = std::move(r);
    return out;
}

// A CORS preflight: 204, cacheable for a year, the methods the endpoint takes.
http_response preflight(std::string_view methods, const request_info& req,
                        std::int64_t unix_now) {
    http_response r;
    r.status = 204;
    append_cors_headers(r.headers, req);
    append_cache_for_a_year_headers(r.headers, unix_now);
    r.headers.emplace_back("Access-Control-Allow-Methods", std::string(methods));
    r.headers.emplace_back("Access-Control-Max-Age", "31536000");
    return r;
}

bool origin_ok(const request_info& req, const service_options& opts) {
    if (opts.origins.empty()) return true;
    // An empty or malformed Origin still counts as sent, and matches no listed origin.
    return origin_allowed(opts.origins, req.origin);
}

// Checks shared by /websocket and /<server>/<session>/websocket, after 404 decisions.
// Order: method (405), handshake headers (400), origin (403).
std::optional<http_response> check_websocket(const request_info& req, const service_options& opts) {
    if (req.method != "GET") return detail::method_not_allowed("GET");
    if (!req.upgrade || !detail::has_token(*req.upgrade, "websocket"))
        return detail::text_response(400, "Can \"Upgrade\" only to \"WebSocket\".");
    if (!req.connection || !detail::has_token(*req.connection, "upgrade"))
        return detail::text_response(400, "\"Connection\" must be \"Upgrade\".");
    if (!origin_ok(req, opts)) return detail::text_response(403, forbidden_body);
    return std::nullopt;
}

route_result route_info(const request_info& req, const service_options& opts,
                        std::uint32_t entropy, std::int64_t unix_now) {
    if (req.method != "GET" && req.method != "OPTIONS")
        return answered(detail::method_not_allowed("OPTIONS, GET"));
    if (!origin_ok(req, opts)) return answered(detail::text_response(403, forbidden_body));
    if (req.method == "OPTIONS") return answered(preflight("OPTIONS, GET", req, unix_now));
    http_response r;
    r.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
    append_no_cache_headers(r.headers);
    append_cors_headers(r.headers, req);
    r.body = info_json(opts.websocket, opts.jsessionid, entropy);
    route_result out = answered(std::move(r));
    out.target = endpoint::info;
    return out;
}

route_result route_session(std::string_view path, const request_info& req,
                           const service_options& opts, std::int64_t unix_now) {
    std::array<std::string_view, 3> seg;
    if (!split_session_path(path, seg)) return answered(detail::not_found());
    auto t = parse_transport(seg[2]);
    if (!t || !opts.transport_enabled(*t)) return answered(detail::not_found());

    route_result out;
    out.target = endpoint::session;
    out.server_id = seg[0];
    out.session_id = seg[1];
    out.t = *t;

    if (*t == transport::websocket) {
        out.response = check_websocket(req, opts);
        return out;
    }

    // The methods each transport answers; the xhr family also answers CORS preflights.
    const bool post_with_preflight =
        *t == transport::xhr || *t == transport::xhr_send || *t == transport::xhr_streaming;
    const std::string_view method =
        (post_with_preflight || *t == transport::jsonp_send) ? "POST" : "GET";
    if (post_with_preflight && req.method == "OPTIONS") {
        if (!origin_ok(req, opts)) {
            out.response = detail::text_response(403, forbidden_body);
            return out;
        }
        out.response = preflight("OPTIONS, POST", req, unix_now);
        detail::append_jsessionid(out.response->headers, req, opts);
        return out;
    }
    if (req.method != method) {
        out.response = detail::method_not_allowed(post_with_preflight ? "OPTIONS, POST" : method);
        return out;
    }
    if (!origin_ok(req, opts)) {
        out.response = detail::text_response(403, forbidden_body);
        return out;
    }

    if (*t == transport::htmlfile || *t == transport::jsonp) {
        // `c`, or `callback` when `c` is absent or empty; URL-decoded (`c=%63allback`).
        std::string cb = query_param(req.query, "c");
        if (cb.empty()) cb = query_param(req.query, "callback");
        if (errc e = validate_callback(cb); e != errc::ok) {
            http_response r = detail::text_response(500, message(e));
            append_no_cache_headers(r.headers);
            append_cors_headers(r.headers, req);
            detail::append_jsessionid(r.headers, req, opts);
            out.response = std::move(r);
            return out;
        }
        out.callback = std::move(cb);
    }
    return out;
}

}  // namespace

route_result route(const request_info& req, const service_options& opts, std::uint32_t entropy,
                   std::int64_t unix_now) {
    if (req.path.empty() || req.path == "/") {
        if (req.method != "GET") return answered(detail::method_not_allowed("GET"));
        return answered(detail::text_response(200, "Welcome to SockJS!\n"));
    }
    // Like the reference server, every other endpoint tolerates one trailing slash
    // (`/info/`, `/0/s/xhr/`); `//` and `/a/a/` still match nothing.
    std::string_view path = req.path;
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (path == "/info") return route_info(req, opts, entropy, unix_now);
    if (is_iframe_path(path)) {
        if (req.method != "GET") return answered(detail::method_not_allowed("GET"));
        route_result out = answered(detail::iframe_response(req, opts, unix_now));
        out.target = endpoint::iframe;
        return out;
    }
    if (path == "/websocket") {
        if (!opts.websocket) return answered(detail::not_found());
        route_result out;
        out.target = endpoint::raw_websocket;
        out.response = check_websocket(req, opts);
        return out;
    }
    return route_session(path, req, opts, unix_now);
}

}  // namespace sockjs
