#include "net/event_loop.hpp"
#include "net/net.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sockjs::net {

namespace {

// "address already in use: 127.0.0.1:8081": what went wrong, then where (POCO's own message
// is "Net Exception" with the reason in a code).
[[noreturn]] void cannot_listen(const Poco::Exception& e, const std::string& host, std::uint16_t port) {
    std::string why;
    switch (e.code()) {
    case EADDRINUSE: why = "address already in use"; break;
    case EACCES: why = "permission denied (ports below 1024 need privileges)"; break;
    case EADDRNOTAVAIL: why = "address not available on this machine"; break;
    default:
        if (e.code() > 0) {
            why = std::strerror(e.code());
            if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
        } else {
            why = e.displayText();  // a host name that does not resolve, say
        }
    }
    const bool v6 = host.find(':') != std::string::npos;
    throw std::runtime_error(why + ": " + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port));
}

}  // namespace

struct net_server::impl {
    server_shared shared;
    std::vector<std::unique_ptr<event_loop>> loops;
    std::uint16_t port = 0;
    bool started = false;
    bool stopped = false;
};

net_server::net_server(net_options opts, http_handler handler) : impl_(std::make_unique<impl>()) {
    if (opts.write_low_watermark > opts.write_high_watermark)
        opts.write_low_watermark = opts.write_high_watermark;
    impl_->shared.opts = std::move(opts);
    impl_->shared.handler = std::move(handler);
}

net_server::~net_server() {
    stop();
}

void net_server::start() {
    if (impl_->started) return;
    auto& s = impl_->shared;
    std::size_t n = s.opts.threads;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::unique_ptr<event_loop>> loops;
    loops.reserve(n);
    // Certificate problems surface here, before anything listens.
    if (s.opts.tls.enabled() && !s.tls) s.tls = std::make_unique<tls_context>(s.opts.tls);
    std::uint16_t port = s.opts.port;
    try {
        if (port != 0) {
            // Every loop listens with SO_REUSEPORT, which would also let us join a port another
            // process already serves (the kernel would split its clients between us). A plain
            // bind first fails with "address in use" in that case; the probe is closed unlistened.
            Poco::Net::ServerSocket probe;
            probe.bind(Poco::Net::SocketAddress(s.opts.host, port), true, false);
            probe.close();
        }
        for (std::size_t i = 0; i < n; ++i) {
            auto lp = std::make_unique<event_loop>(i, s);
            // The first loop may pick the port (0); the others join it with SO_REUSEPORT.
            lp->listen(Poco::Net::SocketAddress(s.opts.host, port));
            if (i == 0) port = lp->port();
            loops.push_back(std::move(lp));
        }
    } catch (const Poco::Exception& e) {
        cannot_listen(e, s.opts.host, port);
    }
    impl_->port = port;
    impl_->loops = std::move(loops);
    for (auto& lp : impl_->loops) lp->start();
    impl_->started = true;
}

void net_server::stop() {
    if (!impl_->started || impl_->stopped) return;
    impl_->stopped = true;
    impl_->shared.stopping = true;
    for (auto& lp : impl_->loops) lp->stop_and_join();
}

std::uint16_t net_server::port() const {
    return impl_->port;
}

std::size_t net_server::loop_count() const {
    return impl_->loops.size();
}

loop& net_server::loop_at(std::size_t i) {
    return *impl_->loops.at(i);
}

std::uint64_t net_server::refused_count() const {
    return impl_->shared.refused.load(std::memory_order_relaxed);
}

std::size_t net_server::connection_count() const {
    return impl_->shared.connections.load();
}

}  // namespace sockjs::net
