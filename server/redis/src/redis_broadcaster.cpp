#include <sockjs/redis_broadcaster.hpp>

#include "envelope.hpp"
#include "resp_connection.hpp"

#include <Poco/Exception.h>
#include <Poco/Redis/Array.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sockjs {

using namespace redis_detail;
using std::chrono::milliseconds;

namespace {

std::string random_node_id() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned long long> dist(0, (1ull << 48) - 1);
    char buf[13];
    std::snprintf(buf, sizeof buf, "%012llx", dist(rd));
    return buf;
}

std::string error_text(const std::exception& e) {
    if (auto* p = dynamic_cast<const Poco::Exception*>(&e)) return p->displayText();
    return e.what();
}

/// Up to this many publishes go to Redis in one write (pipelined), then their replies are read.
constexpr std::size_t max_batch = 512;

}  // namespace

struct redis_broadcaster::impl {
    enum class state { unknown, up, down };

    explicit impl(redis_options o) : opts(std::move(o)), node(random_node_id()) {
        auto parsed = parse_redis_url(opts.url);
        if (!parsed) throw std::invalid_argument("sockjs::redis_broadcaster: malformed URL " + opts.url);
        url = *parsed;
        if (!opts.password.empty()) url.password = opts.password;
        if (opts.max_queued_messages == 0 || opts.reconnect_min.count() <= 0 ||
            opts.reconnect_max < opts.reconnect_min || opts.ping_interval.count() <= 0 ||
            opts.io_timeout.count() <= 0 || opts.connect_timeout.count() <= 0)
            throw std::invalid_argument("sockjs::redis_broadcaster: queue bound, timeouts and backoff must be positive");
        topic_channel = opts.channel_prefix + "t:";
        own_channel = opts.channel_prefix + "n:" + node;
        where = url.host + ":" + std::to_string(url.port);
        publisher = std::thread([this] { publish_loop(); });
        subscriber = std::thread([this] { subscribe_loop(); });
    }

    ~impl() {
        {
            std::lock_guard lock(mutex);
            stopping.store(true);
        }
        cv.notify_all();
        sub.shutdown();
        publisher.join();
        subscriber.join();
    }

    // ---- publishing (any thread) ----

    void publish(std::string_view topic, std::string_view message) {
        std::string channel;
        bool direct = !topic.empty() && topic.front() == '@';
        if (direct) {
            channel.reserve(opts.channel_prefix.size() + 2 + topic.size() - 1);
            channel.append(opts.channel_prefix).append("n:").append(topic.substr(1));
        } else {
            local.publish(topic, message);  // this process's sessions: at once
            channel.reserve(topic_channel.size() + topic.size());
            channel.append(topic_channel).append(topic);
        }
        bool wake = false;
        {
            std::lock_guard lock(mutex);
            // The sequence counts every topic publish, sent or not: a gap tells receivers what
            // they missed.
            std::uint64_t seq = direct ? 0 : ++next_seq;
            if (!publisher_up.load(std::memory_order_relaxed) || queue.size() >= opts.max_queued_messages ||
                queued_bytes + message.size() > opts.max_queued_bytes) {
                dropped.fetch_add(1, std::memory_order_relaxed);
                return;
            }
            wake = queue.empty();
            auto payload = encode_envelope(node, seq, message);
            queued_bytes += payload.size();
            queue.emplace_back(std::move(channel), std::move(payload));
        }
        if (wake) cv.notify_one();
    }

