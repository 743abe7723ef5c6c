// The client's stream unwrappers (core wrap.hpp stream_unwrapper), one per receiving
// transport, on response-body bytes split at fuzzer-chosen points.
// Properties: no memory error or UB; the frames do not depend on how the body is split; and
// a frame the server wraps (any list of messages, any transport) unwraps to itself.
#include "fuzz_util.hpp"

#include <sockjs/frame.hpp>
#include <sockjs/wrap.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

using sockjs_fuzz::check;

namespace {

constexpr sockjs::transport receivers[] = {
    sockjs::transport::xhr,      sockjs::transport::xhr_streaming, sockjs::transport::eventsource,
    sockjs::transport::htmlfile, sockjs::transport::jsonp,         sockjs::transport::websocket,
};

std::vector<std::string> drain(sockjs::stream_unwrapper& u) {
    std::vector<std::string> out;
    std::string f;
    while (u.next(f)) out.push_back(f);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const auto t = in.PickValueInArray(receivers);
    const bool round_trip = in.ConsumeBool();
    const std::string split_seed = in.ConsumeBytesAsString(8);

    if (round_trip) {
        // Server side: messages framed and wrapped as our server does; client side unwraps.
        std::vector<std::string> messages;
        while (in.remaining_bytes() > 0 && messages.size() < 8)
            messages.push_back(in.ConsumeRandomLengthString(256));
        const std::string frame = sockjs::messages_frame(messages);
        const std::string body = sockjs::wrap(t, frame, "cb");
        sockjs::stream_unwrapper u(t);
        if (t == sockjs::transport::htmlfile) u.feed(sockjs::prelude(t, "cb"));
        u.feed(body);
        const auto frames = drain(u);
        check(frames.size() == 1 && frames[0] == frame, "a wrapped frame does not unwrap to itself");
        return 0;
    }

    const std::string body = in.ConsumeRemainingBytesAsString();
    sockjs::stream_unwrapper whole(t);
    whole.feed(body);
    auto expected = drain(whole);

    // The same body in pieces (lengths from split_seed), taking frames as they come.
    // websocket is excluded: there every feed() is one message by definition.
    if (t == sockjs::transport::websocket) return 0;
    sockjs::stream_unwrapper parts(t);
    std::vector<std::string> got;
    std::size_t pos = 0, k = 0;
    while (pos < body.size()) {
        const std::size_t n =
            split_seed.empty() ? 1 : 1 + static_cast<unsigned char>(split_seed[k++ % split_seed.size()]) % 16;
        parts.feed(std::string_view(body).substr(pos, n));
        pos += n;
        for (auto& f : drain(parts)) got.push_back(std::move(f));
    }
    check(got == expected, "frames depend on how the body was split");
    return 0;
}
