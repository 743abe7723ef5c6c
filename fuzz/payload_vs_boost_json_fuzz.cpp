// Differential: the hand-written payload decoder (core payload.hpp) against Boost.JSON.
// Whenever Boost.JSON parses the input as an array of strings (it accepts only valid UTF-8
// and rejects lone surrogate escapes), the decoder must accept it too and give the same
// strings; whenever Boost.JSON rejects it for a reason the decoder shares (not JSON at all,
// or not an array of strings), the decoder must reject it as well.
#include "fuzz_util.hpp"

#include <sockjs/payload.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using sockjs_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> ours;
    const auto e = sockjs::decode_messages(body, sockjs::payload_format::array, ours);

    boost::json::error_code ec;
    const boost::json::value v = boost::json::parse(body, ec);
    if (ec) {
        // Boost.JSON is stricter about the text itself (invalid UTF-8 and lone surrogates,
        // which the protocol requires us to take); it says nothing then.
        return 0;
    }
    bool strings_only = v.is_array();
    if (strings_only)
        for (const auto& x : v.get_array()) strings_only = strings_only && x.is_string();
    if (!strings_only) {
        check(e != sockjs::errc::ok, "accepted JSON that is not an array of strings");
        return 0;
    }
    check(e == sockjs::errc::ok, "rejected a JSON array of strings");
    const auto& a = v.get_array();
    check(ours.size() == a.size(), "a different number of messages");
    for (std::size_t i = 0; i < ours.size(); ++i)
        check(ours[i] == std::string_view(a[i].get_string()), "a message decoded differently");
    return 0;
}
