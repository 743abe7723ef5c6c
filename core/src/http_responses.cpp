// Responses for the session endpoints once the session has had its say, and the small
// error responses every endpoint shares.

#include "http_detail.hpp"

#include <sockjs/error.hpp>

namespace sockjs {

namespace detail {

http_response text_response(int status, std::string_view body) {
    http_response r;
    r.status = status;
    // Room for what the callers add (no-cache, CORS, cookie): one allocation, not three.
    r.headers.reserve(8);
    r.headers.emplace_back("Content-Type", std::string(text_plain));
    r.body = std::string(body);
    return r;
}

http_response not_found() { return text_response(404, not_found_body); }

http_response method_not_allowed(std::string_view allow) {
    http_response r;
    r.status = 405;
    r.headers.emplace_back("Allow", std::string(allow));
    return r;
}

}  // namespace detail

http_response not_found_response() { return detail::not_found(); }

http_response too_many_sessions_response() {
    http_response r = detail::text_response(503, "503 Error: Too many sessions\n");
    r.headers.emplace_back("Retry-After", "1");
    return r;
}

std::size_t websocket_wire_limit(const service_options& opts) noexcept {
    const std::size_t m = opts.max_message_size;
    constexpr std::size_t framing = 64;
    const std::size_t max = static_cast<std::size_t>(-1);
    if (m > (max - framing) / 3 * 2) return max;  // m + m/2 + 64 would overflow
    return m + m / 2 + framing;
}

http_response receiver_head(transport t, const request_info& req, const service_options& opts) {
    http_response r;
    if (t == transport::websocket) {
        // The WebSocket handshake writes its own head.
        r.status = 101;
        return r;
    }
    std::string_view content_type = detail::text_plain;  // senders, should they ask
    switch (t) {
    case transport::xhr:
    case transport::xhr_streaming:
    case transport::jsonp: content_type = "application/javascript;charset=UTF-8"; break;
    case transport::eventsource: content_type = "text/event-stream"; break;
    case transport::htmlfile: content_type = "text/html;charset=UTF-8"; break;
    default: break;
    }
    r.headers.emplace_back("Content-Type", std::string(content_type));
    append_no_cache_headers(r.headers);
    append_cors_headers(r.headers, req);
    detail::append_jsessionid(r.headers, req, opts);
    // jsonp and htmlfile bodies embed a client-chosen callback: forbid content sniffing.
    if (t == transport::htmlfile || t == transport::jsonp)
        r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
}

http_response send_response(transport t, errc result, const request_info& req,
                            const service_options& opts) {
    http_response r;
    switch (result) {
    case errc::ok:
        if (t == transport::jsonp_send) {
            // Konqueror mishandles 204 here; the protocol answers 200 "ok".
            r = detail::text_response(200, "ok");
        } else {
            // 204, yet with a Content-Type: Firefox otherwise takes the empty body for XML.
            r = detail::text_response(204, "");
        }
        break;
    case errc::session_not_open: r = detail::not_found(); break;
    case errc::message_too_large: r = detail::text_response(413, message(result)); break;
    default: r = detail::text_response(500, message(result)); break;
    }
    append_no_cache_headers(r.headers);
    append_cors_headers(r.headers, req);
    detail::append_jsessionid(r.headers, req, opts);
    return r;
}

std::optional<std::pair<int, std::string_view>> websocket_error_close(errc e) {
    switch (e) {
    case errc::broken_json:
    case errc::empty_payload: return std::pair<int, std::string_view>{3000, "Broken framing."};
    case errc::message_too_large: return std::pair<int, std::string_view>{1009, "Message too big"};
    default: return std::nullopt;
    }
}

}  // namespace sockjs
