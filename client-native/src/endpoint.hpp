#pragma once
// Where a SockJS service lives (host, port, URL prefix) and the one way this client opens a
// TCP connection to it: bounded by connect_timeout and registered with an abort_token.

#include <sockjs/client/options.hpp>

#include "abort_token.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace sockjs::client::detail {

struct endpoint {
    std::string host;
    std::uint16_t port = 80;
    std::string prefix;  ///< the service path without a trailing slash, e.g. "/echo" (may be "")
    std::string url;     ///< http(s)://host:port/prefix, as normalised
    bool secure = false; ///< https: every connection is TLS (wss for the WebSocket)
    Poco::Net::Context::Ptr tls;  ///< the TLS context (secure only), set by make_tls_context
};

/// The client TLS context for `opts.tls`: verification against the CA file or the system
/// store. Throws std::invalid_argument when a file cannot be loaded.
Poco::Net::Context::Ptr make_tls_context(const tls_client_options& opts);

/// Parses an absolute `http(s)://host[:port][/prefix]` URL; a trailing slash, query and fragment
/// are dropped (sockjs-client does the same). nullopt for anything else.
std::optional<endpoint> parse_endpoint(const std::string& url);

/// Thrown inside the I/O threads when abort_token::abort() cut an operation short; never
/// leaves the library.
struct aborted : std::runtime_error {
    aborted() : std::runtime_error("aborted") {}
};

/// Connects to `ep` within opts.connect_timeout, sets the receive and send timeouts and
/// registers the socket with `token`. Throws Poco::Exception on failure, `aborted` if the
/// token was aborted.
Poco::Net::StreamSocket connect_socket(const endpoint& ep, const options& opts, abort_token& token,
                                       std::chrono::milliseconds receive_timeout);

}  // namespace sockjs::client::detail
