#pragma once
// server_options::trusted_proxies: behind a reverse proxy, the TCP peer is the proxy; when the
// peer is one we trust, the client's address comes from Forwarded (RFC 7239) or, without it,
// X-Forwarded-For. Both lists are read right to left, skipping trusted hops: the first
// untrusted address is the client (anything left of it was written by the client itself and
// proves nothing).

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/SocketAddress.h>

#include <optional>
#include <string>
#include <vector>

namespace sockjs::detail {

class trusted_proxies {
public:
    /// Addresses ("10.0.0.1", "::1") or CIDRs ("10.0.0.0/8", "fd00::/8"). Throws
    /// std::invalid_argument naming an entry that is neither.
    explicit trusted_proxies(const std::vector<std::string>& entries);

    bool empty() const noexcept { return nets_.empty(); }
    bool trusted(const Poco::Net::IPAddress& a) const;
    /// The client's address for a request from `peer`, or nullopt: the peer is not trusted, or
    /// the headers name no usable address.
    std::optional<Poco::Net::IPAddress> client(const Poco::Net::IPAddress& peer,
                                               const Poco::Net::NameValueCollection& headers) const;

private:
    struct net {
        Poco::Net::IPAddress base;
        Poco::Net::IPAddress mask;
    };
    std::vector<net> nets_;
};

/// How remote_address() and the logs write a peer: "host:port", or just the host when the
/// address came from a proxy's header (port 0: the client's port is not known).
inline std::string remote_text(const Poco::Net::SocketAddress& a) {
    return a.port() == 0 ? a.host().toString() : a.toString();
}

}  // namespace sockjs::detail
