#pragma once
// Protocol test vectors kept as data (tests/data/*.vectors), read with std::ifstream so the
// same tests run natively and under node.
//
// Format: records separated by blank lines; each line of a record is `key: value` (or `key:` for an empty value); a key may
// repeat (values keep their order); `#` starts a comment line. Values are written with escapes
// so that any byte can be expressed: `\\`, `\n`, `\r`, `\t`, `\xNN`; `\s` is a space (for
// spaces at the end of a line, which editors strip).

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace sockjs_test {

struct vector_record {
    std::multimap<std::string, std::string> fields;
    int line = 0;  // where the record starts, for failure messages

    bool has(const std::string& key) const { return fields.count(key) != 0; }
    /// The first value of `key` ("" if absent).
    std::string get(const std::string& key) const {
        auto it = fields.find(key);
        return it == fields.end() ? std::string{} : it->second;
    }
    /// Every value of `key`, in file order.
    std::vector<std::string> all(const std::string& key) const {
        std::vector<std::string> out;
        auto [b, e] = fields.equal_range(key);
        for (auto it = b; it != e; ++it) out.push_back(it->second);
        return out;
    }
};

inline int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Decodes the escape notation described above; fails the test on a malformed escape.
inline std::string unescape_value(const std::string& v, int line) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '\\') {
            out.push_back(v[i]);
            continue;
        }
        INFO("vector file line " << line);
        REQUIRE(i + 1 < v.size());
        const char e = v[++i];
        switch (e) {
        case '\\': out.push_back('\\'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 's': out.push_back(' '); break;
        case 'x': {
            REQUIRE(i + 2 < v.size());
            const int hi = hex_digit(v[i + 1]), lo = hex_digit(v[i + 2]);
            REQUIRE(hi >= 0);
            REQUIRE(lo >= 0);
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
            break;
        }
        default: FAIL("unknown escape \\" << e << " in vector file line " << line);
        }
    }
    return out;
}

/// All records of tests/data/<name>; fails the test if the file is missing or empty.
inline std::vector<vector_record> load_vectors(const std::string& name) {
    const std::string path = std::string(SOCKJS_TEST_DATA_DIR) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    INFO("vector file " << path);
    REQUIRE(in.good());
    std::vector<vector_record> records;
    vector_record current;
    std::string line;
    int n = 0;
    auto finish = [&] {
        if (!current.fields.empty()) records.push_back(std::move(current));
        current = {};
    };
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
            finish();
            continue;
        }
        if (line.front() == '#') continue;
        const auto colon = line.find(':');
        INFO("line " << n << ": " << line);
        REQUIRE(colon != std::string::npos);
        std::string value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (current.fields.empty()) current.line = n;
        current.fields.emplace(line.substr(0, colon), unescape_value(value, n));
    }
    finish();
    REQUIRE(!records.empty());
    return records;
}

}  // namespace sockjs_test
