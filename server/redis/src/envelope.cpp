#include "envelope.hpp"

#include <charconv>

namespace sockjs::redis_detail {

namespace {
constexpr std::string_view magic = "sockjs1 ";
}

std::string encode_envelope(std::string_view node, std::uint64_t seq, std::string_view message) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, seq).ptr;
    std::string out;
    out.reserve(magic.size() + node.size() + 1 + static_cast<std::size_t>(end - digits) + 1 + message.size());
    out.append(magic).append(node).append(1, ' ').append(digits, end).append(1, '\n').append(message);
    return out;
}

std::optional<envelope> decode_envelope(std::string_view payload) {
    if (payload.substr(0, magic.size()) != magic) return std::nullopt;
    payload.remove_prefix(magic.size());
    auto newline = payload.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;
    auto head = payload.substr(0, newline);
    auto space = head.find(' ');
    if (space == 0 || space == std::string_view::npos) return std::nullopt;
    envelope e;
    e.node = head.substr(0, space);
    auto digits = head.substr(space + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), e.seq);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) return std::nullopt;
    e.message = payload.substr(newline + 1);
    return e;
}

std::optional<redis_url> parse_redis_url(std::string_view url) {
    constexpr std::string_view scheme = "redis://";
    if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
    url.remove_prefix(scheme.size());
    redis_url out;
    auto slash = url.find('/');
    auto authority = url.substr(0, slash);
    if (slash != std::string_view::npos) {
        auto db = url.substr(slash + 1);
        if (!db.empty()) {
            auto [ptr, ec] = std::from_chars(db.data(), db.data() + db.size(), out.db);
            if (ec != std::errc() || ptr != db.data() + db.size() || out.db < 0) return std::nullopt;
        }
    }
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        auto userinfo = authority.substr(0, at);
        if (auto colon = userinfo.find(':'); colon != std::string_view::npos)
            out.password = std::string(userinfo.substr(colon + 1));
        authority.remove_prefix(at + 1);
    }
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {  // [::1]:6379
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
        }
    } else {
        auto colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return std::nullopt;
    if (!port.empty() || authority.back() == ':') {
        unsigned p = 0;
        auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || p == 0 || p > 65535)
            return std::nullopt;
        out.port = static_cast<std::uint16_t>(p);
    }
    return out;
}

std::string glob_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace sockjs::redis_detail
