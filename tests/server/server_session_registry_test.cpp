// session_registry (basic_registry): find, find-or-create under one lock, erase only the
// same session.

#include "service_impl.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace {

struct fake_session {
    fake_session(std::string id, int v) : id_(std::move(id)), value(v) {}
    const std::string& sid() const { return id_; }
    std::string id_;
    int value;
};

using registry = sockjs::detail::basic_registry<fake_session>;

}  // namespace

TEST_CASE("session_registry: find_or_create creates once, find sees it, erase removes only that one", "[registry]") {
    registry reg;
    bool created = false;
    auto a = reg.find_or_create("s1", [] { return std::make_shared<fake_session>("s1", 1); }, created);
    CHECK(created);
    auto again = reg.find_or_create("s1", [] { return std::make_shared<fake_session>("s1", 2); }, created);
    CHECK_FALSE(created);
    CHECK(again == a);
    CHECK(reg.find("s1") == a);
    CHECK(reg.find("s2") == nullptr);

    auto refused = reg.find_or_create("s2", [] { return std::shared_ptr<fake_session>(); }, created);
    CHECK(refused == nullptr);
    CHECK_FALSE(created);
    CHECK(reg.size() == 1);

    fake_session other("s1", 0);
    reg.erase("s1", &other);  // not the one registered under s1
    CHECK(reg.find("s1") == a);
    reg.erase("s1", a.get());
    CHECK(reg.find("s1") == nullptr);
    CHECK(reg.size() == 0);

    {
        // Keyed on the session's own copy of its id, not the caller's.
        std::string caller = "an-id-longer-than-the-small-string-buffer";
        reg.find_or_create(caller, [&] { return std::make_shared<fake_session>(caller, 4); }, created);
        caller.assign(caller.size(), 'z');
    }
    CHECK(reg.find("an-id-longer-than-the-small-string-buffer") != nullptr);
    CHECK(reg.find(std::string(41, 'z')) == nullptr);
    reg.find_or_create("x", [] { return std::make_shared<fake_session>("x", 3); }, created);
    std::weak_ptr<fake_session> w = reg.find("x");
    reg.clear();
    CHECK(reg.size() == 0);
    CHECK(w.expired());
}

TEST_CASE("session_registry: racing creators of one id get one session", "[registry][threads]") {
    registry reg;
    std::atomic<int> creations{0};
    std::vector<std::shared_ptr<fake_session>> got(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < got.size(); ++i)
        threads.emplace_back([&, i] {
            bool created = false;
            got[i] = reg.find_or_create(
                "same",
                [&] {
                    ++creations;
                    return std::make_shared<fake_session>("same", static_cast<int>(i));
                },
                created);
        });
    for (auto& t : threads) t.join();
    CHECK(creations == 1);
    for (auto& g : got) CHECK(g == got[0]);
}
