#pragma once
// Incremental decoder for `Transfer-Encoding: chunked` request bodies. POCO's
// HTTPChunkedInputStream pulls from a blocking stream; on an event loop the body arrives in
// pieces, so this one is fed whatever bytes are there and says how far it got.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockjs::net {

class chunked_decoder {
public:
    enum class status { need_more, done, bad, too_large };

    /// `max_body` bounds the decoded body, `max_line` a chunk-size or trailer line.
    chunked_decoder(std::size_t max_body, std::size_t max_line)
        : max_body_(max_body), max_line_(max_line) {}

    /// Decodes from `in`, appending chunk data to `body`; sets `consumed` to the bytes used.
    /// On `done`, bytes after the final CRLF (a pipelined request) are left unconsumed.
    status feed(std::string_view in, std::string& body, std::size_t& consumed);

private:
    enum class state { size, size_ext, data, data_cr, data_lf, trailer, done };
    std::size_t max_body_;
    std::size_t max_line_;
    state state_ = state::size;
    std::uint64_t chunk_ = 0;
    std::size_t size_digits_ = 0;
    std::size_t line_len_ = 0;
};

}  // namespace sockjs::net
