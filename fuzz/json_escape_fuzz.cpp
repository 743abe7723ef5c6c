// The escaping pass (core json_escape.hpp) on any string an application may send.
// Properties, the round trip: the output is always valid JSON in valid UTF-8; for a valid
// UTF-8 input, Boost.JSON parses the output back to exactly the input; for any input, the
// core's own decoder gives the input back with every byte that is not UTF-8 (WTF-8 lone
// surrogates included) replaced as documented. The characters the protocol requires escaped
// never appear raw.
#include "fuzz_util.hpp"

#include <sockjs/json_escape.hpp>
#include <sockjs/payload.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using sockjs_fuzz::check;

namespace {

/// True if `s` holds a raw character from the protocol's must-escape class.
bool has_raw_escapable(std::string_view s) {
    for (std::size_t i = 0; i + 2 < s.size(); ++i) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        const auto b2 = static_cast<unsigned char>(s[i + 2]);
        if (b0 == 0xE2 && b1 == 0x80 && ((b2 >= 0x8C && b2 <= 0x8F) || (b2 >= 0xA8 && b2 <= 0xAF)))
            return true;  // U+200C-200F, U+2028-202F
        if (b0 == 0xE2 && b1 == 0x81 && b2 >= 0xA0 && b2 <= 0xAF) return true;  // U+2060-206F
        if (b0 == 0xEF && b1 == 0xBF && b2 >= 0xB0) return true;                // U+FFF0-FFFF
    }
    return false;
}

/// True if `s` holds a WTF-8 high surrogate directly followed by a WTF-8 low surrogate.
bool has_surrogate_pair(std::string_view s) {
    for (std::size_t i = 0; i + 5 < s.size(); ++i) {
        const auto hi = static_cast<unsigned char>(s[i + 1]);
        const auto lo = static_cast<unsigned char>(s[i + 4]);
        if (s[i] == '\xED' && hi >= 0xA0 && hi <= 0xAF && s[i + 3] == '\xED' && lo >= 0xB0 && lo <= 0xBF)
            return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::string out = sockjs::json_string(in);

    check(sockjs_fuzz::strict_utf8(out), "escaped output is not valid UTF-8");
    check(!has_raw_escapable(out), "a character the protocol requires escaped left raw");
    for (char c : out) check(static_cast<unsigned char>(c) >= 0x20, "a raw control character in the output");

    // Boost.JSON rejects lone surrogate escapes, so it judges only inputs without them.
    if (sockjs_fuzz::strict_utf8(in)) {
        boost::json::error_code ec;
        const auto v = boost::json::parse(out, ec);
        check(!ec && v.is_string(), "escaped output is not a JSON string for Boost.JSON");
        check(std::string_view(v.get_string()) == in, "Boost.JSON does not give the input back");
    }

    // The core's decoder takes lone surrogates: WTF-8 input (without a high + low pair
    // written as two sequences, which JSON joins) comes back unchanged.
    std::vector<std::string> back;
    check(sockjs::decode_messages("[" + out + "]", sockjs::payload_format::array, back) ==
              sockjs::errc::ok,
          "the core's decoder rejects escaped output");
    check(back.size() == 1, "the core's decoder gives more than one message");
    if (sockjs_fuzz::strict_utf8(in, true) && !has_surrogate_pair(in))
        check(back[0] == in, "the core's decoder does not give the input back");
    return 0;
}
