#include "endpoint.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

namespace sockjs::client::detail {
namespace {
Poco::Timespan span(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}
}  // namespace

std::optional<endpoint> parse_endpoint(const std::string& url) {
    try {
        const Poco::URI uri(url);
        const std::string scheme = uri.getScheme();
        if ((scheme != "http" && scheme != "https") || uri.getHost().empty()) return std::nullopt;
        endpoint ep;
        ep.secure = scheme == "https";
        ep.host = uri.getHost();
        ep.port = uri.getPort();
        ep.prefix = uri.getPath();
        while (!ep.prefix.empty() && ep.prefix.back() == '/') ep.prefix.pop_back();
        const bool v6 = ep.host.find(':') != std::string::npos;
        ep.url = scheme + "://" + (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port) +
                 ep.prefix;
        return ep;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

Poco::Net::StreamSocket connect_socket(const endpoint& ep, const options& opts, abort_token& token,
                                       std::chrono::milliseconds receive_timeout) {
    if (token.aborted()) throw aborted();
    // The connect itself cannot be aborted from outside (a socket that is not connected yet
    // cannot be shut down), so it is the one wait bounded only by connect_timeout.
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(ep.host, ep.port), span(opts.connect_timeout));
    socket.setNoDelay(true);
    socket.setReceiveTimeout(span(receive_timeout));
    socket.setSendTimeout(span(opts.send_timeout));
    if (!token.attach(socket)) throw aborted();
    if (!ep.secure) return socket;
    // The handshake (bounded by the timeouts above; cut short by an abort, which shuts the
    // descriptor down) verifies the certificate and its name against the URL's host.
    Poco::Net::StreamSocket tls = Poco::Net::SecureStreamSocket::attach(socket, ep.host, ep.tls);
    if (!token.attach(tls)) throw aborted();
    return tls;
}

Poco::Net::Context::Ptr make_tls_context(const tls_client_options& o) {
    using Poco::Net::Context;
    const bool verify = !o.insecure_skip_verify;
    try {
        Context::Ptr ctx = new Context(Context::TLS_CLIENT_USE, o.key_file, o.cert_file, verify ? o.ca_file : "",
                                       verify ? Context::VERIFY_STRICT : Context::VERIFY_NONE, 9,
                                       verify && o.ca_file.empty(), "DEFAULT");
        ctx->requireMinimumProtocol(Context::PROTO_TLSV1_2);
        return ctx;
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("sockjs::client: TLS settings: " + e.displayText());
    }
}

}  // namespace sockjs::client::detail
