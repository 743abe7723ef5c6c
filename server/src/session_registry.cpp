#include "service_impl.hpp"
#include "session_slot.hpp"

namespace sockjs::detail {

session_registry::slot_ptr session_registry::find(const std::string& sid) const {
    std::lock_guard lock(mutex_);
    auto it = map_.find(sid);
    return it == map_.end() ? nullptr : it->second;
}

session_registry::slot_ptr session_registry::find_or_create(const std::string& sid,
                                                            const std::function<slot_ptr()>& create,
                                                            bool& created) {
    std::lock_guard lock(mutex_);
    created = false;
    if (auto it = map_.find(sid); it != map_.end()) return it->second;
    auto slot = create();
    if (!slot) return nullptr;
    map_.emplace(sid, slot);
    created = true;
    return slot;
}

void session_registry::erase(const std::string& sid, const session_slot* slot) {
    std::lock_guard lock(mutex_);
    if (auto it = map_.find(sid); it != map_.end() && it->second.get() == slot) map_.erase(it);
}

std::size_t session_registry::size() const {
    std::lock_guard lock(mutex_);
    return map_.size();
}

void session_registry::clear() {
    std::unordered_map<std::string, slot_ptr> gone;
    {
        std::lock_guard lock(mutex_);
        gone.swap(map_);
    }
    // `gone` (and the sessions it holds) is destroyed outside the lock.
}

}  // namespace sockjs::detail
