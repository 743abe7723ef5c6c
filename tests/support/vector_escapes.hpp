#pragma once
// The escapes of the test data files (tests/data/*.vectors, http_requests.txt), so that a line
// can hold any byte: `\\`, `\n`, `\r`, `\t`, `\0`, `\xNN`, and `\s` for a space (spaces at the
// end of a line, which editors strip). One decoder for every test that reads them.

#include <optional>
#include <string>
#include <string_view>

namespace sockjs_test {

/// The bytes `v` stands for; nullopt for an unknown or cut-off escape.
inline std::optional<std::string> unescape(std::string_view v) {
    auto hex = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '\\') {
            out.push_back(v[i]);
            continue;
        }
        if (++i == v.size()) return std::nullopt;
        switch (v[i]) {
        case '\\': out.push_back('\\'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 's': out.push_back(' '); break;
        case '0': out.push_back('\0'); break;
        case 'x': {
            if (v.size() - i < 3) return std::nullopt;
            const int hi = hex(v[i + 1]), lo = hex(v[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
            break;
        }
        default: return std::nullopt;
        }
    }
    return out;
}

}  // namespace sockjs_test
