#pragma once
// tests/data/http_requests.txt: raw HTTP requests and what the server must make of them
// (used by the request_reader tests and by the end-to-end server tests).

#include "../support/vector_escapes.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace http_vectors {

struct vector {
    std::string raw;
    int status = 0;    ///< 0: accepted
    std::string body;  ///< accepted: the decoded body
    std::string what;
};

/// The escapes (tests/support/vector_escapes.hpp) to bytes.
inline std::string unescape(const std::string& s) {
    auto out = sockjs_test::unescape(s);
    if (!out) throw std::runtime_error("bad escape in http_requests.txt: " + s);
    return *out;
}

inline std::vector<vector> load() {
    std::ifstream in(std::string(SOCKJS_TEST_DATA_DIR) + "/http_requests.txt");
    if (!in) throw std::runtime_error("cannot open http_requests.txt");
    std::vector<vector> all;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto t1 = line.find('\t');
        const auto t2 = line.find('\t', t1 + 1);
        if (t1 == std::string::npos || t2 == std::string::npos) throw std::runtime_error("bad line: " + line);
        vector v;
        const std::string expected = line.substr(0, t1);
        if (expected.rfind("ok:", 0) == 0) v.body = unescape(expected.substr(3));
        else v.status = std::stoi(expected);
        v.raw = unescape(line.substr(t1 + 1, t2 - t1 - 1));
        v.what = line.substr(t2 + 1);
        all.push_back(std::move(v));
    }
    return all;
}

}  // namespace http_vectors
