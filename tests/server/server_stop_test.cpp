// stop() against what the application does at the same time, and what stop() leaves behind.

#include "server_checks.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

using namespace sjt;

namespace {

std::string session_url(const std::string& service) { return service + "/000/" + new_id(); }

/// A service that keeps the last opened connection.
struct keeper {
    std::mutex m;
    std::shared_ptr<sockjs::connection> last;
    sockjs::handlers handlers() {
        return {.on_open = [this](sockjs::connection& c) {
            std::lock_guard l(m);
            last = c.shared_from_this();
        }};
    }
    std::shared_ptr<sockjs::connection> get() {
        std::lock_guard l(m);
        return last;
    }
};

}  // namespace

TEST_CASE("stop: session_count() is 0 and find() forgets every connection after stop()", "[stop]") {
    keeper k;
    std::optional<sockjs::service> svc;
    test_server s([&](sockjs::server& srv) { svc = srv.route("/k", k.handlers()); });
    CHECK(http(s.port, "POST", session_url("/k") + "/xhr").body == "o\n");
    REQUIRE(eventually([&] { return k.get() != nullptr; }));
    const std::string id = k.get()->id();
    CHECK(svc->session_count() == 1);
    CHECK(s.srv.find(id) != nullptr);
    s.srv.stop();
    CHECK(svc->session_count() == 0);
    CHECK(s.srv.find(id) == nullptr);
}

// send() from another thread used to check stopping() and then post to the session's loop,
// which stop() may have joined and destroyed in between: a use after free that ASan and TSan
// report (a plain build may survive it). A large message keeps the sender between its check
// and its post (copying the message) for longer than stop() takes.
TEST_CASE("stop: send() and close() from another thread while stop() runs", "[stop]") {
    const std::string big(std::size_t{128} << 20, 'x');
    for (int round = 0; round < 2; ++round) {
        keeper k;
        auto opts = test_options();
        opts.drain_timeout = std::chrono::milliseconds(0);
        auto s = std::make_unique<test_server>([&](sockjs::server& srv) { srv.route("/k", k.handlers()); },
                                               opts);
        CHECK(http(s->port, "POST", session_url("/k") + "/xhr").body == "o\n");
        REQUIRE(eventually([&] { return k.get() != nullptr; }));
        auto c = k.get();
        std::atomic<bool> sending{false};
        std::thread app([&] {
            sending = true;
            if (round == 0) (void)c->send(big);
            else c->close(3000, big);
        });
        while (!sending) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        s->srv.stop();
        app.join();
        CHECK_FALSE(c->send("after stop"));
        s.reset();
    }
}
