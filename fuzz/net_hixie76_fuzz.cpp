// hixie-76 (server/src/net/hixie76.hpp): the frame parser on client bytes, and the
// handshake's key numbers and challenge answer.
// Properties: no memory error or UB; messages are valid UTF-8 within the limit; the result
// and the events do not depend on how the bytes are split; an answer is 16 bytes.
#include "fuzz_util.hpp"
#include "net/hixie76.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using sockjs_fuzz::check;

struct recorder final : sockjs::net::hixie76_sink {
    std::size_t limit = 0;
    std::string log;
    bool on_hixie_message(std::string&& msg) override {
        check(msg.size() <= limit, "a message larger than max_message");
        check(sockjs_fuzz::strict_utf8(msg), "a message that is not UTF-8");
        log.append("M:").append(msg) += '\0';
        return true;
    }
    bool on_hixie_close() override {
        log += "C";
        return true;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t limit = data[0] < 0x80 ? data[0] * 2u : 1u << 20;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

    // The handshake: key1 \n key2 \n key3 (key3 is 8 bytes on the wire, any length here).
    const auto nl1 = bytes.find('\n');
    const auto nl2 = nl1 == std::string_view::npos ? nl1 : bytes.find('\n', nl1 + 1);
    if (nl2 != std::string_view::npos) {
        const auto k1 = bytes.substr(0, nl1);
        const auto k2 = bytes.substr(nl1 + 1, nl2 - nl1 - 1);
        (void)sockjs::net::hixie76_key_number(k1);
        if (auto answer = sockjs::net::hixie76_answer(k1, k2, bytes.substr(nl2 + 1)))
            check(answer->size() == 16, "a challenge answer that is not 16 bytes");
    }

    recorder whole;
    whole.limit = limit;
    sockjs::net::hixie76_parser a(limit);
    const int rc_whole = a.feed(bytes, whole);

    recorder split;
    split.limit = limit;
    sockjs::net::hixie76_parser b(limit);
    int rc_split = 0;
    for (std::size_t i = 0; i < bytes.size() && rc_split == 0 && !b.done(); ++i)
        rc_split = b.feed(bytes.substr(i, 1), split);

    check(rc_whole == 0 || rc_whole == 1002 || rc_whole == 1007 || rc_whole == 1009,
          "an unexpected close code");
    check(rc_whole == rc_split, "a different result when fed one byte at a time");
    check(whole.log == split.log, "different events when fed one byte at a time");
    return 0;
}
