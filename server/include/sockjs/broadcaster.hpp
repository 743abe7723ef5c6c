#pragma once
/// @file
/// Broadcast behind an interface: a small publish/subscribe bus.
///
/// `service::broadcast(m)` and `connection::broadcast(m)` publish `m` on the topic named by
/// the service prefix; `server::publish(topic, m)` on any other topic (a room that sessions
/// join with connection::subscribe()). The broadcaster delivers every published message back
/// to each server attached to it, which escapes the message once and queues it on every
/// session of that service and every session subscribed to that topic. The default, in_process_broadcaster, delivers at once inside this process. A
/// multi-process deployment implements the same interface on a shared bus (e.g. Redis
/// PUBLISH/SUBSCRIBE): publish() sends to the bus, and messages arriving from the bus are
/// handed to the delivery callback; the server API does not change (sockjs::redis_broadcaster,
/// in <sockjs/redis_broadcaster.hpp>, target sockjs::redis, is that implementation).
///
/// Topics that begin with '@' address one process: "@" + node_id(). server::send_to() uses
/// them for a session held by another process; a bus delivers them to that node only.

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs {

class broadcaster {
public:
    /// Delivers one message on `topic` to the local sessions. Thread-safe; may be called from
    /// any thread (for instance a bus client's thread).
    using delivery = std::function<void(std::string_view topic, std::string_view message)>;

    virtual ~broadcaster() = default;

    /// A server starts receiving: every message published on any topic (by any process
    /// sharing the bus) must be passed to `deliver`. Returns a token for unsubscribe().
    virtual std::size_t subscribe(delivery deliver) = 0;
    /// The server stops: once this returns, that delivery is not running and will not be
    /// called again.
    virtual void unsubscribe(std::size_t token) = 0;
    /// Publishes `message` on `topic`. Thread-safe.
    virtual void publish(std::string_view topic, std::string_view message) = 0;
    /// This process's name on a shared bus (it prefixes connection ids, so that
    /// server::send_to() knows where a session lives); empty for a bus of one process.
    virtual std::string node_id() const { return {}; }
};

/// Delivers each publish synchronously to every subscriber in this process. A delivery must
/// not publish synchronously itself (the server's deliveries only post to event loops).
class in_process_broadcaster final : public broadcaster {
public:
    std::size_t subscribe(delivery deliver) override;
    void unsubscribe(std::size_t token) override;
    void publish(std::string_view topic, std::string_view message) override;

private:
    std::mutex mutex_;         // the subscriber list
    std::shared_mutex calls_;  // held shared while delivering; unsubscribe waits on it
    std::size_t next_token_ = 1;
    std::vector<std::pair<std::size_t, std::shared_ptr<const delivery>>> subscribers_;
};

}  // namespace sockjs
