#include "net/tls.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace sockjs::net {

namespace {

std::string openssl_reason() {
    std::string all;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!all.empty()) all += "; ";
        all += buf;
    }
    return all.empty() ? std::string("no reason given") : all;
}

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("tls: " + what + ": " + openssl_reason());
}

// Browsers offer h2 and http/1.1; we speak HTTP/1.1 only, and say so.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
    static const unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, http11, sizeof http11, in, inlen) ==
        OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

tls_context::tls_context(const tls_options& opts) {
    ERR_clear_error();
    ctx_ = SSL_CTX_new(TLS_server_method());
    if (ctx_ == nullptr) fail("cannot create a context");
    try {
        SSL_CTX_set_min_proto_version(ctx_, opts.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
        SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                      SSL_OP_CIPHER_SERVER_PREFERENCE);
        // Idle connections (thousands of held WebSockets) give their record buffers back.
        SSL_CTX_set_mode(ctx_, SSL_MODE_RELEASE_BUFFERS);
        if (!opts.ciphers.empty() && SSL_CTX_set_cipher_list(ctx_, opts.ciphers.c_str()) != 1)
            fail("invalid cipher list \"" + opts.ciphers + "\"");
        if (SSL_CTX_use_certificate_chain_file(ctx_, opts.cert_chain_file.c_str()) != 1)
            fail("cannot load the certificate chain " + opts.cert_chain_file);
        if (SSL_CTX_use_PrivateKey_file(ctx_, opts.private_key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
            if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
                fail("the private key " + opts.private_key_file + " does not match the certificate " +
                     opts.cert_chain_file);
            fail("cannot load the private key " + opts.private_key_file);
        }
        if (SSL_CTX_check_private_key(ctx_) != 1)
            fail("the private key " + opts.private_key_file + " does not match the certificate " +
                 opts.cert_chain_file);
        if (!opts.client_ca_file.empty()) {
            if (SSL_CTX_load_verify_locations(ctx_, opts.client_ca_file.c_str(), nullptr) != 1)
                fail("cannot load the client CAs " + opts.client_ca_file);
            STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(opts.client_ca_file.c_str());
            if (names == nullptr) fail("no CA names in " + opts.client_ca_file);
            SSL_CTX_set_client_CA_list(ctx_, names);
            SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
            // Resumed sessions must stay bound to this verification setting.
            static const unsigned char sid[] = "sockjs-server";
            SSL_CTX_set_session_id_context(ctx_, sid, sizeof sid - 1);
        }
        SSL_CTX_set_alpn_select_cb(ctx_, select_alpn, nullptr);
    } catch (...) {
        SSL_CTX_free(ctx_);
        throw;
    }
}

tls_context::~tls_context() {
    SSL_CTX_free(ctx_);
}

tls_session::tls_session(const tls_context& ctx) {
    ssl_ = SSL_new(ctx.native());
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    if (ssl_ == nullptr || in_ == nullptr || out_ == nullptr) {
        BIO_free(in_);
        BIO_free(out_);
        SSL_free(ssl_);
        throw std::bad_alloc();
    }
    // An empty input BIO means "wait for the socket", not end of file.
    BIO_set_mem_eof_return(in_, -1);
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_accept_state(ssl_);
}

tls_session::~tls_session() {
    SSL_free(ssl_);  // frees both BIOs
}

void tls_session::feed(const char* data, std::size_t n) {
    while (n > 0) {
        const int chunk = static_cast<int>(std::min<std::size_t>(n, INT_MAX));
        const int w = BIO_write(in_, data, chunk);
        if (w <= 0) return;  // a memory BIO only fails when out of memory
        data += w;
        n -= static_cast<std::size_t>(w);
    }
}

tls_session::status tls_session::read(char* buf, std::size_t cap, std::size_t& n) {
    n = 0;
    ERR_clear_error();
    if (!handshake_done_) {
        const int r = SSL_do_handshake(ssl_);
        collect_output();  // our flight, or the alert that ends a failed handshake
        if (r != 1) {
            const int e = SSL_get_error(ssl_, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return status::need_more;
            record_error("handshake failed");
            return status::error;
        }
        handshake_done_ = true;
    }
    const int r = SSL_read(ssl_, buf, static_cast<int>(std::min<std::size_t>(cap, INT_MAX)));
    collect_output();  // TLS 1.3 session tickets, alerts
    if (r > 0) {
        n = static_cast<std::size_t>(r);
        return status::data;
    }
    switch (SSL_get_error(ssl_, r)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return status::need_more;
    case SSL_ERROR_ZERO_RETURN:
        return status::peer_closed;
    default:
        record_error("record layer failed");
        return status::error;
    }
}

bool tls_session::encrypt(const char* data, std::size_t n) {
    if (!handshake_done_ || close_sent_) return false;
    ERR_clear_error();
    while (n > 0) {
        const int chunk = static_cast<int>(std::min<std::size_t>(n, INT_MAX / 2));
        // A memory BIO never blocks: SSL_write takes everything or fails.
        const int w = SSL_write(ssl_, data, chunk);
        if (w <= 0) {
            record_error("encrypting failed");
            collect_output();
            return false;
        }
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    collect_output();
    return true;
}

void tls_session::close_notify() {
    if (!handshake_done_ || close_sent_) return;
    close_sent_ = true;
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
    collect_output();
}

void tls_session::collect_output() {
    const std::size_t pending = BIO_ctrl_pending(out_);
    if (pending == 0) return;
    std::string& tail = cipher_.tail();
    const std::size_t old = tail.size();
    tail.resize(old + pending);
    const int r = BIO_read(out_, tail.data() + old, static_cast<int>(pending));
    tail.resize(old + static_cast<std::size_t>(r > 0 ? r : 0));
}

void tls_session::record_error(const char* what) {
    error_ = what;
    error_ += ": ";
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK && SSL_get0_peer_certificate(ssl_) != nullptr) {
        error_ += X509_verify_cert_error_string(verify);
        error_ += "; ";
    }
    error_ += openssl_reason();
}

}  // namespace sockjs::net
