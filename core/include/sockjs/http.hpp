#pragma once
/// @file
/// The HTTP side of the protocol as data: routing a request under a service prefix, and the
/// status, headers and body of every response the protocol defines. The adapter parses HTTP
/// (POCO), fills a request_info, and writes what comes back; it decides nothing itself.
///
/// Routing table (path relative to the service prefix; anything else is 404):
///
/// | path                          | methods                 | otherwise                       |
/// |-------------------------------|-------------------------|---------------------------------|
/// | `""`, `/`                     | GET: greeting           | 405 Allow: GET                  |
/// | `/info`                       | GET, OPTIONS (preflight)| 405 Allow: OPTIONS, GET         |
/// | `/iframe[0-9-.a-z_]*.html`    | GET (304 on ETag match) | 405 Allow: GET                  |
/// | `/websocket`                  | GET + Upgrade           | 405 Allow: GET; 400; 404 if off |
/// | `/<s>/<id>/websocket`         | GET + Upgrade           | 405 Allow: GET; 400; 404 if off |
/// | `/<s>/<id>/xhr`, `xhr_send`, `xhr_streaming` | POST, OPTIONS (preflight) | 405 Allow: OPTIONS, POST |
/// | `/<s>/<id>/eventsource`, `htmlfile`, `jsonp` | GET              | 405 Allow: GET                  |
/// | `/<s>/<id>/jsonp_send`        | POST                    | 405 Allow: POST                 |
///
/// Every path but the greeting's may end with one extra `/` (`/info/`, `/0/s/xhr/`), as with
/// the reference server.
///
/// Order of decisions on an endpoint: 404 (path, unknown or disabled transport), 405 (method),
/// 400 (WebSocket handshake headers), 403 (origin), 500 (jsonp/htmlfile callback).
///
/// Origins: with `service_options::origins` non-empty (and without `*`), a request whose
/// `Origin` is not in the list gets 403 on /info, on every session endpoint (preflights
/// included) and on both WebSocket endpoints. Greeting and iframe page are never refused.
/// A request *without* `Origin` is allowed: non-browser clients send none, and browsers send
/// one on every CORS request and WebSocket handshake. Browsers do not send `Origin` for the
/// `<script>` (jsonp) and `<iframe>` (htmlfile) loads, so a service that restricts origins
/// should also disable jsonp and htmlfile. `null` (file:// pages) is allowed only if listed.
///
/// CORS: every /info, preflight and session response (but 403, 404 and 405) carries
/// `Access-Control-Allow-Origin` (the request's Origin, or `*` without one),
/// `Access-Control-Allow-Credentials: true` with an Origin, `Vary: Origin`, and echoes a
/// non-empty `Access-Control-Request-Headers` as `Access-Control-Allow-Headers`.
///
/// JSESSIONID (`service_options::jsessionid`): `Set-Cookie` on session preflights, receiver
/// heads, send responses and callback errors; never on greeting, /info, iframe, 403, 404, 405.

#include <sockjs/error.hpp>
#include <sockjs/options.hpp>
#include <sockjs/transport.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sockjs {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// The parts of a request the protocol looks at. Views into the adapter's parsed request.
struct request_info {
    std::string_view method;        ///< "GET", "POST", "OPTIONS", ...
    std::string_view path;          ///< the path after the service prefix, e.g. "/info", "" or "/";
                                    ///< not percent-decoded
    std::string_view query;         ///< without '?'; raw (route() URL-decodes what it reads)
    std::optional<std::string_view> origin;                  ///< `Origin`, if present
    std::optional<std::string_view> request_headers;         ///< `Access-Control-Request-Headers`
    std::optional<std::string_view> cookie;                  ///< `Cookie`
    std::optional<std::string_view> if_none_match;           ///< `If-None-Match`
    std::optional<std::string_view> content_type;            ///< `Content-Type`
    std::optional<std::string_view> upgrade;                 ///< `Upgrade`
    std::optional<std::string_view> connection;              ///< `Connection`
    bool http10 = false;                                     ///< HTTP/1.0 request
};

/// A complete response (or, for receiving transports, its head: body comes from the session).
struct http_response {
    int status = 200;
    header_list headers;
    std::string body;
};

enum class endpoint {
    greeting,       ///< GET "" or "/"
    info,           ///< /info
    iframe,         ///< /iframe[0-9-.a-z_]*.html
    raw_websocket,  ///< /websocket
    session,        ///< /<server>/<session>/<transport>
};

/// Where a request goes, or the response that ends it right away. `server_id` and
/// `session_id` view `request_info::path`: they live as long as the adapter's request.
struct route_result {
    /// Set when the request is already answered (404, 405, 400, 403, OPTIONS preflight,
    /// greeting, info, iframe, 304). Otherwise the adapter handles `target`.
    std::optional<http_response> response;
    endpoint target = endpoint::greeting;
    std::string_view server_id;   ///< session endpoints
    std::string_view session_id;  ///< session endpoints
    transport t = transport::xhr; ///< session endpoints
    std::string callback;         ///< htmlfile / jsonp: the validated callback name
};

