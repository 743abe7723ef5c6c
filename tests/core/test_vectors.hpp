#pragma once
// Protocol test vectors kept as data (tests/data/*.vectors), read with std::ifstream so the
// same tests run natively and under node.
//
// Format: records separated by blank lines; each line of a record is `key: value` (or `key:` for an empty value); a key may
// repeat (values keep their order); `#` starts a comment line. Values are written with the
// escapes of tests/support/vector_escapes.hpp, so that any byte can be expressed.

#include "../support/vector_escapes.hpp"

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

/// Decodes the escape notation above (tests/support/vector_escapes.hpp); fails the test on a
/// malformed escape.
inline std::string unescape_value(const std::string& v, int line) {
    auto out = unescape(v);
    INFO("vector file line " << line << ": " << v);
    REQUIRE(out);
    return *out;
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
