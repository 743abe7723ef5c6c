#include "trusted_proxies.hpp"

#include <Poco/String.h>

#include <stdexcept>
#include <string_view>

namespace sockjs::detail {

namespace {

using Poco::Net::IPAddress;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        const auto i = s.find(sep);
        out.push_back(trim(s.substr(0, i)));
        if (i == std::string_view::npos) return out;
        s.remove_prefix(i + 1);
    }
}

// An address as the headers write it: "192.0.2.1", "2001:db8::1", "[2001:db8::1]:4711",
// "192.0.2.1:4711" (Forwarded may quote it). Obfuscated names ("_hidden", "unknown"): nullopt.
std::optional<IPAddress> parse_node(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    if (!s.empty() && s.front() == '[') {
        const auto end = s.find(']');
        if (end == std::string_view::npos) return std::nullopt;
        s = s.substr(1, end - 1);
    } else if (s.find(':') != std::string_view::npos && s.find(':') == s.rfind(':')) {
        s = s.substr(0, s.find(':'));  // IPv4 with a port
    }
    IPAddress a;
    if (!IPAddress::tryParse(std::string(s), a)) return std::nullopt;
    return a;
}

}  // namespace

trusted_proxies::trusted_proxies(const std::vector<std::string>& entries) {
    for (const auto& e : entries) {
        const auto slash = e.find('/');
        IPAddress base;
        if (!IPAddress::tryParse(e.substr(0, slash), base))
            throw std::invalid_argument("sockjs::server: trusted_proxies: not an address or CIDR: " + e);
        const unsigned max_bits = base.family() == IPAddress::IPv4 ? 32 : 128;
        unsigned bits = max_bits;
        if (slash != std::string::npos) {
            try {
                std::size_t used = 0;
                bits = static_cast<unsigned>(std::stoul(e.substr(slash + 1), &used));
                if (used != e.size() - slash - 1 || bits > max_bits) throw std::out_of_range(e);
            } catch (const std::exception&) {
                throw std::invalid_argument("sockjs::server: trusted_proxies: bad prefix length: " + e);
            }
        }
        const IPAddress mask(bits, base.family());
        nets_.push_back({base & mask, mask});
    }
}

bool trusted_proxies::trusted(const IPAddress& a) const {
    // An IPv4 peer on a dual-stack socket looks like ::ffff:a.b.c.d.
    IPAddress v = a;
    if (v.family() == IPAddress::IPv6 && v.isIPv4Mapped()) v = IPAddress(v.toString().substr(7));
    for (const auto& n : nets_)
        if (n.base.family() == v.family() && (v & n.mask) == n.base) return true;
    return false;
}

std::optional<IPAddress> trusted_proxies::client(const IPAddress& peer,
                                                 const Poco::Net::NameValueCollection& headers) const {
    if (!trusted(peer)) return std::nullopt;
    // Every hop, leftmost (the client's claim) to rightmost (the proxy next to us).
    std::vector<std::optional<IPAddress>> hops;
    bool forwarded = false;
    for (auto it = headers.find("Forwarded"); it != headers.end() && Poco::icompare(it->first, "Forwarded") == 0; ++it) {
        forwarded = true;
        for (auto element : split(it->second, ','))
            for (auto pair : split(element, ';'))
                if (pair.size() > 4 && Poco::icompare(std::string(pair.substr(0, 4)), "for=") == 0)
                    hops.push_back(parse_node(pair.substr(4)));
    }
    if (!forwarded)
        for (auto it = headers.find("X-Forwarded-For");
             it != headers.end() && Poco::icompare(it->first, "X-Forwarded-For") == 0; ++it)
            for (auto node : split(it->second, ',')) hops.push_back(parse_node(node));
    std::optional<IPAddress> client;
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        if (!*it) break;  // an unparsable hop: trust nothing further left
        client = *it;
        if (!trusted(**it)) break;
    }
    return client;
}

}  // namespace sockjs::detail
