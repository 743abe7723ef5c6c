#pragma once
// HTTP/1.x request heads: finding where a head ends in buffered bytes, parsing it with POCO
// (Poco::Net::HTTPRequest::read over a memory stream), and working out how the body is framed.

#include "net/net.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sockjs::net {

enum class body_kind { none, length, chunked };

struct body_framing {
    body_kind kind = body_kind::none;
    std::uint64_t length = 0;      ///< for body_kind::length
    bool expect_continue = false;  ///< `Expect: 100-continue`
};

/// Offset just past the empty line that ends the head at the start of `buf` (CRLF or bare LF
/// line ends), or npos. `from` lets a caller resume a scan over a growing buffer.
std::size_t find_head_end(std::string_view buf, std::size_t from = 0);

/// Parses a complete head (request line + fields + empty line) into `req` (method, path,
/// query, version, keep_alive, headers) and `framing`. Returns 0 or the status to answer
/// before closing: 400 malformed, 431 too many fields, 501 unknown transfer coding,
/// 505 unsupported version.
int parse_request_head(std::string_view head, http_request& req, body_framing& framing);

/// Splits a request target into path and query (absolute-form targets lose scheme and
/// authority). Returns false for a target that is neither origin-form, absolute-form nor "*".
bool split_target(std::string_view target, std::string& path, std::string& query);

}  // namespace sockjs::net
