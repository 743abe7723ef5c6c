#pragma once
/// @file
/// A sockjs::broadcaster on Redis PUBLISH/SUBSCRIBE, so that several server processes (on one
/// machine or many) behave as one: a broadcast, a topic publish or a send_to() reaches the
/// sessions of every process. Target `sockjs::redis` (find_package(sockjs COMPONENTS redis)).
///
///     auto bus = std::make_shared<sockjs::redis_broadcaster>(
///         sockjs::redis_options{.url = "redis://127.0.0.1:6379"});
///     sockjs::server srv({.port = 8081, .bus = bus});
///
/// Per process: one publisher and one subscriber connection, each on a thread of its own. An
/// event loop that publishes only delivers to this process's sessions at once and appends one
/// envelope to a bounded queue; it never waits for Redis. The subscriber hands what other
/// processes published to the servers attached here, which escape it once for all their
/// sessions.
///
/// Guarantees (docs/scale-out.md says why):
/// - this process's sessions get its own publishes at once, in publish order, Redis up or not;
///   its own envelopes coming back from Redis are skipped (they carry its node id);
/// - other processes get every publish once, in the order one publisher (one thread) made
///   them, while both ends are connected;
/// - while a connection is down, nothing is queued for later: what this process publishes
///   reaches its own sessions only (counted as dropped), what others publish does not reach
///   it. Connections come back by themselves with exponential backoff and resubscribe; each
///   change of state is one log line.
///
/// Envelope (the Redis message): `sockjs1 <node> <seq>\n<message>` on channel
/// `<prefix>t:<topic>`, or on `<prefix>n:<node>` for a send_to() (seq 0). `seq` counts a node's
/// topic envelopes from 1; a receiver that sees one skipped counts it as lost.

#include <sockjs/broadcaster.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sockjs {

struct redis_options {
    /// `redis://[:password@]host[:port][/db]` (port 6379 by default). Pub/sub channels are
    /// global to a Redis server whatever the db; channel_prefix is what keeps apps apart.
    std::string url = "redis://127.0.0.1:6379";
    /// AUTH password; empty: the URL's, if any.
    std::string password = {};
    /// Prepended to every channel name, so that several applications share one Redis.
    std::string channel_prefix = "sockjs:";
    std::chrono::milliseconds connect_timeout{2000};
    /// A write, or the pong of a ping, not done by then: the connection counts as dead.
    std::chrono::milliseconds io_timeout{3000};
    /// How often an idle subscriber connection is pinged (to find a silently dead one).
    std::chrono::milliseconds ping_interval{1000};
    /// Reconnect backoff: the first retry after min, doubling up to max.
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{5000};
    /// Outgoing queue bounds; a publish beyond them is dropped (and counted), never waited for.
    std::size_t max_queued_messages = 100000;
    std::size_t max_queued_bytes = 64u << 20;
    /// One line per state change (`event=redis role=publisher state=up ...`); null: std::clog.
    std::function<void(std::string_view line)> log = {};
};

struct redis_stats {
    std::uint64_t published = 0;  ///< envelopes written to Redis
    std::uint64_t received = 0;   ///< envelopes from other nodes delivered here
    std::uint64_t dropped = 0;    ///< publishes not sent (Redis down, queue full)
    std::uint64_t lost = 0;       ///< other nodes' envelopes known missed (sequence gaps)
    bool publisher_up = false;
    bool subscriber_up = false;
};

class redis_broadcaster final : public broadcaster {
public:
    /// Starts both threads; returns at once, Redis reachable or not. Throws
    /// std::invalid_argument for a malformed URL or option.
    explicit redis_broadcaster(redis_options opts = {});
    /// Stops both threads (publishes still queued are written if Redis is up).
    ~redis_broadcaster() override;
    redis_broadcaster(const redis_broadcaster&) = delete;
    redis_broadcaster& operator=(const redis_broadcaster&) = delete;

    std::size_t subscribe(delivery deliver) override;
    void unsubscribe(std::size_t token) override;
    void publish(std::string_view topic, std::string_view message) override;
    /// 12 hex digits, random per broadcaster.
    std::string node_id() const override;

    redis_stats stats() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sockjs
