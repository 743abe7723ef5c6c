#include <sockjs/broadcaster.hpp>

#include <algorithm>

namespace sockjs {

std::size_t in_process_broadcaster::subscribe(delivery deliver) {
    std::lock_guard lock(mutex_);
    auto token = next_token_++;
    subscribers_.emplace_back(token, std::make_shared<const delivery>(std::move(deliver)));
    return token;
}

void in_process_broadcaster::unsubscribe(std::size_t token) {
    {
        std::lock_guard lock(mutex_);
        std::erase_if(subscribers_, [token](const auto& s) { return s.first == token; });
    }
    std::unique_lock wait_for_deliveries(calls_);
}

void in_process_broadcaster::publish(std::string_view topic, std::string_view message) {
    std::vector<std::shared_ptr<const delivery>> targets;
    {
        std::lock_guard lock(mutex_);
        targets.reserve(subscribers_.size());
        for (const auto& s : subscribers_) targets.push_back(s.second);
    }
    std::shared_lock delivering(calls_);
    for (const auto& d : targets) (*d)(topic, message);
}

}  // namespace sockjs
