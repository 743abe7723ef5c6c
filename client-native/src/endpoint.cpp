#include "endpoint.hpp"

#include <Poco/Exception.h>
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
        if (uri.getScheme() != "http" || uri.getHost().empty()) return std::nullopt;
        endpoint ep;
        ep.host = uri.getHost();
        ep.port = uri.getPort();
        ep.prefix = uri.getPath();
        while (!ep.prefix.empty() && ep.prefix.back() == '/') ep.prefix.pop_back();
        const bool v6 = ep.host.find(':') != std::string::npos;
        ep.url = "http://" + (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port) +
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
    return socket;
}

}  // namespace sockjs::client::detail
