#include <sockjs/connection.hpp>

#include "conn_backend.hpp"
#include "packed_headers.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/NameValueCollection.h>

namespace sockjs {

connection::~connection() = default;

bool connection::send(std::string_view message) {
    // Answering inside its own callback, the usual place: the backend is the caller's, alive
    // and on its loop, so no reference is locked (two locked instructions and two calls per
    // echoed message).
    if (auto* cb = detail::conn_backend::in_callback(); cb && cb->app_connection() == this)
        return cb->send_from_callback(message);
    auto b = backend_.lock();
    return b && b->send(message);
}

void connection::close(int code, std::string_view reason) {
    if (auto b = backend_.lock()) b->close(code, reason);
}

void connection::broadcast(std::string_view message) {
    if (auto b = backend_.lock()) b->broadcast(message);
}

bool connection::subscribe(std::string_view topic) {
    auto b = backend_.lock();
    return b && b->subscribe(topic);
}

void connection::unsubscribe(std::string_view topic) {
    if (auto b = backend_.lock()) b->unsubscribe(topic);
}

void connection::publish(std::string_view topic, std::string_view message) {
    if (auto b = backend_.lock()) b->publish(topic, message);
}

bool connection::is_open() const noexcept {
    auto b = backend_.lock();
    return b && b->is_open();
}

header_list connection::headers() const {
    header_list all;
    detail::find_packed_header(detail::connection_access::packed_headers(*this), [&](std::string_view k, std::string_view v) {
        all.emplace_back(k, v);
        return false;
    });
    return all;
}

std::optional<std::string_view> connection::header(std::string_view name) const {
    std::optional<std::string_view> found;
    detail::find_packed_header(detail::connection_access::packed_headers(*this), [&](std::string_view k, std::string_view v) {
        if (!detail::iequal(k, name)) return false;
        found = v;
        return true;
    });
    return found;
}

std::optional<std::string> connection::cookie(std::string_view name) const {
    auto h = header("Cookie");
    if (!h) return std::nullopt;
    Poco::Net::HTTPRequest parser;  // POCO's cookie parsing, on a scratch request
    parser.set("Cookie", std::string(*h));
    Poco::Net::NameValueCollection cookies;
    parser.getCookies(cookies);
    auto it = cookies.find(std::string(name));
    if (it == cookies.end()) return std::nullopt;
    return it->second;
}

}  // namespace sockjs