    void publish_loop() {
        resp_connection conn;
        bool connected = false;
        auto backoff = opts.reconnect_min;
        for (;;) {
            if (!connected) {
                if (stopping.load()) return;
                try {
                    conn.open(url, opts.connect_timeout, opts.io_timeout, opts.io_timeout);
                    connected = true;
                    backoff = opts.reconnect_min;
                    {
                        std::lock_guard lock(mutex);
                        publisher_up.store(true);
                    }
                    change("publisher", pub_state, state::up, "");
                } catch (const std::exception& e) {
                    conn.close();
                    change("publisher", pub_state, state::down, error_text(e), backoff);
                    std::unique_lock lock(mutex);
                    cv.wait_for(lock, backoff, [this] { return stopping.load(); });
                    backoff = std::min(backoff * 2, opts.reconnect_max);
                    continue;
                }
            }
            std::vector<std::pair<std::string, std::string>> batch;
            {
                std::unique_lock lock(mutex);
                cv.wait_for(lock, opts.ping_interval, [this] { return stopping.load() || !queue.empty(); });
                if (stopping.load() && queue.empty()) break;
                auto n = std::min(queue.size(), max_batch);
                batch.reserve(n);
                for (std::size_t i = 0; i < n; ++i) {
                    queued_bytes -= queue.front().second.size();
                    batch.push_back(std::move(queue.front()));
                    queue.pop_front();
                }
            }
            try {
                std::string bytes;
                if (batch.empty()) {  // idle: a ping finds a dead connection before a publish does
                    Poco::Redis::Array ping;
                    ping.add("PING");
                    bytes = ping.toString();
                } else {
                    for (auto& [channel, payload] : batch) {
                        Poco::Redis::Array cmd;
                        cmd.add("PUBLISH").add(channel).add(payload);
                        bytes += cmd.toString();
                    }
                }
                conn.write(bytes);
                for (std::size_t i = 0, n = std::max<std::size_t>(batch.size(), 1); i < n; ++i)
                    if (!conn.read()) throw Poco::TimeoutException("no reply from Redis");
                published.fetch_add(batch.size(), std::memory_order_relaxed);
            } catch (const std::exception& e) {
                conn.close();
                connected = false;
                std::size_t lost_here = batch.size();
                {
                    // Nothing is kept for later: a broadcast that arrives late is usually worse
                    // than none, and Redis keeps nothing for subscribers that are away anyway.
                    std::lock_guard lock(mutex);
                    publisher_up.store(false);
                    lost_here += queue.size();
                    queue.clear();
                    queued_bytes = 0;
                }
                dropped.fetch_add(lost_here, std::memory_order_relaxed);
                change("publisher", pub_state, state::down, error_text(e), backoff);
            }
        }
        conn.close();
    }

    // ---- receiving (the subscriber thread) ----

    void subscribe_loop() {
        auto backoff = opts.reconnect_min;
        bool ever_up = false;
        while (!stopping.load()) {
            try {
                sub.open(url, opts.connect_timeout, opts.io_timeout, opts.ping_interval);
                if (stopping.load()) break;  // shutdown() may have come before open()
                Poco::Redis::Array psub, dsub;
                psub.add("PSUBSCRIBE").add(glob_escape(topic_channel) + "*");
                dsub.add("SUBSCRIBE").add(own_channel);
                sub.write(psub.toString() + dsub.toString());
                auto ping_sent = std::chrono::steady_clock::time_point{};
                bool ping_pending = false;
                while (!stopping.load()) {
                    auto reply = sub.read();
                    auto now = std::chrono::steady_clock::now();
                    if (!reply) {
                        if (ping_pending && now - ping_sent > opts.io_timeout)
                            throw Poco::TimeoutException("Redis did not answer a ping");
                        if (!ping_pending) {
                            Poco::Redis::Array ping;
                            ping.add("PING");
                            sub.write(ping.toString());
                            ping_pending = true;
                            ping_sent = now;
                        }
                        continue;
                    }
                    ping_pending = false;
                    auto parts = reply_strings(reply);
                    if (parts.size() == 4 && parts[0] == "pmessage") {
                        on_message(parts[2], parts[3]);
                    } else if (parts.size() == 3 && parts[0] == "message") {
                        on_message(parts[1], parts[2]);
                    } else if (parts.size() == 3 && parts[0] == "subscribe") {
                        backoff = opts.reconnect_min;
                        subscriber_up.store(true);
                        change("subscriber", sub_state, state::up, ever_up ? "resubscribed" : "subscribed");
                        ever_up = true;
                    } else if (reply->isError()) {
                        throw Poco::Redis::RedisException(reply->toString());
                    }
                }
            } catch (const std::exception& e) {
                sub.close();
                subscriber_up.store(false);
                if (stopping.load()) break;
                change("subscriber", sub_state, state::down, error_text(e), backoff);
                std::unique_lock lock(mutex);
                cv.wait_for(lock, backoff, [this] { return stopping.load(); });
                backoff = std::min(backoff * 2, opts.reconnect_max);
            }
        }
        sub.close();
    }

