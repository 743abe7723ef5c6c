#include "static_files.hpp"

#include <Poco/URI.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace sockjs::detail {

namespace {

constexpr std::size_t max_static_file = 32u << 20;

void not_found(net::exchange& ex) {
    ex.respond(404, {{"Content-Type", "text/plain;charset=UTF-8"}}, "Not found\n");
}

/// The decoded path, or empty if it is not a plain path below the root (`..`, NUL,
/// backslashes, or bad escapes).
std::string safe_relative_path(const std::string& raw) {
    std::string decoded;
    try {
        Poco::URI::decode(raw, decoded);
    } catch (...) {
        return {};
    }
    if (decoded.empty() || decoded[0] != '/') return {};
    if (decoded.find('\0') != std::string::npos || decoded.find('\\') != std::string::npos) return {};
    std::string rel;
    std::size_t i = 1;
    while (i <= decoded.size()) {
        auto j = decoded.find('/', i);
        if (j == std::string::npos) j = decoded.size();
        auto seg = std::string_view(decoded).substr(i, j - i);
        if (seg == "..") return {};
        if (!seg.empty() && seg != ".") {
            if (!rel.empty()) rel += '/';
            rel += seg;
        }
        i = j + 1;
    }
    return rel.empty() ? std::string("index.html") : rel;
}

}  // namespace

std::string_view content_type_for(std::string_view filename) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types{{
        {".html", "text/html;charset=UTF-8"},
        {".htm", "text/html;charset=UTF-8"},
        {".js", "application/javascript;charset=UTF-8"},
        {".mjs", "application/javascript;charset=UTF-8"},
        {".css", "text/css;charset=UTF-8"},
        {".json", "application/json;charset=UTF-8"},
        {".map", "application/json;charset=UTF-8"},
        {".wasm", "application/wasm"},
        {".txt", "text/plain;charset=UTF-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".ico", "image/x-icon"},
        {".d.ts", "application/typescript;charset=UTF-8"},
    }};
    for (const auto& [ext, type] : types)
        if (filename.size() >= ext.size() && filename.substr(filename.size() - ext.size()) == ext)
            return type;
    return "application/octet-stream";
}

void serve_static(const std::string& root, net::exchange& ex, const net::http_request& req) {
    if (req.method != "GET" && req.method != "HEAD") {
        ex.respond(405, {{"Allow", "GET, HEAD"}}, {});
        return;
    }
    auto rel = safe_relative_path(req.path);
    if (rel.empty()) return not_found(ex);

    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path base = fs::canonical(root, ec);
    if (ec) return not_found(ex);
    fs::path file = fs::weakly_canonical(base / rel, ec);
    if (ec) return not_found(ex);
    if (fs::is_directory(file, ec)) {
        // "/demo" would serve the page with its relative links resolved against "/": send the
        // browser to "/demo/" instead.
        if (req.path.empty() || req.path.back() != '/') {
            std::string to = req.path + "/";
            if (!req.query.empty()) to += "?" + req.query;
            ex.respond(301, {{"Location", to}, {"Content-Type", "text/plain"}}, "Moved to " + to + "\n");
            return;
        }
        file /= "index.html";
    }
    // Symlinks may not lead out of the root either.
    file = fs::canonical(file, ec);
    if (ec || !fs::is_regular_file(file, ec)) return not_found(ex);
    auto [stop, _] = std::mismatch(base.begin(), base.end(), file.begin(), file.end());
    if (stop != base.end()) return not_found(ex);
    auto size = fs::file_size(file, ec);
    if (ec || size > max_static_file) return not_found(ex);

    std::ifstream in(file, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return not_found(ex);
    ex.respond(200,
               {{"Content-Type", std::string(content_type_for(file.filename().string()))},
                {"Cache-Control", "no-cache"},
                {"X-Content-Type-Options", "nosniff"}},
               body);
}

}  // namespace sockjs::detail
