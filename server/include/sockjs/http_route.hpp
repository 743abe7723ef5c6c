#pragma once
/// @file
/// Plain HTTP routes next to the SockJS services (a health check, a login endpoint):
///
///     srv.http_route("GET", "/healthz", [](const sockjs::http_request_view&) {
///         return sockjs::http_reply{.status = 200, .headers = {{"Content-Type", "text/plain"}}, .body = "ok"};
///     });
///
/// A route answers one exact path (no prefix matching, the query string is not part of it).
/// Its handler runs on the event loop of the request, so it must not block. A GET route also
/// answers HEAD (same status and headers, no body); another method on a routed path gets 405
/// with an Allow header. A handler that throws gives 500 (logged through server_options::log).

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sockjs {

/// The request a route handler sees; its views live as long as the handler call.
struct http_request_view {
    std::string_view method;  ///< "GET", "POST", ... ("GET" for a HEAD request to a GET route)
    std::string_view path;    ///< not percent-decoded
    std::string_view query;   ///< after '?', without it; empty if none
    std::string_view body;
    std::string_view remote_address;  ///< "host:port" (the client's, under trusted_proxies)
    std::vector<std::pair<std::string_view, std::string_view>> headers;

    /// The first header `name` (case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const {
        auto same = [name](std::string_view n) {
            return n.size() == name.size() &&
                   std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                   });
        };
        for (const auto& [n, v] : headers)
            if (same(n)) return v;
        return std::nullopt;
    }
};

/// A route handler's answer. Content-Length is added by the server.
struct http_reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers = {};
    std::string body = {};
};

using http_handler = std::function<http_reply(const http_request_view&)>;

}  // namespace sockjs
