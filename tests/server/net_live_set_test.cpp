// live_set: a loop's walk over its connections, and a broadcast's and shutdown's over a
// service's sessions. Removal moves the last member into the freed slot and tells it; a member
// that is not (or no longer) in the set is left alone.

#include "net/live_set.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <vector>

using sockjs::net::live_set;

namespace {

struct backend {
    int name = 0;
    std::size_t live_slot = 0;
};

std::vector<int> names(const live_set<backend>& set) {
    std::vector<int> out;
    for (const auto& b : set.snapshot()) out.push_back(b->name);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("live_set: erase from the middle, the end and the front keeps every other backend findable") {
    live_set<backend> set;
    std::vector<std::shared_ptr<backend>> all;
    for (int i = 0; i < 5; ++i) {
        all.push_back(std::make_shared<backend>(backend{i}));
        set.insert(all.back());
    }
    set.erase(*all[1]);  // the last (4) moves into slot 1
    CHECK(names(set) == std::vector<int>{0, 2, 3, 4});
    CHECK(all[4]->live_slot == 1);
    set.erase(*all[4]);  // found at its new slot
    CHECK(names(set) == std::vector<int>{0, 2, 3});
    set.erase(*all[3]);  // the last one: nothing moves
    set.erase(*all[0]);
    CHECK(names(set) == std::vector<int>{2});
    CHECK(set.snapshot().front()->live_slot == 0);
}

TEST_CASE("live_set: erasing a backend twice, or one never inserted, changes nothing") {
    live_set<backend> set;
    auto a = std::make_shared<backend>(backend{1});
    auto b = std::make_shared<backend>(backend{2});
    set.insert(a);
    set.insert(b);
    set.erase(*a);
    CHECK_FALSE(set.contains(*a));
    set.erase(*a);  // its old slot now holds b
    CHECK(names(set) == std::vector<int>{2});
    CHECK(set.contains(*b));
    backend stranger{9, 0};
    CHECK_FALSE(set.contains(stranger));
    set.erase(stranger);
    CHECK(set.size() == 1);
}

TEST_CASE("live_set: the snapshot keeps every backend alive while the walk erases them") {
    live_set<backend> set;
    std::weak_ptr<backend> watch;
    {
        auto a = std::make_shared<backend>(backend{1});
        watch = a;
        set.insert(std::move(a));
    }
    auto walk = set.snapshot();
    for (auto& x : walk) set.erase(*x);
    CHECK(set.size() == 0);
    CHECK_FALSE(watch.expired());
    walk.clear();
    CHECK(watch.expired());
}