    void on_message(const std::string& channel, const std::string& payload) {
        auto e = decode_envelope(payload);
        if (!e || e->node == node) return;  // not ours to read, or our own publish coming back
        if (channel == own_channel) {
            received.fetch_add(1, std::memory_order_relaxed);
            local.publish("@" + node, e->message);
            return;
        }
        if (channel.compare(0, topic_channel.size(), topic_channel) != 0) return;
        if (last_seq.size() > 100000) last_seq.clear();  // nodes come and go; forget old ones
        auto& last = last_seq[std::string(e->node)];
        if (last != 0 && e->seq > last + 1) lost.fetch_add(e->seq - last - 1, std::memory_order_relaxed);
        last = std::max(last, e->seq);
        received.fetch_add(1, std::memory_order_relaxed);
        local.publish(std::string_view(channel).substr(topic_channel.size()), e->message);
    }

    // ---- state changes: one log line each ----

    void change(const char* role, std::atomic<state>& current, state next, const std::string& detail,
                milliseconds retry = milliseconds(0)) {
        if (current.exchange(next) == next) return;
        std::string line = std::string("event=redis role=") + role + " state=" +
                           (next == state::up ? "up" : "down") + " redis=" + where + " node=" + node;
        if (next == state::up && !detail.empty()) line += " action=" + detail;
        if (next == state::down) {
            std::string quoted;
            for (char c : detail)
                if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) quoted += c;
            line += " error=\"" + quoted + "\" retry_ms=" + std::to_string(retry.count());
        }
        if (opts.log)
            opts.log(line);
        else
            std::clog << line << std::endl;
    }

    redis_options opts;
    redis_url url;
    const std::string node;
    std::string topic_channel;  // <prefix>t:
    std::string own_channel;    // <prefix>n:<node>
    std::string where;          // host:port, for log lines (never the password)
    in_process_broadcaster local;

    std::mutex mutex;  // the queue, the sequence, publisher_up; also the backoff waits
    std::condition_variable cv;
    std::atomic<bool> stopping{false};
    std::deque<std::pair<std::string, std::string>> queue;  // channel, envelope
    std::size_t queued_bytes = 0;
    std::uint64_t next_seq = 0;
    std::atomic<bool> publisher_up{false};
    std::atomic<bool> subscriber_up{false};
    std::atomic<state> pub_state{state::unknown};
    std::atomic<state> sub_state{state::unknown};

    resp_connection sub;  // the subscriber thread's; shutdown() from the destructor
    std::unordered_map<std::string, std::uint64_t> last_seq;  // per other node (subscriber thread)

    std::atomic<std::uint64_t> published{0}, received{0}, dropped{0}, lost{0};

    std::thread publisher;
    std::thread subscriber;
};

redis_broadcaster::redis_broadcaster(redis_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}
redis_broadcaster::~redis_broadcaster() = default;

std::size_t redis_broadcaster::subscribe(delivery deliver) { return impl_->local.subscribe(std::move(deliver)); }
void redis_broadcaster::unsubscribe(std::size_t token) { impl_->local.unsubscribe(token); }
void redis_broadcaster::publish(std::string_view topic, std::string_view message) { impl_->publish(topic, message); }
std::string redis_broadcaster::node_id() const { return impl_->node; }

redis_stats redis_broadcaster::stats() const {
    redis_stats s;
    s.published = impl_->published.load();
    s.received = impl_->received.load();
    s.dropped = impl_->dropped.load();
    s.lost = impl_->lost.load();
    s.publisher_up = impl_->publisher_up.load();
    s.subscriber_up = impl_->subscriber_up.load();
    return s;
}

}  // namespace sockjs
