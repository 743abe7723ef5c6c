#include "resp_connection.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Redis/Exception.h>
#include <Poco/Timespan.h>

#include <vector>

namespace sockjs::redis_detail {

namespace {
Poco::Timespan span(std::chrono::milliseconds ms) { return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000); }
}  // namespace

void resp_connection::open(const redis_url& url, std::chrono::milliseconds connect_timeout,
                           std::chrono::milliseconds io_timeout, std::chrono::milliseconds read_timeout) {
    {
        std::lock_guard lock(socket_mutex_);
        in_.reset();
        socket_ = Poco::Net::StreamSocket();
        socket_.connect(Poco::Net::SocketAddress(url.host, url.port), span(connect_timeout));
        socket_.setNoDelay(true);
        socket_.setSendTimeout(span(io_timeout));
        socket_.setReceiveTimeout(span(read_timeout));
        in_ = std::make_unique<Poco::Redis::RedisInputStream>(socket_);
        // The timeout of a read at a reply boundary is rethrown (not just badbit) so that read()
        // can tell it from a closed connection.
        in_->exceptions(std::ios::badbit);
    }
    if (!url.password.empty()) {
        Poco::Redis::Array auth;
        auth.add("AUTH").add(url.password);
        write(auth.toString());
        for (;;)
            if (read(true)) break;
    }
}

void resp_connection::close() noexcept {
    std::lock_guard lock(socket_mutex_);
    in_.reset();
    try {
        socket_.close();
    } catch (...) {
    }
}

void resp_connection::shutdown() noexcept {
    std::lock_guard lock(socket_mutex_);
    try {
        socket_.shutdown();
    } catch (...) {
    }
}

void resp_connection::write(const std::string& bytes) {
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        int n = socket_.sendBytes(p, static_cast<int>(left));
        if (n <= 0) throw Poco::Net::ConnectionResetException("Redis connection closed while writing");
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

Poco::Redis::RedisType::Ptr resp_connection::read(bool throw_on_error) {
    if (!in_) throw Poco::Net::ConnectionResetException("not connected to Redis");
    int marker;
    try {
        marker = in_->get();
    } catch (const Poco::TimeoutException&) {
        in_->clear();  // nothing was consumed: the stream is intact
        return nullptr;
    }
    if (marker == std::char_traits<char>::eof())
        throw Poco::Net::ConnectionResetException("Redis closed the connection");
    auto reply = Poco::Redis::RedisType::createRedisType(static_cast<char>(marker));
    if (reply.isNull()) throw Poco::Redis::RedisException("unexpected reply from Redis");
    reply->read(*in_);
    if (throw_on_error && reply->isError())
        throw Poco::Redis::RedisException(reply->toString());
    return reply;
}

std::vector<std::string> reply_strings(const Poco::Redis::RedisType::Ptr& reply) {
    std::vector<std::string> out;
    if (reply.isNull() || !reply->isArray()) return out;
    const auto& array = static_cast<const Poco::Redis::Type<Poco::Redis::Array>*>(reply.get())->value();
    if (array.isNull()) return out;
    out.reserve(array.size());
    for (std::size_t i = 0; i < array.size(); ++i) {
        switch (array.getType(i)) {
        case Poco::Redis::RedisTypeTraits<Poco::Redis::BulkString>::TypeId: {
            auto b = array.get<Poco::Redis::BulkString>(i);
            out.push_back(b.isNull() ? std::string() : b.value());
            break;
        }
        case Poco::Redis::RedisTypeTraits<std::string>::TypeId:
            out.push_back(array.get<std::string>(i));
            break;
        default:
            out.emplace_back();
        }
    }
    return out;
}

}  // namespace sockjs::redis_detail
