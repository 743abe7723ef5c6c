#pragma once
/// @file
/// TLS settings of a sockjs::server (server_options::tls): with a certificate chain and a key,
/// the server speaks only https/wss on its port; without, only http/ws.
///
/// The event loops do TLS themselves (OpenSSL through memory BIOs on the non-blocking
/// sockets): no thread per connection, and an idle TLS connection gives its record buffers
/// back (SSL_MODE_RELEASE_BUFFERS).

#include <string>

namespace sockjs {

struct tls_options {
    /// PEM file: the server certificate first, then the intermediates; empty: no TLS.
    std::string cert_chain_file = {};
    /// PEM file with the certificate's private key (unencrypted).
    std::string private_key_file = {};
    /// PEM file of CAs; non-empty: every client must present a certificate signed by one of
    /// them (mutual TLS), or its handshake fails.
    std::string client_ca_file = {};
    /// OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults); empty: the
    /// system's default (Debian's is strict).
    std::string ciphers = {};
    /// Refuse TLS 1.2 too (the floor is TLS 1.2 otherwise; older versions are never offered).
    bool tls13_only = false;

    bool enabled() const noexcept { return !cert_chain_file.empty(); }
};

}  // namespace sockjs
