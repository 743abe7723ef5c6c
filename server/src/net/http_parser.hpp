#pragma once
// HTTP/1.x requests read incrementally, strictly per RFC 9112, with Boost.Beast's
// basic_parser doing the tokenising and the chunked decoding, and our own checks on top where
// Beast is lenient (obs-fold, Host, Transfer-Encoding codings, request-target bytes). The
// connection feeds it whatever bytes have arrived; "need more" is not an error.

#include "net/net.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sockjs::net {

struct reader_limits {
    std::size_t max_header_bytes = 16 * 1024;  ///< the whole head (request line + fields): 431 above
    std::size_t max_body_bytes = 4u << 20;     ///< decoded body: 413 above
};

/// Reads one request after another into an http_request. Usage: start(req), then feed()
/// until it says `head` (inspect expect_continue(), content_length(), chunked()), then feed()
/// until `message` (req.body is complete) or `error` (answer error_status() and close).
class request_reader {
public:
    enum class result {
        need_more,  ///< everything given was consumed (or kept for later): feed more
        head,       ///< the head is complete; the body (if any) follows
        message,    ///< the request is complete; bytes after it belong to the next one
        error,      ///< error_status() says what to answer; the connection must close
    };

    explicit request_reader(reader_limits limits);
    ~request_reader();
    request_reader(const request_reader&) = delete;
    request_reader& operator=(const request_reader&) = delete;

    /// Begins a new request that fills `req` (which must outlive the request).
    void start(http_request& req);
    /// Parses from `in`; `consumed` is how many bytes were used (never more than in.size()).
    /// Bytes not consumed must be offered again, with more appended, at the next call.
    result feed(std::string_view in, std::size_t& consumed);

    /// The status to answer after `error`: 400 malformed or ambiguous framing, 413 body too
    /// large, 431 head too large, 501 unsupported transfer coding, 505 unsupported version.
    int error_status() const { return error_status_; }
    /// After `head`:
    bool expect_continue() const;
    std::optional<std::uint64_t> content_length() const;
    bool chunked() const;
    bool head_done() const;

private:
    class parser;
    reader_limits limits_;
    std::unique_ptr<parser> parser_;
    int error_status_ = 0;
    bool head_reported_ = false;
    bool scan_head(std::string_view rest);
    std::size_t head_bytes_ = 0;  // consumed by Beast so far
    std::size_t scanned_ = 0;     // head bytes checked by scan_head
    std::size_t line_len_ = 0;
    char prev_ = 0;
    bool head_end_ = false;
};

/// Splits a request target into path and query (absolute-form targets lose scheme and
/// authority). Returns false for a target that is neither origin-form, absolute-form nor "*".
bool split_target(std::string_view target, std::string& path, std::string& query);

/// Host header value syntax (RFC 9110 7.2: uri-host [":" port]); empty is allowed.
bool valid_host(std::string_view host);

}  // namespace sockjs::net
