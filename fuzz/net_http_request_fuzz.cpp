// libFuzzer target: the HTTP request reader (server/src/net/http_parser.*) fed the way a
// connection feeds it: the input arrives in pieces (sizes drawn from the input's first bytes),
// unconsumed bytes are offered again with the next piece, and requests are read one after
// another (pipelining). Invariants: never consumes more than given; a complete request's body
// is exactly what its framing says and within max_body_bytes; a head never exceeds
// max_header_bytes; errors are one of the documented statuses; nothing is lost or duplicated.

#include "net/http_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // First two bytes: piece-size seed; the rest is the byte stream.
    std::uint32_t seed = static_cast<std::uint32_t>(data[0]) << 8 | data[1];
    const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
    auto next_piece = [&seed]() -> std::size_t {
        seed = seed * 1103515245u + 12345u;
        const std::uint32_t r = (seed >> 16) & 0x7fff;
        return r % 4 == 0 ? 1 : 1 + r % 97;  // often single bytes, else up to 97
    };

    sockjs::net::reader_limits lim;
    lim.max_header_bytes = 1024;
    lim.max_body_bytes = 4096;
    sockjs::net::request_reader reader(lim);
    sockjs::net::http_request req;

    std::string buf;          // what the "connection" holds
    std::size_t pos = 0;      // consumed up to here
    std::size_t arrived = 0;  // of input
    std::size_t head_start = 0;
    bool started = false;
    bool head = false;
    int requests = 0;
    while (true) {
        if (!started) {
            while (pos < buf.size() && (buf[pos] == '\r' || buf[pos] == '\n')) ++pos;  // as the connection does
            if (pos < buf.size()) {
                req.clear();  // as the connection does: the buffers are reused
                reader.start(req);
                started = true;
                head = false;
                head_start = pos;
            }
        }
        std::size_t used = 0;
        auto r = sockjs::net::request_reader::result::need_more;
        if (started) {
            const std::string_view avail = std::string_view(buf).substr(pos);
            r = reader.feed(avail, used);
            check(used <= avail.size());
            pos += used;
        }
        using res = sockjs::net::request_reader::result;
        if (r == res::error) {
            const int s = reader.error_status();
            check(s == 400 || s == 413 || s == 431 || s == 501 || s == 505);
            return 0;  // the connection closes
        }
        if (r == res::head) {
            head = true;
            check(pos - head_start <= lim.max_header_bytes);
            const auto cl = reader.content_length();
            check(!(cl && reader.chunked()));
            if (cl) check(*cl <= lim.max_body_bytes);
            check(!req.method.empty());
            check(!req.http10 || !reader.chunked());
            continue;
        }
        if (r == res::message) {
            check(head);
            const auto cl = reader.content_length();
            if (cl) check(req.body.size() == *cl);
            else if (!reader.chunked()) check(req.body.empty());
            check(req.body.size() <= lim.max_body_bytes);
            check(req.body.size() <= pos - head_start);
            ++requests;
            started = false;
            continue;
        }
        // need_more: deliver the next piece, or stop at the end of the input.
        if (arrived == input.size()) break;
        const std::size_t n = std::min(next_piece(), input.size() - arrived);
        buf.append(input.substr(arrived, n));
        arrived += n;
    }
    check(pos <= buf.size());
    (void)requests;
    return 0;
}
