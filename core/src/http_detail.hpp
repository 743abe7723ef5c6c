#pragma once
// Internal helpers shared by the http_*.cpp files (not part of the public API).

#include <sockjs/http.hpp>

#include <string>
#include <string_view>

namespace sockjs::detail {

inline constexpr std::string_view text_plain = "text/plain;charset=UTF-8";
inline constexpr std::string_view not_found_body = "404 Error: Page not found\n";

/// ASCII case-insensitive equality (header values such as `Upgrade: WebSocket`).
bool iequals(std::string_view a, std::string_view b) noexcept;

/// True if the comma-separated token list `list` (e.g. `keep-alive, Upgrade`) holds `token`,
/// compared case-insensitively.
bool has_token(std::string_view list, std::string_view token) noexcept;

/// True if `v` can be copied into a response header value: no CR, LF, NUL or other control
/// characters but tab. Adapters parse headers already; this guards against one that does not.
bool header_safe(std::string_view v) noexcept;

/// The request's Origin if it is present, non-empty and header-safe.
std::optional<std::string_view> usable_origin(const request_info& req) noexcept;

/// `Set-Cookie: JSESSIONID=...` when the service has jsessionid on.
void append_jsessionid(header_list& h, const request_info& req, const service_options& opts);

/// A small text/plain response (404, 400, 403, 500, ...).
http_response text_response(int status, std::string_view body);
/// 404 with a short text body.
http_response not_found();
/// 405: `Allow`, no Content-Type, no body (the suite checks all three).
http_response method_not_allowed(std::string_view allow);

/// The iframe endpoint's answer (200 page, or 304 when If-None-Match matches).
http_response iframe_response(const request_info& req, const service_options& opts,
                              std::int64_t unix_now);

}  // namespace sockjs::detail
