#include <sockjs/client/connection.hpp>

#include "connection_impl.hpp"

#include <cstdio>
#include <stdexcept>

namespace sockjs::client {

connection::connection(const std::string& url, options opts, event_handlers h) {
    auto ep = detail::parse_endpoint(url);
    if (!ep) throw std::invalid_argument("sockjs::client::connection: not an absolute http:// or https:// URL: " + url);
    if (ep->secure) {
        ep->tls = detail::make_tls_context(opts.tls);
        if (opts.tls.insecure_skip_verify)
            std::fprintf(stderr, "sockjs::client: WARNING: TLS certificate verification is OFF for %s: "
                                 "anyone on the path can read and change this connection\n", url.c_str());
    }
    impl_ = std::make_shared<impl>(std::move(*ep), std::move(opts), std::move(h));
    impl_->start();
}

connection::~connection() {
    impl_->shutdown();
}

errc connection::send(std::string_view message) {
    return impl_->send(message);
}

errc connection::close(int code, std::string_view reason) {
    return impl_->close(code, reason);
}

bool connection::flush(millis timeout) {
    return impl_->flush(timeout);
}

std::optional<event> connection::next_event(millis timeout) {
    return impl_->next_event(timeout);
}

sockjs::ready_state connection::ready_state() const {
    return impl_->state();
}

std::string connection::transport() const {
    return impl_->transport();
}

const std::string& connection::url() const noexcept {
    return impl_->url();
}

std::string connection::last_error() const {
    return impl_->last_error();
}

}  // namespace sockjs::client
