// The client's frame parser (core frame.hpp parse_frame) on server bytes.
// Properties: no memory error or UB; a parsed `a` frame re-encodes to a frame that parses to
// the same messages; a parsed `c` frame's code is what close_frame() writes back.
#include "fuzz_util.hpp"

#include <sockjs/frame.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using sockjs_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto f = sockjs::parse_frame(text);
    if (!f) return 0;
    if (f->type == sockjs::frame_type::messages) {
        auto again = sockjs::parse_frame(sockjs::messages_frame(f->messages));
        check(again.ok(), "a re-encoded messages frame does not parse");
        check(again->messages == f->messages, "messages changed by re-encoding");
    } else if (f->type == sockjs::frame_type::close) {
        auto again = sockjs::parse_frame(sockjs::close_frame(f->code, f->reason));
        check(again.ok(), "a re-encoded close frame does not parse");
        check(again->code == f->code, "a close code changed by re-encoding");
    }
    return 0;
}
