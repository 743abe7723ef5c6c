#pragma once
// TLS for the event loop's non-blocking connections: OpenSSL driven through a pair of memory
// BIOs. The connection keeps its socket I/O (one recv, one send, epoll readiness); ciphertext
// read from the socket is fed in, plaintext comes out, and plaintext to send comes back as
// ciphertext for the socket. No OpenSSL call ever touches the socket, so nothing blocks and
// no thread per connection is needed (POCO's SecureStreamSocket, by contrast, drives the
// handshake and every record on the socket itself, which fits blocking sockets only).

#include "net/out_buffer.hpp"

#include <sockjs/tls_options.hpp>

#include <cstddef>
#include <memory>
#include <string>

struct ssl_ctx_st;
struct ssl_st;
struct bio_st;

namespace sockjs::net {

/// The server's SSL_CTX (certificate, key, client CAs, protocol floor). Sessions are made
/// from it on every loop thread (OpenSSL's SSL_CTX is safe for that).
class tls_context {
public:
    /// Throws std::runtime_error naming the file and OpenSSL's reason when a file cannot be
    /// loaded or the key does not match the certificate.
    explicit tls_context(const tls_options& opts);
    ~tls_context();
    tls_context(const tls_context&) = delete;
    tls_context& operator=(const tls_context&) = delete;
    ssl_ctx_st* native() const noexcept { return ctx_; }

private:
    ssl_ctx_st* ctx_ = nullptr;
};

/// One connection's TLS state (server side).
class tls_session {
public:
    explicit tls_session(const tls_context& ctx);
    ~tls_session();
    tls_session(const tls_session&) = delete;
    tls_session& operator=(const tls_session&) = delete;

    enum class status { data, need_more, peer_closed, error };

    /// Ciphertext from the socket.
    void feed(const char* data, std::size_t n);
    /// Decrypts into `buf` (drives the handshake as needed). `data`: `n` plaintext bytes;
    /// need_more: wait for the socket; peer_closed: close_notify received; error: the
    /// handshake or a record failed (error_text() says why): close the connection.
    status read(char* buf, std::size_t cap, std::size_t& n);
    bool handshake_done() const noexcept { return handshake_done_; }
    /// Encrypts `n` bytes of plaintext into cipher(); after the handshake only. Returns false
    /// on an error.
    bool encrypt(const char* data, std::size_t n);
    /// Queues our close_notify once (after the handshake; otherwise nothing to say).
    void close_notify();
    /// Ciphertext waiting for the socket.
    out_buffer& cipher() noexcept { return cipher_; }
    const std::string& error_text() const noexcept { return error_; }

private:
    void collect_output();
    void record_error(const char* what);

    ssl_st* ssl_ = nullptr;
    bio_st* in_ = nullptr;   // owned by ssl_
    bio_st* out_ = nullptr;  // owned by ssl_
    out_buffer cipher_;
    std::string error_;
    bool handshake_done_ = false;
    bool close_sent_ = false;
};

}  // namespace sockjs::net
