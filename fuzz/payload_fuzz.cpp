// The SockJS payload decoder (core payload.hpp) on what clients send: xhr_send / jsonp_send
// bodies (optionally form-encoded) and WebSocket messages, plus the query-string helpers.
// Properties: no memory error or UB; on success every message is within the limit; on error
// the output is untouched; messages are UTF-8 (lone surrogates allowed in their WTF-8 form).
// The one-message decoder of the WebSocket path (decode_lone_message) accepts exactly the
// bodies that decode_messages reads as one message, with the same message.
#include "fuzz_util.hpp"
#include "payload_decode.hpp"

#include <sockjs/payload.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using sockjs_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t mode = data[0];
    std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto format = (mode & 1) != 0 ? sockjs::payload_format::array_or_string
                                        : sockjs::payload_format::array;
    const std::size_t limit = (mode & 2) != 0 ? static_cast<std::size_t>(mode >> 2) : static_cast<std::size_t>(-1);

    std::string json = (mode & 4) != 0 ? sockjs::jsonp_send_body(body, true) : std::string(body);
    std::vector<std::string> out{"kept"};
    const auto e = sockjs::decode_messages(json, format, out, limit);
    if (e != sockjs::errc::ok) {
        check(out.size() == 1 && out[0] == "kept", "output changed on error");
    } else {
        check(!out.empty() && out[0] == "kept", "output not appended to");
        for (std::size_t i = 1; i < out.size(); ++i) {
            check(out[i].size() <= limit, "a message over max_message_size");
            check(sockjs_fuzz::strict_utf8(out[i], true), "a decoded message that is not (WTF-)8");
        }
    }
    std::string scratch;
    std::string_view lone;
    const bool one = sockjs::detail::decode_lone_message(json, format, scratch, limit, lone);
    check(one == (e == sockjs::errc::ok && out.size() == 2), "decode_lone_message disagrees on the message count");
    check(!one || lone == out[1], "decode_lone_message decodes another message");
    (void)sockjs::query_param(body, "c");
    (void)sockjs::url_decode(body);
    return 0;
}
