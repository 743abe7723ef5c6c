#include <sockjs/transport.hpp>

#include <array>
#include <utility>

namespace sockjs {

namespace {

// Indexed by the enum's value; the order must follow the declaration in transport.hpp.
constexpr std::array<std::pair<transport, std::string_view>, 8> names{{
    {transport::websocket, "websocket"},
    {transport::xhr, "xhr"},
    {transport::xhr_streaming, "xhr_streaming"},
    {transport::xhr_send, "xhr_send"},
    {transport::eventsource, "eventsource"},
    {transport::htmlfile, "htmlfile"},
    {transport::jsonp, "jsonp"},
    {transport::jsonp_send, "jsonp_send"},
}};

constexpr bool names_in_enum_order() {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (static_cast<std::size_t>(names[i].first) != i) return false;
    return true;
}
static_assert(names_in_enum_order());

}  // namespace

std::string_view name(transport t) noexcept {
    auto i = static_cast<std::size_t>(t);
    return i < names.size() ? names[i].second : std::string_view{};
}

std::optional<transport> parse_transport(std::string_view s) noexcept {
    for (const auto& [t, n] : names)
        if (n == s) return t;
    return std::nullopt;
}

}  // namespace sockjs
