// Header building blocks: CORS, caching, the JSESSIONID cookie, origin checks.

#include "http_detail.hpp"

#include <cstdint>
#include <string>

namespace sockjs {

namespace detail {

namespace {

constexpr char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool has_token(std::string_view list, std::string_view token) noexcept {
    while (true) {
        auto comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) return false;
        list.remove_prefix(comma + 1);
    }
}

bool header_safe(std::string_view v) noexcept {
    for (unsigned char c : v)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    return true;
}

std::optional<std::string_view> usable_origin(const request_info& req) noexcept {
    if (!req.origin || req.origin->empty() || !header_safe(*req.origin)) return std::nullopt;
    return req.origin;
}

void append_jsessionid(header_list& h, const request_info& req, const service_options& opts) {
    if (opts.jsessionid) h.emplace_back("Set-Cookie", jsessionid_cookie(req.cookie));
}

}  // namespace detail

void append_cors_headers(header_list& h, const request_info& req) {
    // A page served from file:// sends `Origin: null`; echoing the literal "null" is what
    // browsers accept (and what the suite checks), with credentials so JSESSIONID flows.
    if (auto origin = detail::usable_origin(req)) {
        h.emplace_back("Access-Control-Allow-Origin", std::string(*origin));
        h.emplace_back("Access-Control-Allow-Credentials", "true");
    } else {
        h.emplace_back("Access-Control-Allow-Origin", "*");
    }
    // The answer depends on Origin: shared caches must key on it (OPTIONS is cached a year).
    h.emplace_back("Vary", "Origin");
    if (req.request_headers && !req.request_headers->empty() &&
        detail::header_safe(*req.request_headers))
        h.emplace_back("Access-Control-Allow-Headers", std::string(*req.request_headers));
}

void append_no_cache_headers(header_list& h) {
    h.emplace_back("Cache-Control", "no-store, no-cache, no-transform, must-revalidate, max-age=0");
}

void append_cache_for_a_year_headers(header_list& h, std::int64_t unix_now) {
    constexpr std::int64_t year = 31536000;
    h.emplace_back("Cache-Control", "public, max-age=31536000");
    // A clock at the end of time must not overflow (http_date clamps to year 9999 anyway).
    const std::int64_t expires = unix_now > INT64_MAX - year ? INT64_MAX : unix_now + year;
    h.emplace_back("Expires", http_date(expires));
}

std::string jsessionid_cookie(std::optional<std::string_view> cookie_header) {
    // Echo the client's JSESSIONID (a sticky load balancer put it there) or start with "dummy".
    // Only RFC 6265 cookie-octets are echoed, so nothing odd reaches our Set-Cookie header.
    auto is_cookie_octet = [](unsigned char c) {
        return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
               (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
    };
    std::string_view value = "dummy";
    if (cookie_header) {
        std::string_view rest = *cookie_header;
        while (!rest.empty()) {
            auto semi = rest.find(';');
            std::string_view pair = detail::trim(rest.substr(0, semi));
            rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
            auto eq = pair.find('=');
            if (eq == std::string_view::npos || detail::trim(pair.substr(0, eq)) != "JSESSIONID")
                continue;
            std::string_view v = detail::trim(pair.substr(eq + 1));
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
            bool ok = !v.empty();
            for (unsigned char c : v) ok = ok && is_cookie_octet(c);
            if (ok) value = v;
            break;
        }
    }
    std::string out = "JSESSIONID=";
    out += value;
    out += "; path=/";
    return out;
}

bool origin_allowed(const std::vector<std::string>& allowed, std::optional<std::string_view> origin) {
    if (allowed.empty()) return true;
    for (const auto& a : allowed)
        if (a == "*") return true;
    // No Origin: not a cross-origin browser request (browsers send Origin on every CORS
    // request and every WebSocket handshake), so there is nothing to check against.
    if (!origin) return true;
    // Scheme and host are case-insensitive; browsers send them lowercase anyway.
    for (const auto& a : allowed)
        if (detail::iequals(a, *origin)) return true;
    return false;
}

}  // namespace sockjs
