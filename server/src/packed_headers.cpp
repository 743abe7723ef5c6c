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

std::size_t packed_headers_size(const Poco::Net::NameValueCollection& headers, bool websocket_upgrade) {
    std::size_t size = 0;
    for (const auto& [k, v] : headers)
        if (!websocket_upgrade || !is_handshake_header(k)) size += k.size() + v.size() + 2;
    return size;
}

void append_packed_headers(std::string& out, const Poco::Net::NameValueCollection& headers,
                           bool websocket_upgrade) {
    for (const auto& [k, v] : headers) {
        if (websocket_upgrade && is_handshake_header(k)) continue;
        out.append(k).push_back('\0');
        out.append(v).push_back('\0');
    }
}

}  // namespace sockjs::detail
