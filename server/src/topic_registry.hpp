#pragma once
// Which sessions joined which topic (connection::subscribe()), kept per loop: each loop's map is
// read and written only on that loop's thread, so a publish takes no lock to find its sessions.

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sockjs::detail {

class conn_backend;

class topic_registry {
public:
    using member = std::shared_ptr<conn_backend>;

    void resize(std::size_t loops) { loops_.resize(loops); }
    /// False if `b` had joined already.
    bool join(std::size_t loop, const std::string& topic, member b) {
        auto* key = b.get();
        return loops_[loop][topic].emplace(key, std::move(b)).second;
    }
    void leave(std::size_t loop, const std::string& topic, const conn_backend* b) {
        auto& topics = loops_[loop];
        auto it = topics.find(topic);
        if (it == topics.end()) return;
        it->second.erase(b);
        if (it->second.empty()) topics.erase(it);
    }
    /// Appends the members of `topic` on `loop` to `out`, except those `skip` says no to.
    template <class Skip>
    void collect(std::size_t loop, const std::string& topic, std::vector<member>& out, Skip skip) const {
        const auto& topics = loops_[loop];
        auto it = topics.find(topic);
        if (it == topics.end()) return;
        for (const auto& [key, b] : it->second)
            if (!skip(*b)) out.push_back(b);
    }
    /// Forgets every membership (server stop, after the loops have ended).
    void clear() {
        for (auto& topics : loops_) topics.clear();
    }

private:
    std::vector<std::unordered_map<std::string, std::unordered_map<const conn_backend*, member>>> loops_;
};

}  // namespace sockjs::detail
