#pragma once
/// @file
/// Options of a native SockJS client connection (sockjs::client::connection).
///
/// The names follow sockjs-client's constructor options (`transports`, `timeout`,
/// `sessionId`, `server`); the rest are the limits and timeouts a native program needs so
/// that nothing it calls can block for ever.

#include <sockjs/client.hpp>
#include <sockjs/reconnect.hpp>
#include <sockjs/time.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace sockjs::client {

/// Opt-in automatic reconnection: the core's reconnect_policy (sockjs/reconnect.hpp), the same
/// one the browser client uses. A close the application asked for is final; so is a close
/// frame the server sent (`c[3000,"Go away!"]`) unless its code asks the client to come back
/// (1001, 1012, 1013) or after_server_close is set; anything else (1006 "Server lost session",
/// 1002, 2000, a WebSocket the server closed) starts a new session after initial_delay,
/// doubling per attempt up to max_delay, 0-50 % less at random.
using reconnect_options = sockjs::reconnect_options;

/// TLS for https:// URLs (the WebSocket then goes over wss://, the xhr transports over
/// https://). The server's certificate is verified, and its name checked against the URL's
/// host, unless insecure_skip_verify says otherwise.
struct tls_client_options {
    /// PEM file of the CAs to trust; empty: the system's store (Debian: ca-certificates,
    /// /etc/ssl/certs).
    std::string ca_file;
    /// PEM client certificate and key, for servers that require one (mutual TLS); empty: none.
    std::string cert_file;
    std::string key_file;
    /// DANGEROUS: accept any certificate, from anyone (a man in the middle included). For a
    /// test against a self-signed server only; every connection logs a warning on stderr.
    bool insecure_skip_verify = false;
};

struct options {
    /// Transports allowed, in sockjs-client's order (websocket, xhr-streaming, xhr-polling);
    /// empty = every transport this client implements. Transports this client does not
    /// implement (eventsource, jsonp-polling) are ignored.
    std::vector<client_transport> transports;
    /// How long one transport may take to deliver the open frame before the next one is
    /// tried (after the last one the connection closes with 2000 "All transports failed").
    /// 0 = derive it from the /info round trip as sockjs-client does (at least 600 ms);
    /// the default is a fixed 5 s, which a loaded machine will not trip over.
    millis timeout{5000};
    /// Session id in the URL; empty = a fresh random one per connection attempt.
    std::string session_id;
    /// Server id in the URL (for sticky load balancers); empty = random three digits.
    std::string server_id;

    /// Connecting a TCP socket, and the whole /info request, give up after this long (a
    /// failed /info closes with 1002). Host names are resolved by the system resolver, which
    /// has its own timeouts.
    millis connect_timeout{5000};
    /// A transport on which no byte arrives for this long has failed (the session then
    /// closes with 1006). It must exceed the server's heartbeat interval (25 s by default),
    /// since a live server sends `h` at least that often.
    millis receive_timeout{60000};
    /// Writing a request or a WebSocket message gives up after this long.
    millis send_timeout{10000};
    /// Largest single frame accepted from the server (WebSocket payload or one line of an
    /// xhr body); larger is a broken transport, never an unbounded allocation.
    std::size_t max_frame_size = 16u << 20;

    reconnect_options reconnect;
    tls_client_options tls;
};

}  // namespace sockjs::client
