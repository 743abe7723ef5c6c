// The iframe page used by the cross-domain transports, and its caching.

#include "http_detail.hpp"

#include <cstdint>

namespace sockjs {

namespace {

// `sockjs_url` is configuration, but it lands inside an HTML attribute: escape what could end
// the attribute or start markup.
void append_html_attribute(std::string& out, std::string_view v) {
    for (char c : v) {
        switch (c) {
        case '"': out += "&quot;"; break;
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default: out += c;
        }
    }
}

// If-None-Match holds `*` or a list of entity tags, weak ones prefixed `W/`; RFC 7232 says to
// compare them weakly, i.e. ignoring that prefix.
bool if_none_match_matches(std::string_view header, std::string_view etag) {
    while (true) {
        auto comma = header.find(',');
        std::string_view tag = header.substr(0, comma);
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
        if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        if (tag == "*" || tag == etag) return true;
        if (comma == std::string_view::npos) return false;
        header.remove_prefix(comma + 1);
    }
}

}  // namespace

std::string iframe_page(std::string_view sockjs_url) {
    // The suite matches this text exactly (IframePage.iframe_body), sockjs_url aside.
    std::string page =
        "<!DOCTYPE html>\n"
        "<html>\n"
        "<head>\n"
        "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
        "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
        "  <script src=\"";
    append_html_attribute(page, sockjs_url);
    page +=
        "\"></script>\n"
        "  <script>\n"
        "    document.domain = document.domain;\n"
        "    SockJS.bootstrap_iframe();\n"
        "  </script>\n"
        "</head>\n"
        "<body>\n"
        "  <h2>Don't panic!</h2>\n"
        "  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>\n"
        "</body>\n"
        "</html>";
    return page;
}

std::string iframe_etag(std::string_view page) {
    // FNV-1a, 64 bit: stable across runs and builds, which is all an ETag needs (MD5 is in
    // POCO, which the core does not use).
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : page) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string tag(18, '"');
    for (int i = 16; i >= 1; --i, h >>= 4) tag[static_cast<std::size_t>(i)] = hex[h & 0xf];
    return tag;
}

namespace detail {

http_response iframe_response(const request_info& req, const service_options& opts,
                              std::int64_t unix_now) {
    std::string page = iframe_page(opts.sockjs_url);
    std::string etag = iframe_etag(page);
    http_response r;
    if (req.if_none_match && if_none_match_matches(*req.if_none_match, etag)) {
        // 304: the validators and caching headers again, but no Content-Type and no body.
        r.status = 304;
        r.headers.emplace_back("ETag", std::move(etag));
        append_cache_for_a_year_headers(r.headers, unix_now);
        return r;
    }
    r.headers.emplace_back("Content-Type", "text/html;charset=UTF-8");
    r.headers.emplace_back("ETag", std::move(etag));
    append_cache_for_a_year_headers(r.headers, unix_now);
    r.body = std::move(page);
    return r;
}

}  // namespace detail

}  // namespace sockjs
