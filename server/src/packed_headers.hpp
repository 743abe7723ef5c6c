#pragma once
// The opening request's headers as a connection keeps them for the application: in one
// string (with the rest of what it knows of the request, see connection.hpp), each header as name '\0' value '\0'. A held session keeps them for its whole life, and one
// exactly-sized buffer costs a fraction of a vector of string pairs (docs/benchmarks.md,
// "Memory per held session"). HTTP forbids NUL in names and values (the parser rejects it),
// so the separator cannot occur inside either.

#include <Poco/Net/NameValueCollection.h>

#include <string>
#include <string_view>

namespace sockjs::detail {

/// Appends `headers` packed to `out`. `websocket_upgrade`: leaves out the handshake's own
/// headers (Upgrade, Connection, Sec-WebSocket-Key/-Key1/-Key2/-Version/-Extensions), which
/// describe the transport rather than the client.
void append_packed_headers(std::string& out, const Poco::Net::NameValueCollection& headers,
                           bool websocket_upgrade);
/// The bytes append_packed_headers() appends.
std::size_t packed_headers_size(const Poco::Net::NameValueCollection& headers, bool websocket_upgrade);

/// ASCII case-insensitive equality (header names are ASCII tokens).
inline bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

/// Calls `fn(name, value)` for each packed header in order until it returns true; returns
/// whether one did.
template <class Fn>
bool find_packed_header(std::string_view packed, Fn&& fn) {
    while (!packed.empty()) {
        const auto name_end = packed.find('\0');
        const auto value_end = packed.find('\0', name_end + 1);
        if (name_end == std::string_view::npos || value_end == std::string_view::npos) return false;
        if (fn(packed.substr(0, name_end), packed.substr(name_end + 1, value_end - name_end - 1))) return true;
        packed.remove_prefix(value_end + 1);
    }
    return false;
}

}  // namespace sockjs::detail
