// redis_broadcaster against a real redis-server (started here on a free loopback port, stopped by
// PID); scripts/setup.sh installs it.
#include <sockjs/redis_broadcaster.hpp>

#include <catch2/catch.hpp>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <csignal>
#include <mutex>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using namespace std::chrono_literals;

std::uint16_t free_port() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

bool port_open(std::uint16_t port) {
    try {
        Poco::Net::StreamSocket s;
        s.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(0, 200000));
        return true;
    } catch (...) {
        return false;
    }
}

template <class Pred>
bool eventually(Pred p, std::chrono::milliseconds timeout = 10s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (p()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return p();
}

class redis_process {
public:
    explicit redis_process(std::uint16_t port) : port_(port) { start(); }
    ~redis_process() { stop(); }
    void start() {
        auto p = std::to_string(port_);
        std::vector<std::string> args{"redis-server", "--port", p, "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--logfile", "/dev/null"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
        if (pid_ > 0) REQUIRE(eventually([this] { return port_open(port_); }));
    }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    bool running() const { return pid_ > 0; }

private:
    std::uint16_t port_;
    pid_t pid_ = -1;
};

struct inbox {
    std::mutex m;
    std::vector<std::string> got;
    void operator()(std::string_view topic, std::string_view message) {
        std::lock_guard l(m);
        got.push_back(std::string(topic) + "=" + std::string(message));
    }
    std::vector<std::string> all() {
        std::lock_guard l(m);
        return got;
    }
};

struct log_lines {
    std::mutex m;
    std::vector<std::string> lines;
    std::size_t count(std::string_view what) {
        std::lock_guard l(m);
        std::size_t n = 0;
        for (auto& s : lines) n += s.find(what) != std::string::npos;
        return n;
    }
};

sockjs::redis_options options(std::uint16_t port, log_lines& log) {
    sockjs::redis_options o;
    o.url = "redis://127.0.0.1:" + std::to_string(port);
    o.channel_prefix = "unit" + std::to_string(port) + ":";
    o.ping_interval = 200ms;
    o.reconnect_max = 400ms;
    o.log = [&log](std::string_view line) {
        std::lock_guard l(log.m);
        log.lines.emplace_back(line);
    };
    return o;
}

}  // namespace

TEST_CASE("two nodes: every publish once, in order, own publishes not twice") {
    auto port = free_port();
    redis_process redis(port);
    REQUIRE(redis.running());  // redis-server: installed by scripts/setup.sh
    log_lines la, lb;
    sockjs::redis_broadcaster a(options(port, la)), b(options(port, lb));
    inbox ia, ib;
    a.subscribe(std::ref(ia));
    b.subscribe(std::ref(ib));
    REQUIRE(eventually([&] { return a.stats().subscriber_up && b.stats().subscriber_up && a.stats().publisher_up; }));
    for (int i = 0; i < 200; ++i) a.publish("room", "m" + std::to_string(i));
    REQUIRE(eventually([&] { return ib.all().size() >= 200; }));
    std::this_thread::sleep_for(300ms);
    std::vector<std::string> want;
    for (int i = 0; i < 200; ++i) want.push_back("room=m" + std::to_string(i));
    CHECK(ib.all() == want);
    CHECK(ia.all() == want);  // at once, and not again from Redis
    CHECK(a.stats().published == 200);
    CHECK(b.stats().received == 200);
    CHECK(b.stats().lost == 0);
    // A node-addressed topic reaches that node only.
    a.publish("@" + b.node_id(), "direct");
    REQUIRE(eventually([&] { return ib.all().size() == 201; }));
    CHECK(ib.all().back() == "@" + b.node_id() + "=direct");
    CHECK(ia.all().size() == 200);
    CHECK(la.count("role=subscriber state=up") == 1);
}

TEST_CASE("Redis down at start, then restarted: local delivery never stops, the bus comes back") {
    auto port = free_port();
    log_lines la, lb;
    sockjs::redis_broadcaster a(options(port, la)), b(options(port, lb));
    inbox ia, ib;
    a.subscribe(std::ref(ia));
    b.subscribe(std::ref(ib));
    REQUIRE(eventually([&] { return la.count("role=publisher state=down") == 1; }));
    auto t0 = std::chrono::steady_clock::now();
    a.publish("t", "while-down");
    CHECK(std::chrono::steady_clock::now() - t0 < 50ms);  // never waits for Redis
    CHECK(ia.all() == std::vector<std::string>{"t=while-down"});
    CHECK(a.stats().dropped == 1);

    redis_process redis(port);
    REQUIRE(redis.running());  // redis-server: installed by scripts/setup.sh
    REQUIRE(eventually([&] { return a.stats().publisher_up && b.stats().subscriber_up; }));
    a.publish("t", "after-start");
    REQUIRE(eventually([&] { return !ib.all().empty(); }));
    CHECK(ib.all() == std::vector<std::string>{"t=after-start"});
    CHECK(b.stats().lost == 0);  // the first envelope of a node sets where it counts from

    redis.stop();
    REQUIRE(eventually([&] { return lb.count("role=subscriber state=down") == 2; }));
    a.publish("t", "outage");
    CHECK(ia.all().back() == "t=outage");
    redis.start();
    REQUIRE(eventually([&] { return lb.count("action=resubscribed") == 1 && a.stats().publisher_up; }));
    a.publish("t", "back");
    REQUIRE(eventually([&] { return ib.all().size() == 2; }));
    CHECK(ib.all().back() == "t=back");
    CHECK(b.stats().lost == 1);  // "outage": a gap in a's sequence
    // One line per change of state, not one per failed attempt.
    CHECK(la.count("role=publisher state=down") == 2);
    CHECK(la.count("role=publisher state=up") == 2);
}

TEST_CASE("malformed options are refused") {
    CHECK_THROWS_AS(sockjs::redis_broadcaster(sockjs::redis_options{.url = "http://x"}), std::invalid_argument);
    CHECK_THROWS_AS(sockjs::redis_broadcaster(sockjs::redis_options{.max_queued_messages = 0}), std::invalid_argument);
}