/// Routes `req` for a service with `opts`. `entropy` is a fresh random 32-bit number for /info
/// (the adapter's RNG); `unix_now` is wall-clock seconds for the Expires header.
/// Decides: 404 for unknown paths, segments containing '.', disabled transports; 405 with
/// Allow for wrong methods; 400 for non-upgrade GETs on websocket URLs; 403 for disallowed
/// origins; 500 for missing/invalid callbacks; OPTIONS preflights (204); greeting; /info;
/// iframe (with ETag and 304).
/// Without `response`, `target` is raw_websocket (upgrade it) or session (with server_id,
/// session_id, t and, for htmlfile/jsonp, callback). 405 has `Allow`, no Content-Type and no
/// body; 304 has no Content-Type and no body; other error responses are short text/plain.
route_result route(const request_info& req, const service_options& opts, std::uint32_t entropy,
                   std::int64_t unix_now);

/// Headers for a receiving transport's response head: content type, no-cache, CORS,
/// JSESSIONID (when enabled), nosniff for htmlfile/jsonp. Status is 200. For websocket the
/// handshake writes its own head: status 101 and no headers.
http_response receiver_head(transport t, const request_info& req, const service_options& opts);

/// The response to xhr_send / jsonp_send after the session took the body: `result` is what
/// server_session::receive returned (or session_not_open when no such session: 404).
/// 204 for xhr_send, 200 "ok" for jsonp_send; 500 with the protocol's text for payload errors;
/// 413 for message_too_large; 404 for session_not_open. All text/plain;charset=UTF-8 (even the
/// 204: Firefox takes an untyped empty body for XML), with no-cache, CORS and JSESSIONID.
http_response send_response(transport t, errc result, const request_info& req,
                            const service_options& opts);

/// 404 for a path no service (nor anything else of the server's) answers: the same
/// text/plain body as the core's other 404s.
http_response not_found_response();
/// 503 for a new session (any transport, raw WebSocket included) beyond
/// service_options::max_sessions: text/plain, with `Retry-After: 1`.
http_response too_many_sessions_response();
/// The largest WebSocket message, in bytes on the wire, that a SockJS WebSocket session
/// accepts (larger ones close with 1009 before they are buffered): max_message_size plus half
/// of it for JSON escaping, plus 64 for the brackets and quotes. The session then checks the
/// decoded size exactly. A message whose escaping more than doubles half its bytes (control
/// characters become six-byte `\uXXXX`) is refused even if it would decode within
/// max_message_size: bounding what one connection buffers matters more. A raw WebSocket
/// (`/websocket`) carries messages unframed: its limit is max_message_size itself.
std::size_t websocket_wire_limit(const service_options& opts) noexcept;

/// Whether the result `e` of server_session::receive on a WebSocket session ends it at once,
/// and with which WebSocket close: the peer broke the framing (empty or broken JSON: 3000
/// "Broken framing."; oversized: 1009 "Message too big"). Any other result (ok, or the
/// session no longer open) leaves the WebSocket as it is: none.
std::optional<std::pair<int, std::string_view>> websocket_error_close(errc e);

/// Pieces, exposed for tests and for adapters that compose their own responses.
void append_cors_headers(header_list& h, const request_info& req);
void append_no_cache_headers(header_list& h);
/// `Cache-Control: public, max-age=31536000` and `Expires` a year after `unix_now`
/// (preflights add `Access-Control-Max-Age` themselves).
void append_cache_for_a_year_headers(header_list& h, std::int64_t unix_now);
/// `JSESSIONID=<cookie value or dummy>; path=/`. The request's value is echoed only if it
/// is made of RFC 6265 cookie-octets.
std::string jsessionid_cookie(std::optional<std::string_view> cookie_header);
/// RFC 7231 IMF-fixdate for `unix_seconds`, e.g. "Thu, 26 Nov 2026 06:36:02 GMT" (clamped
/// to years 0000..9999).
std::string http_date(std::int64_t unix_seconds);
/// `{"websocket":..,"cookie_needed":..,"origins":["*:*"],"entropy":..}`
std::string info_json(bool websocket, bool cookie_needed, std::uint32_t entropy);
/// The iframe page that loads `sockjs_url`, and its strong ETag (stable for the same page).
std::string iframe_page(std::string_view sockjs_url);
std::string iframe_etag(std::string_view page);
/// True if `origin` is allowed by `allowed` (empty list or "*" allows all; an absent origin
/// is allowed; otherwise an ASCII case-insensitive exact match).
bool origin_allowed(const std::vector<std::string>& allowed, std::optional<std::string_view> origin);

}  // namespace sockjs
