#pragma once
/// @file
/// The SockJS transports, by their URL names.

#include <optional>
#include <string_view>

namespace sockjs {

enum class transport {
    websocket,      ///< framed SockJS over a WebSocket (`/<server>/<session>/websocket`)
    xhr,            ///< xhr-polling receive (POST), one frame per response
    xhr_streaming,  ///< xhr-streaming receive (POST)
    xhr_send,       ///< client to server for the xhr transports (POST)
    eventsource,    ///< EventSource receive (GET)
    htmlfile,       ///< htmlfile (forever iframe) receive (GET)
    jsonp,          ///< jsonp-polling receive (GET)
    jsonp_send,     ///< client to server for jsonp (POST)
};

/// The URL name, e.g. "xhr_streaming".
std::string_view name(transport t) noexcept;
/// Parses a URL segment; nullopt for an unknown name.
std::optional<transport> parse_transport(std::string_view s) noexcept;

/// True for transports that receive frames (everything but xhr_send and jsonp_send).
constexpr bool is_receiving(transport t) noexcept {
    return t != transport::xhr_send && t != transport::jsonp_send;
}
/// True for receivers that stay open across frames until response_limit (xhr_streaming,
/// eventsource, htmlfile) or for good (websocket). Polling receivers end after one frame.
constexpr bool is_streaming(transport t) noexcept {
    return t == transport::xhr_streaming || t == transport::eventsource ||
           t == transport::htmlfile || t == transport::websocket;
}

}  // namespace sockjs
