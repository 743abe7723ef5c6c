// broadcaster: the in-process bus, and a server on a bus of its own (as a multi-process
// deployment would plug in) publishing through it and delivering what comes back.

#include "server_checks.hpp"

#include <sockjs/broadcaster.hpp>

#include <mutex>

using namespace sjt;

TEST_CASE("broadcaster: in_process delivers to every subscriber until it unsubscribes", "[broadcast]") {
    sockjs::in_process_broadcaster bus;
    std::vector<std::string> a, b;
    auto ta = bus.subscribe([&](std::string_view topic, std::string_view m) { a.push_back(std::string(topic) + "|" + std::string(m)); });
    auto tb = bus.subscribe([&](std::string_view topic, std::string_view m) { b.push_back(std::string(topic) + "|" + std::string(m)); });
    CHECK(ta != tb);
    bus.publish("/chat", "one");
    bus.unsubscribe(ta);
    bus.publish("/chat", "two");
    CHECK(a == std::vector<std::string>{"/chat|one"});
    CHECK(b == std::vector<std::string>{"/chat|one", "/chat|two"});
    bus.unsubscribe(tb);
    bus.publish("/chat", "three");
    CHECK(b.size() == 2);
}

namespace {

/// A bus that records publishes and delivers only when told, like a remote pub/sub would.
class recording_bus final : public sockjs::broadcaster {
public:
    std::size_t subscribe(delivery d) override {
        std::lock_guard l(m_);
        deliver_ = std::move(d);
        return 1;
    }
    void unsubscribe(std::size_t) override {
        std::lock_guard l(m_);
        deliver_ = nullptr;
    }
    void publish(std::string_view topic, std::string_view message) override {
        std::lock_guard l(m_);
        published_.emplace_back(topic, message);
    }
    void arrive(std::string_view topic, std::string_view message) {
        delivery d;
        {
            std::lock_guard l(m_);
            d = deliver_;
        }
        if (d) d(topic, message);
    }
    std::vector<std::pair<std::string, std::string>> published() {
        std::lock_guard l(m_);
        return published_;
    }

private:
    std::mutex m_;
    delivery deliver_;
    std::vector<std::pair<std::string, std::string>> published_;
};

}  // namespace

TEST_CASE("broadcaster: a custom bus carries the server's broadcasts both ways", "[broadcast]") {
    auto bus = std::make_shared<recording_bus>();
    auto opts = test_options();
    opts.bus = bus;
    test_server s(add_suite_services, opts);
    ws_client ws(s.port, "/broadcast/000/" + new_id() + "/websocket");
    CHECK(ws.recv().data == "o");

    // A broadcast from a session goes to the bus, not straight to the sessions...
    ws.send_text(R"(["hello"])");
    CHECK(eventually([&] { return bus->published().size() == 1; }));
    CHECK(bus->published()[0] == std::make_pair(std::string("/broadcast"), std::string("hello")));
    // ...and what the bus delivers (from this or another process) reaches them.
    bus->arrive("/broadcast", "from elsewhere");
    CHECK(ws.recv().data == "a[\"from elsewhere\"]");
    bus->arrive("/nobody", "ignored");
    bus->arrive("/broadcast", "again");
    CHECK(ws.recv().data == "a[\"again\"]");
}
