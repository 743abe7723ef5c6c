#include "packed_headers.hpp"

#include <array>

namespace sockjs::detail {

namespace {

bool is_handshake_header(const std::string& name) {
    static constexpr std::array<const char*, 7> names{"Upgrade",           "Connection",
                                                      "Sec-WebSocket-Key", "Sec-WebSocket-Key1",
                                                      "Sec-WebSocket-Key2", "Sec-WebSocket-Version",
                                                      "Sec-WebSocket-Extensions"};
    for (const char* n : names)
        if (iequal(name, n)) return true;
    return false;
}

}  // namespace

std::string pack_headers(const Poco::Net::NameValueCollection& headers, bool websocket_upgrade) {
    auto keep = [&](const std::string& name) { return !websocket_upgrade || !is_handshake_header(name); };
    std::size_t size = 0;
    for (const auto& [k, v] : headers)
        if (keep(k)) size += k.size() + v.size() + 2;
    std::string packed;
    packed.reserve(size);  // exactly: it is kept for the session's life
    for (const auto& [k, v] : headers) {
        if (!keep(k)) continue;
        packed.append(k).push_back('\0');
        packed.append(v).push_back('\0');
    }
    return packed;
}

}  // namespace sockjs::detail
