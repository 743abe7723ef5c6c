#include <sockjs/server.hpp>

#include "server_impl.hpp"

namespace sockjs {

namespace {

/// The lambda form: a connection that forwards to a shared `handlers`.
class handler_connection final : public connection {
public:
    explicit handler_connection(std::shared_ptr<const handlers> h) : h_(std::move(h)) {}
    void on_open() override {
        if (h_->on_open) h_->on_open(*this);
    }
    void on_message(std::string_view m) override {
        if (h_->on_message) h_->on_message(*this, m);
    }
    void on_close(int code, std::string_view reason) override {
        if (h_->on_close) h_->on_close(*this, code, reason);
    }

private:
    std::shared_ptr<const handlers> h_;
};

}  // namespace

// ---- service ----

const std::string& service::prefix() const noexcept { return impl_->prefix; }
const service_options& service::options() const noexcept { return impl_->opts; }
void service::broadcast(std::string_view message) { impl_->server.publish(impl_->prefix, message); }
std::size_t service::session_count() const noexcept { return impl_->sessions.load(); }

// ---- server ----

server::server(server_options opts) : impl_(std::make_unique<detail::server_impl>(std::move(opts))) {}
server::~server() = default;

service server::route(std::string prefix, handlers h, service_options opts) {
    auto shared = std::make_shared<const handlers>(std::move(h));
    return route(std::move(prefix), factory([shared] { return std::make_shared<handler_connection>(shared); }),
                 std::move(opts));
}

service server::route(std::string prefix, factory make, service_options opts) {
    return service(impl_->add_service(std::move(prefix), std::move(make), std::move(opts)));
}

void server::http_route(std::string method, std::string path, http_handler h) {
    impl_->add_http_route(std::move(method), std::move(path), std::move(h));
}

void server::start() { impl_->start(); }
void server::run() { impl_->run(); }
void server::stop() { impl_->stop(); }
std::uint16_t server::port() const { return impl_->port(); }
std::size_t server::loop_count() const { return impl_->loop_count(); }
void server::broadcast(std::string_view prefix, std::string_view message) { impl_->publish(prefix, message); }
std::shared_ptr<connection> server::find(std::string_view id) const { return impl_->find(id); }
void server::publish(std::string_view topic, std::string_view message) { impl_->publish(topic, message); }
bool server::send_to(std::string_view id, std::string_view message) { return impl_->send_to(id, message); }
server_stats server::stats() const { return impl_->stats(); }
std::string server::metrics_text() const { return impl_->metrics_text(); }
metrics_registry& server::metrics() noexcept { return impl_->metrics(); }

}  // namespace sockjs
