#pragma once
// Where a SockJS service lives (host, port, URL prefix) and the one way this client opens a
// TCP connection to it: bounded by connect_timeout and registered with an abort_token.

#include <sockjs/client/options.hpp>

#include "abort_token.hpp"

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
    std::string url;     ///< http://host:port/prefix, as normalised
};

/// Parses an absolute `http://host[:port][/prefix]` URL; a trailing slash, query and fragment
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
