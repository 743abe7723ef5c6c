// sockjs-publish-cost: what one publish costs the thread that makes it (an event loop, in the
// server), with the in-process bus and with redis_broadcaster (local delivery + envelope +
// queue; the Redis I/O is on the broadcaster's own thread). Needs a Redis at --url.
//
//   sockjs-publish-cost --url redis://127.0.0.1:6379 [--messages N] [--size BYTES]

#include <sockjs/broadcaster.hpp>
#include <sockjs/redis_broadcaster.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

void measure(const char* name, sockjs::broadcaster& bus, std::size_t messages, std::size_t size) {
    std::string message(size, 'x');
    std::vector<double> ns;
    ns.reserve(messages);
    auto t0 = clock_type::now();
    for (std::size_t i = 0; i < messages; ++i) {
        auto a = clock_type::now();
        bus.publish("room", message);
        ns.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - a).count());
    }
    double total = std::chrono::duration<double>(clock_type::now() - t0).count();
    std::sort(ns.begin(), ns.end());
    std::printf("%-22s publishes=%zu size=%zu per_publish_p50_ns=%.0f p99_ns=%.0f max_us=%.1f publishes_per_s=%.0f\n",
                name, messages, size, ns[ns.size() / 2], ns[ns.size() * 99 / 100], ns.back() / 1000,
                static_cast<double>(messages) / total);
}

}  // namespace

int main(int argc, char** argv) {
    std::string url = "redis://127.0.0.1:6379";
    std::size_t messages = 100000, size = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--url") url = argv[i + 1];
        if (a == "--messages") messages = std::stoul(argv[i + 1]);
        if (a == "--size") size = std::stoul(argv[i + 1]);
    }
    // One subscriber that does what the server's does first: take the message (the server then
    // escapes it once and posts it to its loops, the same for both buses).
    std::size_t delivered = 0;
    auto count = [&delivered](std::string_view, std::string_view m) { delivered += m.size() > 0; };

    sockjs::in_process_broadcaster local;
    local.subscribe(count);
    measure("in_process_broadcaster", local, messages, size);

    sockjs::redis_broadcaster redis({.url = url, .max_queued_messages = messages + 1,
                                     .max_queued_bytes = (messages + 1) * (size + 64),
                                     .log = [](std::string_view) {}});
    redis.subscribe(count);
    for (int i = 0; i < 500 && !redis.stats().publisher_up; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!redis.stats().publisher_up) {
        std::fprintf(stderr, "sockjs-publish-cost: no Redis at %s\n", url.c_str());
        return 1;
    }
    measure("redis_broadcaster", redis, messages, size);
    auto until = clock_type::now() + std::chrono::seconds(30);
    while (redis.stats().published + redis.stats().dropped < messages && clock_type::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto s = redis.stats();
    std::printf("redis_broadcaster      written_to_redis=%llu dropped=%llu\n",
                static_cast<unsigned long long>(s.published), static_cast<unsigned long long>(s.dropped));
    return 0;
}
