#include "net/http_parser.hpp"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

namespace sockjs::net {

namespace bhttp = boost::beast::http;
using beast_sv = boost::beast::string_view;
using boost::beast::error_code;

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Calls fn(item) for each element of a comma-separated list (empty elements skipped, as
/// RFC 9110 5.6.1 lets a recipient do).
template <class Fn>
void for_each_item(std::string_view list, Fn&& fn) {
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string_view::npos) comma = list.size();
        const std::string_view item = trim_ows(list.substr(pos, comma - pos));
        if (!item.empty()) fn(item);
        pos = comma + 1;
    }
}

std::string_view sv(beast_sv s) { return {s.data(), s.size()}; }

}  // namespace

bool valid_host(std::string_view host) {
    // uri-host is an IP-literal, IPv4address or reg-name (RFC 3986 3.2.2): unreserved,
    // pct-encoded, sub-delims, plus '[' ':' ']' for literals and ':' before the port.
    for (char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::strchr("-._~%!$&'()*+,;=:[]", c) != nullptr;
        if (!ok || c == '\0') return false;
    }
    return true;
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

// Beast does the tokenising (tchar methods and names, CRLF only, no CTLs in values, a single
// SP between request-line parts, HTTP/1.x only, 1*DIGIT Content-Length with conflicting values
// refused, Content-Length with chunked refused, hex chunk sizes without prefixes or spaces)
// and the chunked decoding. What it lets through and we refuse here: obs-fold (it unfolds),
// a Transfer-Encoding whose final coding is not chunked (it then reads no body at all, which
// would make the body the next request), chunked applied twice, Transfer-Encoding on HTTP/1.0,
// HTTP/1.1 without exactly one Host, and non-ASCII bytes in the request-target.
class request_reader::parser final : public bhttp::basic_parser<true> {
public:
    parser(http_request& req, const reader_limits& lim) noexcept : req_(req) {
        header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(lim.max_header_bytes, UINT32_MAX)));
        body_limit(static_cast<std::uint64_t>(lim.max_body_bytes));
        eager(false);  // stop after the head so the caller can look at it first
    }

    int status = 0;  // our verdict when a callback fails
    bool expect_continue = false;
    bool te_chunked = false;

private:
    void fail(error_code& ec, int s) {
        status = s;
        ec = bhttp::error::bad_value;
    }

    void on_request_impl(bhttp::verb, beast_sv method, beast_sv target, int version, error_code& ec) override {
        if (version == 11) req_.http10 = false;
        else if (version == 10) req_.http10 = true;
        else return fail(ec, 505);
        // Beast allows obs-text (0x80-0xFF) in the target; RFC 3986 does not.
        for (char c : target)
            if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) return fail(ec, 400);
        if (!split_target(sv(target), req_.path, req_.query)) return fail(ec, 400);
        req_.method.assign(method.data(), method.size());
    }

    void on_response_impl(int, beast_sv, int, error_code&) override {}

    void on_field_impl(bhttp::field f, beast_sv name, beast_sv value, error_code& ec) override {
        if (header_done_) return;  // trailer fields carry nothing we use
        const std::string_view v = sv(value);
        switch (f) {
        case bhttp::field::host:
            if (++hosts_ > 1 || !valid_host(v)) return fail(ec, 400);  // RFC 9112 3.2
            break;
        case bhttp::field::transfer_encoding:
            te_seen_ = true;
            for_each_item(v, [&](std::string_view coding) { codings_.emplace_back(coding); });
            break;
        case bhttp::field::connection:
            for_each_item(v, [&](std::string_view t) {
                if (iequals(t, "close")) close_ = true;
                else if (iequals(t, "keep-alive")) keep_alive_ = true;
            });
            break;
        case bhttp::field::expect:
            if (iequals(trim_ows(v), "100-continue")) expect_continue = true;
            break;
        default:
            break;
        }
        // add() copies: the field goes through buffers this thread reuses, not temporaries
        // (one allocation fewer per long name or value; a browser sends several).
        thread_local std::string field_name, field_value;
        field_name.assign(name.data(), name.size());
        field_value.assign(v);
        req_.headers.add(field_name, field_value);
        if (field_value.capacity() > 1024) std::string().swap(field_value);  // a rare huge value
    }

    void on_header_impl(error_code& ec) override {
        header_done_ = true;
        if (!req_.http10 && hosts_ == 0) return fail(ec, 400);  // RFC 9112 3.2
        if (te_seen_) {
            // RFC 9112 6.1: Transfer-Encoding on HTTP/1.0 means faulty framing. 6.3: a request
            // whose final coding is not chunked cannot be framed: 400. 7.1: chunked at most
            // once. 6.1: a coding we do not implement: 501.
            if (req_.http10 || codings_.empty() || !iequals(codings_.back(), "chunked")) return fail(ec, 400);
            for (std::size_t i = 0; i + 1 < codings_.size(); ++i)
                if (iequals(codings_[i], "chunked")) return fail(ec, 400);
            if (codings_.size() > 1) return fail(ec, 501);
            te_chunked = true;
        }
        if (req_.http10) expect_continue = false;
        req_.keep_alive = req_.http10 ? (keep_alive_ && !close_) : !close_;
    }

    void on_body_init_impl(boost::optional<std::uint64_t> const& length, error_code&) override {
        if (length) req_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*length, 64u << 10)));
    }

    std::size_t on_body_impl(beast_sv b, error_code&) override {
        req_.body.append(b.data(), b.size());
        return b.size();
    }

    void on_chunk_header_impl(std::uint64_t, beast_sv, error_code&) override {}

    std::size_t on_chunk_body_impl(std::uint64_t, beast_sv b, error_code&) override {
        req_.body.append(b.data(), b.size());
        return b.size();
    }

    void on_finish_impl(error_code&) override {}

    http_request& req_;
    std::vector<std::string> codings_;
    int hosts_ = 0;
    bool te_seen_ = false;
    bool header_done_ = false;
    bool close_ = false;
    bool keep_alive_ = false;
};

