#pragma once
// A connection's peer address, kept inline. POCO's SocketAddress is a pointer to a
// reference-counted heap object (48 bytes with malloc's overhead) that every held connection
// kept for its log lines and its requests' copies; this is the sockaddr itself (IPv4 or IPv6,
// the listeners' families), turned back into a SocketAddress when a request or a log line
// needs one.

#include <Poco/Net/SocketAddress.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace sockjs::net {

class peer_address {
public:
    /// 0.0.0.0:0, as POCO's default SocketAddress.
    peer_address() noexcept { addr_.in4.sin_family = AF_INET; }
    explicit peer_address(const Poco::Net::SocketAddress& a) noexcept {
        const auto len = static_cast<std::size_t>(a.length());
        if (len <= sizeof(addr_)) std::memcpy(&addr_, a.addr(), len);
    }
    /// The address as POCO's type (a new SocketAddress: it allocates).
    Poco::Net::SocketAddress get() const {
        return addr_.sa.sa_family == AF_INET6 ? Poco::Net::SocketAddress(&addr_.sa, sizeof(sockaddr_in6))
                                              : Poco::Net::SocketAddress(&addr_.sa, sizeof(sockaddr_in));
    }
    std::string to_string() const { return get().toString(); }

private:
    union {
        sockaddr sa;
        sockaddr_in in4;
        sockaddr_in6 in6;
    } addr_{};
};

}  // namespace sockjs::net
