#pragma once
// Lets one thread cut short another thread's blocking socket call. POCO sockets block; the
// only portable way to wake a thread blocked in recv()/send() is to shut the socket down
// from outside, so each I/O thread registers its current socket here.

#include <Poco/Net/StreamSocket.h>

#include <mutex>
#include <optional>

namespace sockjs::client::detail {

class abort_token {
public:
    /// Registers the socket the calling I/O thread is about to block on. False if abort()
    /// already happened: the caller must give up (the socket is shut down).
    bool attach(const Poco::Net::StreamSocket& socket);
    /// Unregisters the socket (before the I/O thread closes it).
    void detach();
    /// Idempotent: marks the token aborted and shuts the registered socket down, which makes
    /// any blocked call on it return at once.
    void abort();
    bool aborted() const;

private:
    mutable std::mutex m_;
    bool aborted_ = false;
    std::optional<Poco::Net::StreamSocket> socket_;
};

}  // namespace sockjs::client::detail