namespace {

/// Beast says "bad version" for any version but HTTP/1.x; a well-formed HTTP/d.d of another
/// major version gets 505 (RFC 9110 15.6.6), anything else 400.
int version_status(std::string_view in) {
    const std::string_view line = in.substr(0, in.find('\r'));  // scan_head vouches for the CR
    const std::size_t sp = line.rfind(' ');
    if (sp == std::string_view::npos || line.find(' ') == sp || line.find(' ', line.find(' ') + 1) != sp)
        return 400;  // not exactly method SP target SP version
    const std::string_view v = line.substr(sp + 1);
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (v.size() == 8 && v.substr(0, 5) == "HTTP/" && digit(v[5]) && v[6] == '.' && digit(v[7])) return 505;
    return 400;
}

}  // namespace

request_reader::request_reader(reader_limits limits) : limits_(limits) {}
request_reader::~request_reader() = default;

void request_reader::start(http_request& req) {
    // Beast's parser reads one message: each request gets a fresh one, made in the previous
    // one's memory (its constructor cannot throw) rather than allocated anew.
    static_assert(std::is_nothrow_constructible_v<parser, http_request&, const reader_limits&>);
    if (parser_) {
        std::destroy_at(parser_.get());
        std::construct_at(parser_.get(), req, limits_);
    } else {
        parser_ = std::make_unique<parser>(req, limits_);
    }
    error_status_ = 0;
    head_reported_ = false;
    head_bytes_ = 0;
    scanned_ = 0;
    line_len_ = 0;
    prev_ = 0;
    head_end_ = false;
}

bool request_reader::expect_continue() const { return parser_ && parser_->expect_continue; }
bool request_reader::chunked() const { return parser_ && parser_->te_chunked; }
bool request_reader::head_done() const { return head_reported_; }

std::optional<std::uint64_t> request_reader::content_length() const {
    if (!parser_) return std::nullopt;
    const auto cl = parser_->content_length();
    if (!cl) return std::nullopt;
    return *cl;
}

