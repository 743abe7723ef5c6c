#include "net/http_parser.hpp"

#include <Poco/Ascii.h>
#include <Poco/MemoryStream.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>

#include <cstring>

namespace sockjs::net {

std::size_t find_head_end(std::string_view buf, std::size_t from) {
    const char* const base = buf.data();
    const char* p = base + (from < buf.size() ? from : buf.size());
    const char* const end = base + buf.size();
    while (p < end) {
        const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        if (!nl) break;
        const char* next = nl + 1;
        if (next < end && *next == '\n') return static_cast<std::size_t>(next + 1 - base);
        if (next + 1 < end && next[0] == '\r' && next[1] == '\n')
            return static_cast<std::size_t>(next + 2 - base);
        p = next;
    }
    return std::string_view::npos;
}

bool split_target(std::string_view target, std::string& path, std::string& query) {
    if (target == "*") {
        path.assign(target);
        query.clear();
        return true;
    }
    if (target.empty()) return false;
    if (target.front() != '/') {
        // absolute-form: http://host[:port]/path?query
        const std::size_t scheme_end = target.find("://");
        if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
        const std::size_t slash = target.find_first_of("/?", scheme_end + 3);
        if (slash == std::string_view::npos) {
            target = "/";
        } else if (target[slash] == '?') {
            path.assign("/");
            query.assign(target.substr(slash + 1));
            return true;
        } else {
            target = target.substr(slash);
        }
    }
    const std::size_t q = target.find('?');
    if (q == std::string_view::npos) {
        path.assign(target);
        query.clear();
    } else {
        path.assign(target.substr(0, q));
        query.assign(target.substr(q + 1));
    }
    return true;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (Poco::Ascii::toLower(a[i]) != Poco::Ascii::toLower(b[i])) return false;
    return true;
}

bool has_token(std::string_view list, std::string_view token) {
    // Comma-separated, case-insensitive tokens (Connection: keep-alive, Upgrade).
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view item = list.substr(pos, comma - pos);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (iequals(item, token)) return true;
        pos = comma + 1;
    }
    return false;
}

bool parse_length(const std::string& v, std::uint64_t& out) {
    if (v.empty() || v.size() > 18) return false;
    std::uint64_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    out = n;
    return true;
}

}  // namespace

int parse_request_head(std::string_view head, http_request& req, body_framing& framing) {
    Poco::Net::HTTPRequest parsed;
    try {
        Poco::MemoryInputStream in(head.data(), head.size());
        parsed.read(in);
    } catch (const Poco::Net::MessageException& e) {
        return e.message().find("Too many") != std::string::npos ? 431 : 400;
    } catch (const Poco::Exception&) {
        return 400;
    } catch (const std::exception&) {
        return 400;
    }

    const std::string& version = parsed.getVersion();
    if (version == Poco::Net::HTTPMessage::HTTP_1_1) {
        req.http10 = false;
    } else if (version == Poco::Net::HTTPMessage::HTTP_1_0) {
        req.http10 = true;
    } else if (version.size() == 8 && version.compare(0, 5, "HTTP/") == 0 && version[5] >= '0' &&
               version[5] <= '9' && version[6] == '.') {
        return 505;
    } else {
        return 400;
    }
    if (!split_target(parsed.getURI(), req.path, req.query)) return 400;
    req.method = parsed.getMethod();

    framing = body_framing{};
    bool have_length = false;
    bool have_te = false;
    bool close = false;
    bool keep_alive = false;
    for (const auto& [name, value] : parsed) {
        if (iequals(name, "Content-Length")) {
            std::uint64_t n = 0;
            if (!parse_length(value, n)) return 400;
            if (have_length && n != framing.length) return 400;  // conflicting lengths
            have_length = true;
            framing.length = n;
        } else if (iequals(name, "Transfer-Encoding")) {
            if (have_te) return 400;
            have_te = true;
            if (Poco::icompare(Poco::trim(value), "chunked") != 0) return 501;
        } else if (iequals(name, "Connection")) {
            close = close || has_token(value, "close");
            keep_alive = keep_alive || has_token(value, "keep-alive");
        } else if (iequals(name, "Expect")) {
            if (Poco::icompare(Poco::trim(value), "100-continue") == 0) framing.expect_continue = true;
        }
    }
    // A message with both is a request-smuggling vector (RFC 9112 6.1): refuse it.
    if (have_te && have_length) return 400;
    if (have_te) framing.kind = body_kind::chunked;
    else if (have_length && framing.length > 0) framing.kind = body_kind::length;
    if (req.http10) framing.expect_continue = false;

    req.keep_alive = req.http10 ? (keep_alive && !close) : !close;
    req.headers.swap(parsed);
    return 0;
}

}  // namespace sockjs::net
