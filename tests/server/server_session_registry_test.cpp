// session_registry (basic_registry): find, find-or-create under one lock, erase only the
// same session.

#include "service_impl.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using registry = sockjs::detail::basic_registry<int>;

TEST_CASE("session_registry: find_or_create creates once, find sees it, erase removes only that one", "[registry]") {
    registry reg;
    bool created = false;
    auto a = reg.find_or_create("s1", [] { return std::make_shared<int>(1); }, created);
    CHECK(created);
    auto again = reg.find_or_create("s1", [] { return std::make_shared<int>(2); }, created);
    CHECK_FALSE(created);
    CHECK(again == a);
    CHECK(reg.find("s1") == a);
    CHECK(reg.find("s2") == nullptr);

    auto refused = reg.find_or_create("s2", [] { return std::shared_ptr<int>(); }, created);
    CHECK(refused == nullptr);
    CHECK_FALSE(created);
    CHECK(reg.size() == 1);

    int other = 0;
    reg.erase("s1", &other);  // not the one registered under s1
    CHECK(reg.find("s1") == a);
    reg.erase("s1", a.get());
    CHECK(reg.find("s1") == nullptr);
    CHECK(reg.size() == 0);

    reg.find_or_create("x", [] { return std::make_shared<int>(3); }, created);
    std::weak_ptr<int> w = reg.find("x");
    reg.clear();
    CHECK(reg.size() == 0);
    CHECK(w.expired());
}

TEST_CASE("session_registry: racing creators of one id get one session", "[registry][threads]") {
    registry reg;
    std::atomic<int> creations{0};
    std::vector<std::shared_ptr<int>> got(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < got.size(); ++i)
        threads.emplace_back([&, i] {
            bool created = false;
            got[i] = reg.find_or_create(
                "same",
                [&] {
                    ++creations;
                    return std::make_shared<int>(static_cast<int>(i));
                },
                created);
        });
    for (auto& t : threads) t.join();
    CHECK(creations == 1);
    for (auto& g : got) CHECK(g == got[0]);
}
