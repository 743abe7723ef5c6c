#include "static_files.hpp"

#include <sockjs/http.hpp>

#include <Poco/URI.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>
#include <utility>

namespace sockjs::detail {

namespace {

// Files up to this size are answered in one response with a Content-Length; larger ones are
// streamed (chunked) a piece at a time, so a download holds at most about stream_window +
// stream_piece bytes of output whatever the file size.
constexpr std::size_t whole_file_limit = 256u << 10;
constexpr std::size_t stream_piece = 64u << 10;
// More is read only while less than this waits to be sent. It must exceed the connection's
// write_low_watermark (64 KiB) so that a drain is reported once the socket takes the bytes.
constexpr std::size_t stream_window = 256u << 10;

/// Sends an open file as a chunked stream, refilling at each drain. Owns itself until the
/// stream ends or the client goes away (the exchange holds its listener weakly).
class file_stream final : public net::exchange_listener {
public:
    static void start(std::ifstream in, std::shared_ptr<net::exchange> ex) {
        auto s = std::make_shared<file_stream>(std::move(in), std::move(ex));
        s->self_ = s;
        s->ex_->listen(s);
        s->pump();
    }
    file_stream(std::ifstream in, std::shared_ptr<net::exchange> ex) : in_(std::move(in)), ex_(std::move(ex)) {}

    void on_exchange_drained() override { pump(); }
    void on_exchange_aborted() override { self_.reset(); }

private:
    void pump() {
        std::string piece;
        while (ex_->buffered() < stream_window) {
            piece.resize(stream_piece);
            in_.read(piece.data(), static_cast<std::streamsize>(piece.size()));
            piece.resize(static_cast<std::size_t>(in_.gcount()));
            if (!piece.empty() && !ex_->write(piece)) return finish();  // the client is gone
            if (piece.size() < stream_piece) {
                // At the end; after a read error the stream is cut instead (the exchange is
                // dropped unfinished), and the missing last chunk tells the client.
                if (in_.eof()) ex_->end_stream();
                return finish();
            }
        }
    }
    void finish() {
        ex_->listen({});
        // Last: may destroy this (the caller returns at once).
        self_.reset();
    }

    std::ifstream in_;
    std::shared_ptr<net::exchange> ex_;
    std::shared_ptr<file_stream> self_;
};

void not_found(net::exchange& ex) {
    const http_response r = not_found_response();
    ex.respond(r.status, r.headers, r.body);
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
    // "/a.txt/" names a directory; a file has no trailing slash (a server that strips it
    // serves files under names that are not theirs).
    if (decoded.size() > 1 && decoded.back() == '/') return {};
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

void serve_static(const std::string& root, const std::shared_ptr<net::exchange>& exp,
                  const net::http_request& req) {
    net::exchange& ex = *exp;
    if (req.method != "GET" && req.method != "HEAD") {
        ex.respond(405, {{"Allow", "GET, HEAD"}}, {});
        return;
    }
    const bool trailing_slash = req.path.size() > 1 && req.path.back() == '/';
    auto rel = safe_relative_path(trailing_slash ? req.path.substr(0, req.path.size() - 1) : req.path);
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
        if (!trailing_slash) {
            std::string to = req.path + "/";
            if (!req.query.empty()) to += "?" + req.query;
            ex.respond(301, {{"Location", to}, {"Content-Type", "text/plain"}}, "Moved to " + to + "\n");
            return;
        }
        file /= "index.html";
    } else if (trailing_slash) {
        return not_found(ex);  // "/a.txt/" names a directory, and there is none
    }
    // Symlinks may not lead out of the root either.
    file = fs::canonical(file, ec);
    if (ec || !fs::is_regular_file(file, ec)) return not_found(ex);
    auto [stop, _] = std::mismatch(base.begin(), base.end(), file.begin(), file.end());
    if (stop != base.end()) return not_found(ex);
    const auto size = fs::file_size(file, ec);
    if (ec) return not_found(ex);

    std::ifstream in(file, std::ios::binary);
    if (!in) return not_found(ex);
    header_list headers{{"Content-Type", std::string(content_type_for(file.filename().string()))},
                             {"Cache-Control", "no-cache"},
                             {"X-Content-Type-Options", "nosniff"}};
    if (size <= whole_file_limit) {
        std::string body(static_cast<std::size_t>(size), '\0');
        in.read(body.data(), static_cast<std::streamsize>(body.size()));
        if (static_cast<std::uintmax_t>(in.gcount()) != size) return not_found(ex);
        ex.respond(200, headers, body);
        return;
    }
    ex.begin_stream(200, headers);
    if (req.method == "HEAD") return ex.end_stream();  // the head is all it asked for
    file_stream::start(std::move(in), exp);
}

}  // namespace sockjs::detail