// Line structure of the head, checked on each byte once as it arrives, before Beast sees it:
// Beast unfolds obs-fold (a line starting with SP or HTAB; RFC 9112 5.2 lets a server reject
// it, and a folded Content-Length is how requests get smuggled) and waits forever for a CRLF
// after a bare LF; bare CR (RFC 9112 2.2) is refused by both.
bool request_reader::scan_head(std::string_view rest) {
    // The state is kept in locals through the loop: as members, every byte stored three of
    // them back to memory (a keep-alive request's head is ~150 bytes).
    std::size_t i = scanned_ - head_bytes_;
    std::size_t line_len = line_len_;
    char prev = prev_;
    bool end = head_end_;
    bool ok = true;
    for (; i < rest.size() && !end; ++i) {
        const char c = rest[i];
        if (c == '\n') {
            if (prev != '\r') {
                ok = false;  // bare LF
                break;
            }
            end = line_len == 0;
            line_len = 0;
        } else if (prev == '\r') {
            ok = false;  // bare CR
            break;
        } else if (c != '\r') {
            if (line_len == 0 && (c == ' ' || c == '\t')) {
                ok = false;  // obs-fold
                break;
            }
            ++line_len;
        }
        prev = c;
    }
    scanned_ = head_bytes_ + i;
    line_len_ = line_len;
    prev_ = prev;
    head_end_ = end;
    return ok;
}

request_reader::result request_reader::feed(std::string_view in, std::size_t& consumed) {
    consumed = 0;
    if (error_status_ != 0) return result::error;
    if (!parser_) {
        error_status_ = 500;
        return result::error;
    }
    parser& p = *parser_;
    const auto fail = [&](int s) {
        error_status_ = s;
        return result::error;
    };
    while (true) {
        if (p.is_done()) {
            if (!head_reported_) {
                head_reported_ = true;
                return result::head;
            }
            return result::message;
        }
        if (head_reported_ && !p.is_header_done()) return fail(500);  // cannot happen
        if (!head_reported_ && p.is_header_done()) {
            head_reported_ = true;
            p.eager(true);  // the body is parsed as far as the input goes
            return result::head;
        }
        if (consumed == in.size()) return result::need_more;
        const std::string_view rest = in.substr(consumed);
        if (!p.is_header_done() && !scan_head(rest)) return fail(400);
        // Beast (1.81) asserts that a last chunk offered again after a need_more comes with at
        // least 5 bytes, which one more byte after "0\r\n" breaks. Such a request cannot end
        // before "0\r\n\r\n" (5 bytes, consumed only whole) and nothing in it can be judged
        // before then, so waiting for the fifth byte delays neither an answer nor an error.
        if (p.is_header_done() && p.te_chunked && rest.size() < 5 && rest[0] == '0' &&
            rest.find("\r\n") != std::string_view::npos)
            return result::need_more;
        error_code ec;
        const std::size_t n = p.put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
        if (n > rest.size()) return fail(500);  // never trust a count beyond what we gave
        const bool in_head = !p.is_header_done() || (!head_reported_ && n > 0);
        if (in_head) {
            // Beast limits the request line and the fields separately, each to header_limit;
            // max_header_bytes is for the whole head.
            head_bytes_ += n;
            if (head_bytes_ > limits_.max_header_bytes ||
                (ec == bhttp::error::need_more && head_bytes_ + (rest.size() - n) > limits_.max_header_bytes))
                return fail(431);
            p.header_limit(static_cast<std::uint32_t>(
                std::min<std::size_t>(limits_.max_header_bytes - head_bytes_, UINT32_MAX)));
        }
        consumed += n;
        if (ec == bhttp::error::need_more) {
            // Beast keeps an unterminated chunk-size or trailer line in the caller's buffer;
            // bound it like a head.
            if (p.is_header_done() && in.size() - consumed > limits_.max_header_bytes) return fail(400);
            return result::need_more;
        }
        if (ec) {
            if (p.status != 0) return fail(p.status);
            if (ec == bhttp::error::header_limit) return fail(431);
            if (ec == bhttp::error::body_limit) return fail(413);
            if (ec == bhttp::error::bad_version) return fail(version_status(in));
            return fail(400);
        }
        if (n == 0 && !p.is_done() && !(p.is_header_done() && !head_reported_)) return result::need_more;
    }
}

}  // namespace sockjs::net
