// The reconnect policy (reconnect.hpp has the rules).
#include <sockjs/reconnect.hpp>

#include <algorithm>

namespace sockjs {

namespace {

// Codes with which a server asks the client to come back (RFC 6455 7.4.1 and IANA's registry).
bool come_back_code(int code) noexcept { return code == 1001 || code == 1012 || code == 1013; }

}  // namespace

std::optional<millis> reconnect_policy::on_close(const session_end& end, std::uint32_t random) noexcept {
    if (!opts_.enabled || end.by_application) return std::nullopt;
    if (end.was_clean && !opts_.after_server_close && !come_back_code(end.code)) return std::nullopt;
    if (opts_.max_attempts != 0 && attempts_ >= opts_.max_attempts) return std::nullopt;
    ++attempts_;
    const millis top = std::max(opts_.max_delay, millis{0});
    millis ceiling = std::clamp(opts_.initial_delay, millis{0}, top);
    for (unsigned i = 1; i < attempts_ && ceiling < top; ++i) ceiling = std::min(ceiling * 2, top);
    // 0-50 % off.
    const double off = static_cast<double>(ceiling.count()) * 0.5 * (random / 4294967296.0);
    return ceiling - millis{static_cast<std::int64_t>(off)};
}

}  // namespace sockjs
