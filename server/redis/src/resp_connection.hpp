#pragma once
// One connection to Redis: POCO's RESP codec (Poco::Redis::Array, RedisType, RedisInputStream)
// on a socket of our own, so that reads and writes have timeouts, a read that finds nothing
// pending returns instead of breaking the stream (the subscriber pings on that), and another
// thread can wake a blocked reader (shutdown()).

#include "envelope.hpp"

#include <Poco/Net/StreamSocket.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/RedisStream.h>
#include <Poco/Redis/Type.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sockjs::redis_detail {

class resp_connection {
public:
    /// Connects, then AUTH when `url.password` is set. Throws Poco::Exception.
    void open(const redis_url& url, std::chrono::milliseconds connect_timeout,
              std::chrono::milliseconds io_timeout, std::chrono::milliseconds read_timeout);
    void close() noexcept;
    /// Any thread: makes a blocked read() fail at once.
    void shutdown() noexcept;
    /// Writes RESP bytes (Poco::Redis::Array::toString() of one or more commands). Throws.
    void write(const std::string& bytes);
    /// The next reply, or null if the read timeout passed with nothing pending. Throws when the
    /// connection is closed or broken, and for an error reply if `throw_on_error`.
    Poco::Redis::RedisType::Ptr read(bool throw_on_error = false);

private:
    std::mutex socket_mutex_;  // open/close vs shutdown() from another thread
    Poco::Net::StreamSocket socket_;
    std::unique_ptr<Poco::Redis::RedisInputStream> in_;
};

/// The elements of an array reply as strings (bulk or simple); empty for anything else.
std::vector<std::string> reply_strings(const Poco::Redis::RedisType::Ptr& reply);

}  // namespace sockjs::redis_detail
